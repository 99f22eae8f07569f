"""``hwsolve graph`` of a mini-batch (issue 9): one example's graph (the first, or
``--example K``), with the title saying the batch loss is the mean/sum of the examples'
losses.  Expected numbers by hand with the math module from the file's weights."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _graph(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "hwsolve", "graph", *args, "-o",
                           str(tmp_path / "g.dot")], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT)})


def test_a_batch_draws_one_example_and_says_how_the_batch_loss_is_made(tmp_path):
    result = _graph(tmp_path, "batch_xor_nesterov_sum", "--example", "3")
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "g.dot").read_text()
    assert r"\nexample 3 of 4; values and gradients of its own loss L@3; the batch loss is " \
           "the sum of the 4 examples' losses" in source
    # example 3: x = [1, 0], label 1; h = tanh(W1 x + b1), z = w2·h + b2, Ŷ = σ(z), BCE
    h = [math.tanh(0.5 + 0.1), math.tanh(0.3 - 0.1)]
    z = 0.7 * h[0] - 0.6 * h[1] + 0.05
    yhat = 1 / (1 + math.exp(-z))
    assert f"<B>Ŷ</B><BR/>{yhat:.3g}<BR/>" in source            # 0.576
    assert f"<B>L</B><BR/>{-math.log(yhat):.3g}>" in source     # 0.551


def test_the_first_example_by_default_and_the_mean(tmp_path):
    result = _graph(tmp_path, "batch_xor_momentum")
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "g.dot").read_text()
    assert "example 1 of 4" in source and "the mean of the 4 examples' losses" in source


def test_bad_example_numbers_are_exit_2(tmp_path):
    result = _graph(tmp_path, "batch_xor_momentum", "--example", "9")
    assert result.returncode == 2 and "there are 4 examples" in result.stderr
    assert "Traceback" not in result.stderr
    result = _graph(tmp_path, "mazur_2_2_2", "--example", "1")
    assert result.returncode == 2 and "--example" in result.stderr
