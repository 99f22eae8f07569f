"""Hostile batch 3, item 23: ``generate 20 --batch 10000 --train adam`` wrote in 0.2 s a
problem that took 213 s and 1.2 GB to solve.  The solver now bounds the work of a batch and of
a training run (examples × evaluations × the tape, plus the updates) and refuses up front with
the numbers and what would fit; the generator never writes what that bound refuses."""

from __future__ import annotations

import pytest

from conftest import run_cli
from hwsolve.engine import batch as batch_module
from hwsolve.tools import generate_train
from hwsolve.tools.generate import generate_problem


def test_generate_refuses_what_the_solver_cannot_meet(tmp_path):
    target = tmp_path / "big.yaml"
    result = run_cli("generate", "20", "--batch", "10000", "--train", "adam", "-o", str(target))
    assert result.exit_code == 2
    assert "10,000 examples and 20 training steps make a run of about" in result.stderr
    assert "more than the 20,000,000 hwsolve solves; ask for at most about" in result.stderr
    assert not target.exists()
    result = run_cli("generate", "20", "--batch", "5000", "--train", "adam")
    assert result.exit_code == 2
    assert "5,000 examples and 20 training steps make a run of about" in result.stderr


def test_what_generate_writes_the_solver_accepts(write):
    from hwsolve import api
    from hwsolve.engine.solve import resolve_setup
    single = generate_problem(20, 0)
    text = generate_train.add_batch(single, 2000, 0)  # refused with 20 Adam steps
    with pytest.raises(ValueError, match=r"ask for at most about ([0-9,]+) examples") as info:
        generate_train.add_train(text, "adam")
    fits = int(str(info.value).rsplit("about ", 1)[1].split()[0].replace(",", ""))
    text = generate_train.add_train(generate_train.add_batch(single, fits, 0), "adam")
    problem = api.load(str(write(text)))
    batch = batch_module.Batch(problem, resolve_setup(problem))
    batch.check_work(20)   # does not raise
    assert batch.work(20) <= batch_module.MAX_RUN_WORK < \
        batch_module.run_work(fits + 1, *batch.sizes(), 20)


LONG = """\
title: long run
inputs: {x: 1.5}
params: {w: 0.5, b: 0.1}
nodes: {z: w*x + b}
label: 1
"""


def test_solver_refuses_a_long_run_up_front(write, monkeypatch):
    def never(self, leaves=None):
        raise AssertionError("evaluated before the work bound")
    monkeypatch.setattr(batch_module.Runner, "run", never)
    path = write(LONG)
    result = run_cli(str(path), "--optimizer", "adam", "--lr", "0.1", "--train-steps",
                     "1000000")
    assert result.exit_code == 2
    # 18 operations × 1,000,001 evaluations + 12 × 2 param entries × 1,000,000 updates
    assert "this training run is about 42,000,018 scalar operations (1 example × 1,000,001 " \
           "evaluations × 18 operations" in result.stderr
    # 20,000,000 // (18 + 24) - 1
    assert "use at most about 476,189 steps (train.steps or --train-steps)" in result.stderr


def test_solver_refuses_a_huge_batch_up_front(write, monkeypatch):
    def never(self, leaves=None):
        raise AssertionError("evaluated before the work bound")
    monkeypatch.setattr(batch_module.Runner, "run", never)
    examples = "\n".join(f"  - {{inputs: {{x: {k}}}}}" for k in range(1, 100_001))
    path = write(LONG.replace("inputs: {x: 1.5}\n", "") + "examples:\n" + examples + "\n")
    result = run_cli(str(path), "--train-steps", "20", "--lr", "0.1")
    assert result.exit_code == 2
    # a batch's operations count BATCH_WEIGHT (6) times: 100,000 × 21 × 18 × 6 + 20 × 2 × 12
    assert "100,000 examples × 21 evaluations × 18 operations" in result.stderr
    assert "hwsolve runs at most 20,000,000" in result.stderr


ROOT_OF_A_PARAM = """\
title: a square root the generator wrote
inputs:
  x: 1
params:
  w: 0.06
nodes:
  n1: w*x
  n2: sqrt(n1)
  n3: 2*n1**0.5 + (1 + n1*n1)**0.5
activation: identity
loss: mse
label: 0
"""


def same(a, b) -> bool:
    """The same values: equal rationals, and identical balls (midpoint and radius).  An arb's
    ``==`` is True only for two equal exact points, so a ball is never ``==`` to itself."""
    from flint import arb
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if type(a) is arb:
        return type(b) is arb and a.mid() == b.mid() and a.rad() == b.rad()
    return type(a) is type(b) and a == b


def test_generated_roots_stay_defined_under_training(write):
    """The generator keeps the argument of sqrt(n1) and n1**0.5 at least 0.05 where it writes
    them; Adam (lr 0.01, 20 steps) takes w below 0, so --train writes sqrt(abs(n1))."""
    from hwsolve import api
    trained = generate_train.add_train(ROOT_OF_A_PARAM, "adam")
    assert "n2: sqrt(abs(n1))" in trained
    assert "n3: 2*abs(n1)**0.5 + (1 + n1*n1)**0.5" in trained
    result = run_cli(str(write(trained, "t.yaml")), "-f", "json")
    assert result.exit_code == 0, result.output
    untouched = ROOT_OF_A_PARAM + trained[len(generate_train.trainable(ROOT_OF_A_PARAM)):]
    result = run_cli(str(write(untouched, "u.yaml")), "-f", "json")
    assert result.exit_code == 2 and "square root of a negative number" in result.stderr
    before, after = api.solve_text(ROOT_OF_A_PARAM), api.solve_text(
        generate_train.trainable(ROOT_OF_A_PARAM))
    assert same(before.values, after.values) and same(before.grad, after.grad)


def test_trainable_keeps_generated_values():
    from hwsolve import api
    text = generate_problem(60, 23)
    assert "sqrt(n27)" in text and "n31**0.5" in text
    rewritten = generate_train.trainable(text)
    assert "sqrt(abs(n27))" in rewritten and "abs(n31)**0.5" in rewritten
    before, after = api.solve_text(text), api.solve_text(rewritten)
    assert same(before.values, after.values) and same(before.grad, after.grad)
