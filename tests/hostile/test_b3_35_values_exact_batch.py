"""Hostile batch 3, item 35 (the --values and --exact part): on a batch or with training both
were silently ignored.  They are now honoured wherever one problem is shown (a trained problem
without examples, or --example K of a batch) and refused with a reason on a whole batch.

Expected numbers by hand (problems/batch_xor_momentum.yaml, example 2: x = [0, 1]):
W1 @ x + b1 = [-0.4 + 0.1, 0.8 - 0.1] = [-0.3, 0.7], so h = [-tanh(3/10), tanh(7/10)]
(-0.291, 0.604).  The closed forms once used example 1's inputs: h[1] = tanh(1/10)."""

from __future__ import annotations

import json

import pytest

from conftest import PROBLEMS, run_cli

BATCH = str(PROBLEMS / "batch_xor_momentum.yaml")
TRAINED = str(PROBLEMS / "mazur_2_2_2_train.yaml")


@pytest.mark.parametrize("flag, what", [("--values", "every forward value"),
                                        ("--exact", "the closed forms")])
@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_whole_batch_refuses(flag, what, fmt):
    result = run_cli(BATCH, flag, "-f", fmt)
    assert result.exit_code == 2
    assert f"at {flag}: {flag} shows {what}" in result.stderr
    assert "this is a batch of 4 examples, each with its own: add --example K (1 to 4)" \
        in result.stderr


def test_values_of_a_trained_problem():
    result = run_cli(TRAINED, "--values", "--width", "120")
    assert result.exit_code == 0, result.output
    assert "Forward values and gradients" in result.stdout
    assert "W1[1, 1]" in result.stdout and "3/20" in result.stdout   # exact beside 0.15
    assert "Training: sgd" in result.stdout


def test_values_of_a_batch_example():
    result = run_cli(BATCH, "--values", "--example", "2", "--width", "120")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["h[1]", "node", "-0.291"] in [row[:3] for row in rows]
    assert ["x[2]", "input", "1"] in [row[:3] for row in rows]


def test_exact_of_a_batch_example_uses_its_own_inputs():
    result = run_cli(BATCH, "--exact", "--example", "2", "--width", "120")
    assert result.exit_code == 0, result.output
    assert "Closed forms" in result.stdout
    assert "-tanh(3/10)" in result.stdout and "tanh(7/10)" in result.stdout
    assert "tanh(1/10)" not in result.stdout


def test_exact_json_and_markdown_of_a_trained_problem():
    result = run_cli(TRAINED, "--exact", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["closed_forms"]["h[1]"]["text"] == "1/(1 + e^(-151/400))"
    assert "train" in document
    result = run_cli(TRAINED, "--exact", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert "#### Closed forms" in result.stdout and "### Training: sgd" in result.stdout


def test_exact_latex_of_a_training_run_refuses():
    result = run_cli(TRAINED, "--exact", "-f", "latex")
    assert result.exit_code == 2
    assert "--exact with --format latex of a batch or a training run is not supported" \
        in result.stderr
