"""Hostile batch 3, item 33: ``--verify`` reported a disagreement and blamed nothing when float64
PyTorch crossed a kink that the exact run lands on, or when its naive log-softmax overflowed.
The report now says what the reference did, with its own numbers (exit 1 stays: the two do
differ)."""

from __future__ import annotations

import pytest

from conftest import run_cli

pytest.importorskip("torch")

KINK = """\
title: kink
inputs: {x1: 0.1, x2: 0.2}
params: {w: 2}
nodes: {z: x1 + x2 - 0.3, h: relu(z), o: w*h + 1}
activation: identity
loss: mse
label: 0
"""
TIE = """\
title: tie
inputs: {x1: 0.1, x2: 0.2, x3: 0.3}
params: {w: 2}
nodes: {a: x1 + x2, m: "max(a, x3)", o: w*m}
activation: identity
loss: mse
label: 0
"""
SOFTMAX = """\
title: softmax beyond float range
inputs: {x: 800}
params: {w: [1, -1]}
nodes: {z: w * x}
activation: softmax
loss: cross_entropy
label: 2
"""
SATURATED = """\
title: sigmoid saturated
inputs: {x: 40}
params: {w: 1}
nodes: {z: w * x}
activation: sigmoid
loss: bce
label: 0
"""


def _why(write, text: str) -> str:
    result = run_cli(str(write(text)), "--verify", "--width", "400")
    assert result.exit_code == 1, result.output
    return result.stdout


def test_relu_kink_crossed_by_rounding(write):
    out = _why(write, KINK)
    assert f"it has z = {0.1 + 0.2 - 0.3:.3g}, h = {0.1 + 0.2 - 0.3:.3g} where the exact " \
           "value is 0, so it takes the other branch" in out
    assert "why: the exact run lands on a kink (h: relu at 0: derivative taken as 0" in out


def test_tie_split_by_rounding(write):
    out = _why(write, TIE)
    assert "why: the exact run lands on a kink (m: max has a 2-way tie at 0.3" in out
    assert f"a = {0.1 + 0.2!r} (exact 0.3)" in out


def test_naive_log_softmax_overflow(write):
    """Ŷ[2] = e^-800/(e^800 + e^-800) = 1/(1 + e^1600) ≈ e^-1600 ≈ 1.3453e-695."""
    out = _why(write, SOFTMAX)
    assert "why: the exact Yhat[2] is 1.34533e-695, below float range: PyTorch's float64 " \
           "gives 0" in out
    assert "PyTorch's cross_entropy here is −Σ Y·log Ŷ over Ŷ = softmax(z)" in out


def test_saturated_sigmoid_and_the_bce_clamp(write):
    """1 − σ(40) = 1/(1 + e^40) ≈ 4.24835e-18."""
    out = _why(write, SATURATED)
    assert "why: the exact Yhat is 1 − 4.24835e-18, which rounds to exactly 1 in float64" in out
    assert "binary_cross_entropy clamps log Ŷ and log(1 − Ŷ) at −100" in out


def test_agreement_says_nothing_more():
    from conftest import PROBLEMS
    result = run_cli(str(PROBLEMS / "q3a.yaml"), "--verify")
    assert result.exit_code == 0, result.output
    assert "why:" not in result.stdout


KINK_BATCH = """\
title: kink batch
params: {w: 2}
examples:
  - {inputs: {x1: 0.1, x2: 0.2}, label: 0}
  - {inputs: {x1: 1, x2: 0.5}, label: 1}
nodes: {z: w*(x1 + x2) - 0.6, h: relu(z), o: h + 1}
activation: identity
loss: mse
"""
SOFTMAX_BATCH = """\
title: softmax batch
params: {w: [1, -1]}
examples:
  - {inputs: {x: 800}, label: 2}
  - {inputs: {x: 1}, label: 1}
nodes: {z: w * x}
activation: softmax
loss: cross_entropy
"""


def test_batch_kink(write):
    """Exact: example 1 has z = 2·0.3 − 0.6 = 0, relu'(0) = 0, so dL/dw = (0 + 2.4·1.5)/2 = 1.8;
    float64 has z = 1.1e-16 > 0, relu' = 1, and (1·0.3 + 3.6)/2 = 1.95."""
    result = run_cli(str(write(KINK_BATCH)), "--verify")
    assert result.exit_code == 1, result.output
    assert "w entry 1 gradient of L before step 1: 1.8  torch 1.95  DIFFERS" in result.stdout
    assert "why: the exact run lands on a kink (h@1: relu at 0: derivative taken as 0" \
        in result.stdout


def test_training_run_leaves_float_range(write):
    result = run_cli(str(write(SOFTMAX_BATCH)), "--verify", "--lr", "0.1", "--train-steps", "2")
    assert result.exit_code == 1, result.output
    assert "why: PyTorch's L after step 0 is inf where the exact L is 800.063: float64 left " \
           "its range there" in result.stdout
    assert "why: the exact Yhat[2]@1 is 1.34533e-695, below float range" in result.stdout
    assert "why: PyTorch's cross_entropy here is −Σ Y·log Ŷ" in result.stdout
