"""Hostile item 19: an input named `Y` was allowed although Y is the label in every output
(the table's note "Y = 1", the loss formula, the steps), so `Y` could mean two things.  It is
reserved like Yhat and L, and the message says why."""

import pytest

from conftest import run_cli, spec


@pytest.mark.parametrize("section, text", [
    ("inputs", spec("{a: W * Y}", inputs="{X1: 2, Y: 3}")),
    ("params", spec("{a: Y * X1}", params="{Y: 1.5}")),
    ("nodes", spec("{Y: W * X1, a: Y + 1}")),
])
def test_y_is_reserved_for_the_label(write, section, text):
    result = run_cli(str(write(text)))
    assert result.exit_code == 2
    assert f"at {section}.Y: 'Y' is reserved: Y is the label (the target) in every output" \
        in result.stderr


def test_the_other_reserved_names_say_what_they_are(write):
    result = run_cli(str(write(spec("{a: W * X1}", params="{L: 1}"))))
    assert result.exit_code == 2 and "'L' is reserved: L is the loss" in result.stderr
    result = run_cli(str(write(spec("{a: W * X1}", params="{exp: 1}"))))
    assert result.exit_code == 2 and "'exp' is reserved: it is a function" in result.stderr
