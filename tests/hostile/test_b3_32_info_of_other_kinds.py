"""Batch 3, item 32 (info's part): `info` of a curves problem said "unknown key 'kind'".
It names the kind and the command to use."""

import pytest

from conftest import PROBLEMS, run_cli


@pytest.mark.parametrize("name, command", [("q2a", "hwsolve curves q2a"),
                                           ("eca", "hwsolve solve eca")])
def test_info_names_the_kind(name, command):
    result = run_cli("info", name)
    assert result.exit_code == 2
    assert "unknown key" not in result.stderr
    assert f"is a kind: {'curves' if name == 'q2a' else 'identity'} problem" in result.stderr
    assert command in result.stderr


def test_info_of_a_curves_file_by_path():
    result = run_cli("info", str(PROBLEMS / "curves_goodfit.yaml"))
    assert result.exit_code == 2 and "hwsolve curves" in result.stderr
