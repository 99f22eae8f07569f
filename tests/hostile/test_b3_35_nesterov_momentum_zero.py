"""Hostile batch 3, item 35 (nesterov): nesterov with momentum 0 was silently run as plain
steps; torch.optim.SGD refuses it ("Nesterov momentum requires a momentum and zero
dampening"), and so does hwsolve now, from the command line and from the file."""

from __future__ import annotations

from conftest import run_cli


def test_nesterov_momentum_zero_on_the_command_line():
    result = run_cli("problems/mazur_2_2_2.yaml", "--optimizer", "nesterov", "--momentum", "0")
    assert result.exit_code == 2, result.output
    assert "at --momentum: nesterov needs a momentum above 0" in result.output


def test_nesterov_momentum_zero_in_the_file(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text("title: t\ninputs: {x: 1}\nparams: {w: 1}\nnodes: {z: w * x}\n"
                    "activation: identity\nloss: mse\nlabel: 1\n"
                    "train: {optimizer: nesterov, momentum: 0, lr: 0.1}\n")
    result = run_cli(str(path))
    assert result.exit_code == 2, result.output
    assert "train.momentum" in result.output and "nesterov needs a momentum above 0" \
        in result.output
    assert "line 8" in result.output


def test_nesterov_with_momentum_still_trains():
    result = run_cli("problems/mazur_2_2_2.yaml", "--optimizer", "nesterov", "--momentum",
                     "0.5", "-f", "json")
    assert result.exit_code == 0, result.output
