"""AdamW (issue 19): torch.optim.AdamW's decoupled weight decay, by hand and beside PyTorch."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from hwsolve import num
from hwsolve.engine.batch import Batch
from hwsolve.engine.solve import resolve_setup
from hwsolve.engine.train import TrainConfig, train
from hwsolve.spec.load import load_problem_text
from hwsolve.tools.generate import generate_problem
from hwsolve.tools.generate_train import add_batch, add_train

ROOT = Path(__file__).resolve().parents[1]
ONE_PARAM = """
title: one weight
params: {w: 1}
inputs: {x: 2}
nodes: {z: w * x}
activation: identity
loss: mse
label: 3
"""


def test_one_adamw_step_by_hand():
    # L = ½(2w − 3)², so g = 2(2w − 3) = −2 at w = 1.  AdamW (lr 0.1, λ 0.5, PyTorch's betas
    # and eps): w ← 1·(1 − 0.1·0.5) = 0.95 first; m = 0.1·g, v = 0.001·g², so the bias-corrected
    # m̂ = g and √v̂ = |g| = 2: w ← 0.95 − 0.1·(−2)/(2 + 1e-8) = 0.95 + 0.2/(2 + 1e-8).
    problem = load_problem_text(ONE_PARAM)
    run = train(Batch(problem, resolve_setup(problem)),
                TrainConfig("adamw", lr=Fraction(1, 10), weight_decay=Fraction(1, 2)))
    expected = Fraction(95, 100) + Fraction(2, 10) / (2 + Fraction(1, 10 ** 8))
    assert num.fmt_sig(run.params["w"], 40) == num.fmt_sig(expected, 40)
    step = run.steps[0]
    assert step.decayed["w"] == Fraction(95, 100)
    # adam's coupled decay would use g + λw = −1.5 instead, and no shrink: 1 + 0.1·1.5/(1.5+ε)
    adam = train(Batch(problem, resolve_setup(problem)),
                 TrainConfig("adam", lr=Fraction(1, 10), weight_decay=Fraction(1, 2)))
    assert num.fmt_sig(adam.params["w"], 12) != num.fmt_sig(run.params["w"], 12)


def test_adamw_defaults_are_torchs():
    config = TrainConfig("adamw").resolved()
    assert config.weight_decay == Fraction(1, 100)
    assert config.lr == Fraction(1, 1000) and config.eps == Fraction(1, 10 ** 8)
    assert config.betas == (Fraction(9, 10), Fraction(999, 1000))
    assert TrainConfig("adam").resolved().weight_decay == 0


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_adamw_agrees_with_torch_optim_adamw_and_not_with_adam(seed):
    torch = pytest.importorskip("torch")
    from hwsolve.tools.verify_train import torch_training

    text = add_train(add_batch(generate_problem(6, seed), 3, seed), "adamw")
    problem = load_problem_text(text, name=f"gen{seed}")
    setup = resolve_setup(problem)
    run = train(Batch(problem, setup), problem.train)
    reference = torch_training(text, setup, run.config, 20)
    for ours, (theirs, *_) in zip(run.losses, reference):
        assert float(ours) == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    for name, value in run.params.items():
        theirs = torch.tensor(reference[-1][1][name], dtype=torch.float64).flatten().tolist()
        ours = [float(x) for x in num_flat(value)]
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    # the same settings under Adam (weight decay added to the gradient) give another run
    coupled = TrainConfig("adam", lr=run.config.lr, weight_decay=run.config.weight_decay,
                          steps=20).resolved()
    other = torch_training(text, setup, coupled, 20)
    assert abs(other[-1][0] - reference[-1][0]) > 1e-6 * abs(reference[-1][0])


def num_flat(value):
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in num_flat(v)]
    return [value]


def test_cli_adamw_shows_its_decay_and_verifies():
    pytest.importorskip("torch")
    env = {"PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    shown = subprocess.run([sys.executable, "-m", "hwsolve", "mazur_2_2_2", "--optimizer",
                            "adamw", "--lr", "0.1", "--steps"], capture_output=True, text=True,
                           cwd=ROOT, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "weight_decay = 0.01" in shown.stdout
    assert "(decoupled weight decay) = 0.15·(1 − 0.1·0.01)" in shown.stdout
    verified = subprocess.run([sys.executable, "-m", "hwsolve", "mazur_2_2_2", "--optimizer",
                               "adamw", "--lr", "0.1", "--weight-decay", "0.3",
                               "--train-steps", "5", "--verify"], capture_output=True,
                              text=True, cwd=ROOT, env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "adamw beside torch.optim float64" in verified.stdout
    assert "every entry agrees" in verified.stdout
