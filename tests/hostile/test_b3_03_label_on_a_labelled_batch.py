"""Hostile batch 3, item 3: `--label` was silently ignored on a batch whose examples carry
their own labels (the output showed the examples' labels).  It is refused with a reason."""

from __future__ import annotations

from tests.conftest import run_cli

BATCH = """\
title: batch with labels
params: {w: 1}
examples:
  - {inputs: {x: 2}, label: 1}
  - {inputs: {x: 1}, label: 0}
nodes:
  z: w * x
activation: identity
loss: mse
"""


def test_label_on_a_batch_with_labelled_examples_is_refused(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(BATCH)
    result = run_cli(str(path), "--label", "3")
    assert result.exit_code == 2
    assert "--label" in result.output and "carry their own labels" in result.output
    assert run_cli(str(path)).exit_code == 0


def test_a_variant_label_on_a_batch_with_labelled_examples_is_refused(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(BATCH + "variants:\n  flipped:\n    label: 0\n    answers: {L: 1}\n")
    for args in (("check", str(path)), (str(path), "--variant", "flipped")):
        result = run_cli(*args)
        assert result.exit_code == 2
        assert "sets a label" in result.output and "variants.flipped.label" in result.output
