"""Batch 3, item 38: `expect: {diagnosis: overfit}` (not a diagnosis) was reported as a key
difference (exit 1), not as a bad file (exit 2)."""

import pytest

from conftest import PROBLEMS, run_cli


@pytest.mark.parametrize("name, old, new, words", [
    ("q2a.yaml", "diagnosis: overfitting", "diagnosis: overfit",
     "'overfit' is not a diagnosis (did you mean 'overfitting'?)"),
    ("q2a.yaml", "remedy: epochs", "remedy: more_data", "'more_data' is not a remedy"),
    ("q2a.yaml", "epoch: 5", "epoch: five", "must be an epoch number"),
    ("eca.yaml", "verdict: proved", "verdict: proven", "'proven' is not a verdict"),
])
def test_an_impossible_expectation_is_a_bad_file(tmp_path, name, old, new, words):
    text = (PROBLEMS / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert words in result.stderr and "expect." in result.stderr


def test_a_real_difference_is_still_exit_1(tmp_path):
    path = tmp_path / "q2a.yaml"
    path.write_text((PROBLEMS / "q2a.yaml").read_text().replace("diagnosis: overfitting",
                                                                 "diagnosis: underfitting"))
    assert run_cli("check", str(path)).exit_code == 1
