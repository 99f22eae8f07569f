"""Hostile batch 3, item 34 (first part): no note was given when a training step lands exactly
on a kink.  L = ½ relu(W − 1)² at W = 1.5 has gradient 0.5; one step of lr 1 lands on W = 1,
where relu's derivative is a convention (0, as in PyTorch), and the next step uses it."""

from __future__ import annotations

import json

from conftest import run_cli

KINK = """\
title: relu lands on its kink
inputs: {X1: 1}
params: {W: 1.5}
nodes: {H: relu(W * X1 - 1)}
output: H
activation: identity
loss: mse
label: 0
"""


def test_the_step_that_lands_on_a_kink_is_noted(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text(KINK)
    result = run_cli(str(path), "--lr", "1", "--train-steps", "2", "-f", "json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.output)["train"]["notes"]
    assert any(n.startswith("after step 1, H: relu at 0") for n in notes), notes
    table = run_cli(str(path), "--lr", "1", "--train-steps", "2")
    assert table.exit_code == 0
    assert "note: after step 1, H: relu at 0" in table.output
    markdown = run_cli(str(path), "--lr", "1", "-f", "markdown")
    assert "after step 1, H: relu at 0" in markdown.output


def test_a_run_that_misses_the_kink_has_no_such_note(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text(KINK)
    result = run_cli(str(path), "--lr", "0.5", "--train-steps", "2", "-f", "json")
    assert result.exit_code == 0, result.output
    assert not any("after step" in n for n in json.loads(result.output)["train"].get(
        "notes", []))


def test_many_kinks_are_counted_not_listed(tmp_path):
    # relu(W − 1) stays at 0 from step 1 on: each later step lands on the kink again
    path = tmp_path / "k.yaml"
    path.write_text(KINK)
    result = run_cli(str(path), "--lr", "1", "--train-steps", "40", "-f", "json")
    notes = json.loads(result.output)["train"]["notes"]
    assert sum(n.startswith("after step") for n in notes) == 5
    assert "35 more kinks landed on by later training steps" in notes
