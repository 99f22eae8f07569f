"""Hostile batch 3, item 31: training a ``loss: none`` problem said "at examples: a batch needs
a loss", for a problem with no examples at all.  Issue 19 makes a ``train:`` block minimise the
scalar output; what stays illegal gets a message that names the loss key, says why and what to
write instead (the expression it names works)."""

from __future__ import annotations

from conftest import run_cli

SINGLE = """\
title: no loss
inputs: {x: 1.5}
params: {w: 0.5}
nodes: {z: w*x}
activation: identity
loss: none
"""
BATCH = """\
title: no loss, two examples
params: {w: 0.5}
examples:
  - {inputs: {x: 1}}
  - {inputs: {x: 2}}
nodes: {z: w*x}
activation: identity
loss: none
"""


def test_training_options_on_a_single_problem(write):
    result = run_cli(str(write(SINGLE)), "--lr", "0.1")
    assert result.exit_code == 2
    assert "line 6, at loss: training minimises a loss, and loss: none gives this problem " \
           "none: give a loss (bce, mse, ...), or the loss expression '1 * Yhat'" in result.stderr
    assert "examples" not in result.stderr


def test_a_batch(write):
    result = run_cli(str(write(BATCH)))
    assert result.exit_code == 2
    assert "line 8, at loss: a mini-batch's L is the mean of its examples' losses, and loss: " \
           "none gives an example no loss" in result.stderr


def test_the_named_expression_works(write):
    """w = 0.5, x = 1.5: L = Ŷ = 0.75, dL/dw = 1.5, w ← 0.5 − 0.1·1.5 = 0.35, L = 0.525."""
    path = write(SINGLE.replace("loss: none", 'loss: "1 * Yhat"'))
    result = run_cli(str(path), "--lr", "0.1", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert "| w | 0.5 | 1.5 | 0.35 |" in result.stdout
    assert "L: 0.75 → 0.525 after 1 step" in result.stdout
