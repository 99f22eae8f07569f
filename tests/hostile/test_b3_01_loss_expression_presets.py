"""Hostile batch 3, item 1: a loss expression skipped the activation and label checks of the
presets it names and computed the wrong L ("bce + 0" under tanh took the bce of σ(z), not of
Ŷ = tanh(z); "cross_entropy + 0" on a sigmoid scalar gave L = 0; "hinge + 0" with sigmoid gave
max(0, 1 − σ(z))).  An expression now needs whatever its presets need: exit 2, naming the
preset, the activation key and its line."""

from __future__ import annotations

import pytest

from conftest import run_cli, spec

CASES = [
    ("tanh", "bce + 0", "1", "bce needs an output in (0, 1), but the activation is tanh"),
    ("sigmoid", "cross_entropy + 0", "1", "cross_entropy needs activation: softmax, not sigmoid"),
    ("sigmoid", "hinge + 0", "1", "hinge needs activation: identity, not sigmoid"),
    ("softmax", "0.5 * bce", "1", "with softmax use the cross_entropy loss"),
    ("identity", "mse + 2 * bce", "1", "the activation is identity"),
]


@pytest.mark.parametrize("act, loss, label, fragment", CASES)
def test_expression_needs_its_presets_activation(write, act, loss, label, fragment):
    nodes = "{z: W*X1}" if act != "softmax" else "{z: '[W*X1, X2]'}"
    path = write(spec(nodes, label=label, extra=f'activation: {act}\nloss: "{loss}"\n'))
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert f"(the loss '{loss}' uses" in result.stderr
    assert "at activation" in result.stderr and "line 6" in result.stderr


def test_command_line_activation_is_blamed(write):
    path = write(spec("{z: W*X1}", extra='loss: "bce + 0.01 * W ** 2"\n'))
    assert run_cli(str(path), "-f", "json").exit_code == 0
    result = run_cli(str(path), "--act", "tanh")
    assert result.exit_code == 2
    assert "at --act: bce needs an output in (0, 1)" in result.stderr


def test_expression_label_range(write):
    path = write(spec("{z: W*X1}", label="2", extra='loss: "bce + 0.01 * W ** 2"\n'))
    result = run_cli(str(path))
    assert result.exit_code == 2
    assert "at label: bce needs a label in [0, 1], not 2" in result.stderr


def test_expression_under_tanh_reads_label_zero_as_minus_one(write):
    """mse inside an expression reads a label 0 as -1 under tanh, as the preset does: by hand,
    X1 = 2, W = 1.5: Ŷ = tanh(3), L = ½(tanh(3) + 1)² (+ 0)."""
    import json
    import math
    path = write(spec("{z: W*X1}", label="0", extra='activation: tanh\nloss: "mse + 0"\n'))
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["label"] == -1
    assert math.isclose(document["values"]["L"], 0.5 * (math.tanh(3) + 1) ** 2, rel_tol=1e-15)
    assert any("label 0 was replaced by -1" in w for w in document["warnings"])
