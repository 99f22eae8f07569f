"""Hostile batch 3, item 26: optimizers that divide by zero ended in an internal error.  Adam
with eps 0, β₂ = 0 and a zero gradient, and RMSprop with alpha 1 and eps 0, now give a user
error (exit 2) naming the param entry, the step and the division."""

from __future__ import annotations

from conftest import run_cli

# L = ½(w − 1.5)²: Adam's first step moves w by lr·sign(g) = 0.5, onto the minimum, so the
# gradient of step 2 is exactly 0; with β₂ = 0, v = g² = 0 while m = 0.9·m ≠ 0.
ONE_WEIGHT = """\
title: one weight
inputs: {x: 1}
params: {w: 1}
nodes: {z: w * x}
activation: identity
loss: mse
label: 1.5
"""


def test_adam_with_eps_0_and_beta2_0_names_param_step_and_division(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(ONE_WEIGHT)
    result = run_cli(str(path), "--optimizer", "adam", "--lr", "0.5", "--betas", "0.9,0",
                     "--eps", "0", "--train-steps", "3")
    assert result.exit_code == 2, result.output
    assert "adam divides by zero at step 2 in the update of w" in result.output
    assert "√v/√(1 − β₂ᵗ) + ε = 0" in result.output
    assert "Traceback" not in result.output


def test_rmsprop_with_alpha_1_and_eps_0(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(ONE_WEIGHT.replace("params: {w: 1}", "params: {w: [1, 2]}")
                    .replace("nodes: {z: w * x}", "nodes: {z: 'w[1] * x + w[2] * x'}"))
    result = run_cli(str(path), "--optimizer", "rmsprop", "--alpha", "1", "--eps", "0")
    assert result.exit_code == 2, result.output
    assert "rmsprop divides by zero at step 1 in the update of w[1]" in result.output
    assert "√v + ε = 0" in result.output and "α = 1" in result.output


def test_adam_with_eps_0_and_a_nonzero_gradient_still_trains(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(ONE_WEIGHT)
    result = run_cli(str(path), "--optimizer", "adam", "--lr", "0.1", "--eps", "0",
                     "--train-steps", "2", "-f", "json")
    assert result.exit_code == 0, result.output
