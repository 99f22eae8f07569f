"""Hostile batch 3, item 29: command-line training options were blamed on the file ("at
train.momentum") and their numbers shown as fractions ("not -1/10").  The option is named, with
the number as written."""

from __future__ import annotations

from conftest import run_cli

PROBLEM = "problems/mazur_2_2_2.yaml"


def test_momentum_on_sgd_names_the_option():
    result = run_cli(PROBLEM, "--momentum", "0.9")
    assert result.exit_code == 2, result.output
    assert "at --momentum: sgd has no setting 'momentum'" in result.output
    assert "train.momentum" not in result.output and "mazur_2_2_2.yaml" not in result.output


def test_negative_learning_rate_is_shown_as_written():
    result = run_cli(PROBLEM, "--lr", "-0.1")
    assert result.exit_code == 2, result.output
    assert "at --lr: the learning rate must be at least 0, not -0.1" in result.output
    assert "1/10" not in result.output


def test_betas_and_alpha_from_the_command_line():
    result = run_cli(PROBLEM, "--optimizer", "adam", "--betas", "0.9,1")
    assert result.exit_code == 2 and "at --betas:" in result.output, result.output
    result = run_cli(PROBLEM, "--optimizer", "rmsprop", "--alpha", "1.5")
    assert result.exit_code == 2 and "at --alpha: alpha must lie in [0, 1], not 1.5" \
        in result.output, result.output


def test_a_bad_setting_in_the_file_still_names_the_file(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("title: t\ninputs: {x: 1}\nparams: {w: 1}\nnodes: {z: w * x}\n"
                    "activation: identity\nloss: mse\nlabel: 1\n"
                    "train: {optimizer: sgd, lr: -0.25}\n")
    result = run_cli(str(path))
    assert result.exit_code == 2, result.output
    assert "t.yaml" in result.output and "train.lr" in result.output
    assert "not -0.25" in result.output
