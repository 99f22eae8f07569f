"""Hostile batch 3, item 4: a variant's `inputs:` were silently ignored on a batch (its
examples give the inputs), so `--variant` printed the base numbers.  Such a variant is refused,
by `solve --variant` and by `check`, naming the input."""

from __future__ import annotations

from tests.conftest import run_cli

BATCH = """\
title: batch
params: {w: 1}
examples:
  - {inputs: {x: 2}, label: 1}
  - {inputs: {x: 1}, label: 0}
nodes:
  z: w * x
activation: identity
loss: mse
variants:
  other:
    inputs: {x: 5}
    answers: {L: 0.5}
  heavier:
    params: {w: 2}
"""


def test_a_variant_that_changes_a_batch_input_is_refused(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(BATCH)
    result = run_cli(str(path), "--variant", "other")
    assert result.exit_code == 2
    assert "sets the input x" in result.output and "variants.other.inputs.x" in result.output
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert "sets the input x" in result.output


def test_a_variant_that_changes_params_still_solves(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(BATCH)
    # w = 2: z = 4 and 2, L = mean(½·3², ½·2²) = 3.25
    result = run_cli(str(path), "--variant", "heavier", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "3.25" in result.output
