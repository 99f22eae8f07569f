"""Batch 3, item 45: with `loss: none`, a given label was kept in JSON ("label": 1), not
null as the README says, and was accepted without a note."""

import json

from conftest import PROBLEMS, run_cli

PROBLEM = """\
title: none with a label
inputs: {X1: 2}
params: {W: 1.5}
nodes: {a: W * X1}
output: a
loss: none
label: 1
"""


def test_the_label_is_null_with_a_note(write):
    result = run_cli(str(write(PROBLEM)), "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["label"] is None
    assert any("the label is not used" in w for w in document["warnings"])


def test_the_terminal_shows_the_note(write):
    result = run_cli(str(write(PROBLEM)))
    assert "note: the label is not used: with loss none" in " ".join(result.stdout.split())


def test_a_label_given_on_the_command_line_is_named():
    result = run_cli(str(PROBLEMS / "q3a.yaml"), "--loss", "none", "--label", "0", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["label"] is None
    assert any(w.startswith("--label is not used") for w in document["warnings"])
