"""``--steps`` of the update step (issue 9): every optimizer's state arithmetic with the
numbers.  The problem is one weight, L = ½(w·2 − 1)², so ∇w = 2(2w − 1) by hand; the
expected lines were worked out by hand (momentum 0.9, lr 0.1) and the recorded state is
compared with torch.optim's own state buffers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ONE_WEIGHT = """title: one weight
inputs: {x: 2}
params: {w: 1}
nodes: {z: w * x}
activation: identity
loss: mse
label: 1
"""


def _steps(tmp_path, *args):
    path = tmp_path / "q.yaml"
    path.write_text(ONE_WEIGHT)
    env = {"PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    result = subprocess.run([sys.executable, "-m", "hwsolve", str(path), "--lr", "0.1",
                             "--train-steps", "2", "--steps", *args], capture_output=True,
                            text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    return [line.strip() for line in result.stdout.splitlines()]


# By hand: step 1 at w = 1 (∇w = 2), step 2 at the new w.
HAND = {
    "momentum": ["b ← ∇w (step 1) = 2", "w ← w − η·b = 1 − 0.1·2 = 0.8",
                 # w = 0.8: ∇w = 1.2, b = 0.9·2 + 1.2 = 3, w = 0.8 − 0.3
                 "b ← μ·b + ∇w = 0.9·2 + 1.2 = 3", "w ← w − η·b = 0.8 − 0.1·3 = 0.5"],
    "nesterov": ["w ← w − η·(∇w + μ·b) = 1 − 0.1·(2 + 0.9·2) = 0.62",
                 # w = 0.62: ∇w = 0.48, b = 1.8 + 0.48 = 2.28, w = 0.62 − 0.1·2.532
                 "b ← μ·b + ∇w = 0.9·2 + 0.48 = 2.28",
                 "w ← w − η·(∇w + μ·b) = 0.62 − 0.1·(0.48 + 0.9·2.28) = 0.367"],
    "adagrad": ["s ← s + ∇w² = 0 + 2² = 4",
                "w ← w − η·∇w/(√s + ε) = 1 − 0.1·2/(√4 + 1e-10) = 0.9",
                # w = 0.9: ∇w = 1.6, s = 6.56, w = 0.9 − 0.16/2.5612 = 0.8375
                "s ← s + ∇w² = 4 + 1.6² = 6.56"],
    "rmsprop": ["v ← α·v + (1 − α)·∇w² = 0.99·0 + (1 − 0.99)·2² = 0.04",
                "w ← w − η·∇w/(√v + ε) = 1 − 0.1·2/(√0.04 + 1e-8) = 5e-8"],
    "adam": ["m ← β₁·m + (1 − β₁)·∇w = 0.9·0 + (1 − 0.9)·2 = 0.2",
             "v ← β₂·v + (1 − β₂)·∇w² = 0.999·0 + (1 − 0.999)·2² = 0.004",
             # w = 0.9: ∇w = 1.6; m = 0.34, v = 0.006556; w = 0.9 − 0.1·1.789/1.811 = 0.801
             "m ← β₁·m + (1 − β₁)·∇w = 0.9·0.2 + (1 − 0.9)·1.6 = 0.34"],
}


@pytest.mark.parametrize("optimizer", sorted(HAND))
def test_steps_show_the_state_arithmetic_with_numbers(tmp_path, optimizer):
    lines = _steps(tmp_path, "--optimizer", optimizer)
    for expected in HAND[optimizer]:
        assert expected in lines, (expected, "\n".join(lines))
    assert not any("(…)" in line for line in lines)


def test_adam_update_line_and_weight_decay(tmp_path):
    lines = _steps(tmp_path, "--optimizer", "adam")
    assert any(line.startswith("w ← w − η/(1 − β₁^2)·m/(√v/√(1 − β₂^2) + ε) = 0.9 − ")
               and line.endswith(" = 0.801") for line in lines)
    # λ = 0.5: g = ∇w + λ·w = 2 + 0.5·1 = 2.5 at step 1; w = 1 − 0.1·2.5
    lines = _steps(tmp_path, "--optimizer", "sgd", "--weight-decay", "0.5")
    assert "g ← ∇w + λ·w = 2 + 0.5·1 = 2.5" in lines
    assert "w ← w − η·g = 1 − 0.1·2.5 = 0.75" in lines


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "rmsprop", "adagrad", "adam"])
def test_recorded_state_is_torch_optims_state(optimizer):
    torch = pytest.importorskip("torch")
    from fractions import Fraction

    from hwsolve.engine.batch import Batch
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.engine.train import TrainConfig, train
    from hwsolve.spec.load import load_problem_text

    problem = load_problem_text(ONE_WEIGHT, name="q.yaml")
    config = TrainConfig(optimizer, lr=Fraction(1, 10), steps=3,
                         momentum=Fraction(1, 2) if optimizer == "rmsprop" else None)
    run = train(Batch(problem, resolve_setup(problem)), config)
    w = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    kwargs = {"lr": 0.1}
    make = {"momentum": lambda: torch.optim.SGD([w], momentum=0.9, **kwargs),
            "nesterov": lambda: torch.optim.SGD([w], momentum=0.9, nesterov=True, **kwargs),
            "rmsprop": lambda: torch.optim.RMSprop([w], momentum=0.5, **kwargs),
            "adagrad": lambda: torch.optim.Adagrad([w], **kwargs),
            "adam": lambda: torch.optim.Adam([w], **kwargs)}[optimizer]()
    names = {"b": ("momentum_buffer",), "v": ("square_avg", "exp_avg_sq"), "s": ("sum",),
             "m": ("exp_avg",)}
    for step in run.steps:
        make.zero_grad()
        (0.5 * (w * 2 - 1) ** 2).backward()
        make.step()
        state = make.state[w]
        for key, value in step.state["w"].items():
            theirs = next(state[n] for n in names[key] if n in state)
            if optimizer == "rmsprop" and key == "b":
                theirs = state["momentum_buffer"]
            assert float(value) == pytest.approx(float(theirs), rel=1e-12), (step.step, key)
        assert float(step.after["w"]) == pytest.approx(w.item(), rel=1e-12)
