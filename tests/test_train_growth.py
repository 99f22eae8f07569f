"""Issue 15: no number of a training run grows from step to step, and a long run keeps a
bounded record of its curve (issue 20, item 24)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hwsolve import num
from hwsolve.engine import train as training
from hwsolve.engine.batch import Batch
from hwsolve.engine.optim import Optimizer
from hwsolve.engine.solve import resolve_setup
from hwsolve.engine.train import TrainConfig, train
from hwsolve.spec.load import load_problem_text

LINEAR = """
title: linear regression, exact
params: {w: [0.2, -0.3], b: 0.1}
examples:
  - {inputs: {x: [1, 2]}, label: 1.5}
  - {inputs: {x: [-1, 0.5]}, label: -0.5}
  - {inputs: {x: [2, -1]}, label: 2}
nodes: {y: w @ x + b}
activation: identity
loss: mse
"""


def _batch():
    problem = load_problem_text(LINEAR)
    return Batch(problem, resolve_setup(problem))


def _size(x) -> int:
    return max(x.numerator.bit_length(), x.denominator.bit_length()) if num.is_exact(x) else 0


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_no_exact_number_grows_past_the_cap(optimizer):
    batch = _batch()
    seen = []
    original = Optimizer.step

    def step(self, params, grads):
        out = original(self, params, grads)
        seen.extend(x for values in out.values() for x in values)
        seen.extend(x for state in self.state.values() for values in state.values()
                    for x in values)
        seen.extend(self.powers)
        return out

    Optimizer.step = step
    try:
        run = train(batch, TrainConfig(optimizer, lr=Fraction(1, 100), steps=150))
    finally:
        Optimizer.step = original
    assert max(map(_size, seen)) <= num.TRAIN_EXACT_BITS
    # the first steps of a rational run stay exact (sgd and momentum; adam's √ is irrational)
    if optimizer != "adam":
        assert num.is_exact(run.losses[3])
    assert not num.is_exact(run.losses[-1])  # ... and the long run continues rounded


def test_a_rounded_run_agrees_with_the_exact_run():
    # 80 steps of sgd kept exact (a huge cap; more would pass num's own 2048-bit cap of
    # rationals) against the bounded run: same L to 40 digits
    exact_cap = num.TRAIN_EXACT_BITS
    config = TrainConfig("sgd", lr=Fraction(1, 10), steps=80)
    bounded = train(_batch(), config).losses[-1]
    try:
        num.TRAIN_EXACT_BITS = 10 ** 9
        exact = train(_batch(), config).losses[-1]
    finally:
        num.TRAIN_EXACT_BITS = exact_cap
    assert num.is_exact(exact) and not num.is_exact(bounded)
    assert num.fmt_sig(bounded, 40) == num.fmt_sig(exact, 40)


def test_a_long_run_keeps_a_thinned_record(monkeypatch):
    monkeypatch.setattr(training, "HISTORY_NUMBERS", 40)
    monkeypatch.setattr(training, "KEEP_FIRST", 20)
    seen = []
    config = TrainConfig("sgd", lr=Fraction(1, 100), steps=500)
    run = train(_batch(), config, on_step=lambda t, loss, yhats: seen.append((t, loss)))
    assert [t for t, _ in seen] == list(range(501))  # every step is streamed
    assert len(run.losses) == 501 and not run.losses.dense
    kept = dict(run.losses.items())
    assert len(kept) < 150
    assert {0, 1, 20, 50, 100, 250, 500} <= set(kept)
    for t, loss in seen:
        if t in kept:
            assert kept[t] is loss
    assert run.losses[-1] is seen[-1][1]
    with pytest.raises(IndexError):
        run.losses[21 if 21 not in kept else 23]
