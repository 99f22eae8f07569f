"""``answers.examples`` (issue 9): each example's own Ŷ and L keyed in input order, checked by
``hwsolve check``.  The shipped keys come from tests/keys/torch_keys_train.py's PyTorch
models; the regression's by hand: Ŷ = w·x + b with w = (0.2, −0.3), b = 0.1, L = ½(Ŷ − y)²."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hwsolve.errors import HwsolveError
from hwsolve.spec.load import load_problem_text

ROOT = Path(__file__).resolve().parents[1]
BATCH = """title: regression of three
params: {w: [0.2, -0.3], b: 0.1}
reduction: sum
examples:
  - {inputs: {x: [1, 2]}, label: 1.5}
  - {inputs: {x: [-1, 0.5]}, label: -0.5}
  - {inputs: {x: [2, -1]}, label: 2}
nodes: {y: w @ x + b}
activation: identity
loss: mse
answers:
  L: 2.37125
  examples:
"""
# by hand: Ŷ = 0.2 − 0.6 + 0.1 = −0.3, L = ½(1.8)² = 1.62; Ŷ = −0.2 − 0.15 + 0.1 = −0.25,
# L = ½(0.25)² = 0.03125; Ŷ = 0.4 + 0.3 + 0.1 = 0.8, L = ½(1.2)² = 0.72
GOOD = ["    - {Yhat: -0.3, L: 1.62}", "    - {Yhat: -0.25, L: '1/32'}",
        "    - {Yhat: 0.8, L: 0.72}"]


def _check(tmp_path, lines):
    path = tmp_path / "b.yaml"
    path.write_text(BATCH + "\n".join(lines) + "\n")
    return subprocess.run([sys.executable, "-m", "hwsolve", "check", str(path)],
                          capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT)})


def test_keys_of_each_example_match(tmp_path):
    result = _check(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7/7 key entries match" in result.stdout


def test_a_wrong_example_key_is_a_difference_naming_the_example(tmp_path):
    result = _check(tmp_path, [GOOD[0], "    - {Yhat: -0.25, L: 0.0325}", GOOD[2]])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "L@2" in result.stdout


@pytest.mark.parametrize("lines, where, words", [
    (GOOD[:2], "answers.examples", "has 3 examples but the key lists 2"),
    ([GOOD[0], "    - {Yhat: [1, 2]}", GOOD[2]], "answers.examples[2].Yhat", "scalar"),
    ([GOOD[0], "    - {Yhat: 1, grad: 2}", GOOD[2]], "answers.examples[2]", "grad"),
])
def test_bad_example_keys_are_errors_at_their_line(tmp_path, lines, where, words):
    result = _check(tmp_path, lines)
    assert result.returncode == 2, result.stdout + result.stderr
    assert where in result.stderr + result.stdout and words in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_single_problem_has_no_example_keys():
    text = ("title: one\ninputs: {x: 1}\nparams: {w: 2}\nnodes: {z: w * x}\n"
            "activation: identity\nloss: mse\nlabel: 1\nanswers:\n  examples: [{L: 0.5}]\n")
    with pytest.raises(HwsolveError) as caught:
        load_problem_text(text, name="one.yaml")
    assert caught.value.where == "answers.examples" and caught.value.line == 9
