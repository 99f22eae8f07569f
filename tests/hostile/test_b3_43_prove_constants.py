"""Batch 3, item 43: `prove 2 3` printed "Counterexample at : left = 2"."""

from conftest import run_cli


def test_two_different_constants():
    result = run_cli("prove", "2", "3")
    assert result.exit_code == 1
    assert "Counterexample at :" not in result.stdout and "differ at )" not in result.stdout
    assert "The sides are constants: left = 2, right = 3, difference = -1 (exact)." \
        in result.stdout
