"""``--verify`` of every shipped batch and training problem beside torch.optim (issue 9): the
reference is PyTorch's own autograd and optimizer on the file's YAML, so an agreement here
is between two independent computations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ["mazur_2_2_2_train", "batch_xor_momentum", "batch_xor_nesterov_sum",
            "regression_rmsprop", "regression_adagrad_sum", "softmax_adam"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "hwsolve", *args], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("name", TRAINING)
def test_verify_passes_for_every_shipped_training_problem(name):
    pytest.importorskip("torch")
    result = _cli(name, "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every entry agrees" in result.stdout
    assert "L after step 0" in result.stdout


def test_verify_follows_the_command_line_settings():
    # mazur_2_2_2_train's nodes are not in alphabetical order (net_h before h): the PyTorch
    # side must keep the file's order.  Three Adam steps from the command line.
    pytest.importorskip("torch")
    result = _cli("mazur_2_2_2_train", "--verify", "--optimizer", "adam", "--lr", "0.1",
                  "--train-steps", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "adam beside torch.optim float64, 3 steps" in result.stdout
    assert "L after step 3" in result.stdout


def test_verify_of_a_plain_batch_checks_the_batch_gradient(tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "b.yaml"
    path.write_text("title: two examples\nparams: {w: [0.5, -0.25], b: 0.1}\n"
                    "examples:\n"
                    "  - {inputs: {x: [1, 2]}, label: 1}\n"
                    "  - {inputs: {x: [-1, 0.5]}, label: 0}\n"
                    "nodes: {z: w @ x + b}\nactivation: sigmoid\nloss: bce\n")
    result = _cli(str(path), "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "batch beside torch.optim float64, 0 steps" in result.stdout
