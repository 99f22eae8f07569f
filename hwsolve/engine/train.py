"""Training runs: the optimizer's steps (:mod:`hwsolve.engine.optim`, torch.optim's rules) on a
batch, with L and Ŷ recorded per step.

Every number stays bounded from step to step (see :mod:`hwsolve.engine.optim`), so a step costs
the same at step 10 and at step 1,000,000.  Memory is bounded too: a run of up to
:data:`HISTORY_NUMBERS` numbers keeps every step's L and Ŷ; a longer one keeps a thinned record
(:class:`History`), while ``on_step`` sees every step as it happens (``--history`` writes each row
to its file then, and the terminal shows progress).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from hwsolve.engine.optim import Optimizer  # noqa: F401  (re-exported)
from hwsolve.errors import HwsolveError
from hwsolve.spec.shapes import flatten, nest
from hwsolve.spec.trainconfig import (DEFAULTS, OPTIMIZERS, SETTINGS,  # noqa: F401  (re-exported)
                                      TrainConfig, check_config)

HISTORY_NUMBERS = 150_000
"""A run keeps every step's L and Ŷ in memory (and in JSON) while that is at most this many
numbers in all (50,000 steps of a 2-output network, about 50 MB at 60 digits a number)."""
KEEP_FIRST = 1_000
"""A longer run keeps the first KEEP_FIRST steps, every k-th step (as many as the budget
allows), every tenth of the run and the last step."""
MAX_NOTES = 5
"""Kink notes of training steps listed one by one (the rest are counted)."""


class History:
    """A value per step, from step 0 (before training) to step ``total``, indexed by step:
    every step of a run of up to ``capacity`` steps, a thinned record of a longer one
    (:meth:`items` says which steps are kept; indexing a step that was not kept is an
    IndexError)."""

    def __init__(self, total: int, capacity: int, first: int | None = None):
        self.total = total
        self.first = KEEP_FIRST if first is None else max(first, KEEP_FIRST)
        self.every = 1 if total < capacity else -(-total // capacity)
        self.tenth = max(1, total // 10)
        self.steps: list = []
        self.values: list = []

    @property
    def dense(self) -> bool:
        return self.every == 1

    def keeps(self, step: int) -> bool:
        return self.every == 1 or step <= self.first or step % self.every == 0 \
            or step % self.tenth == 0 or step == self.total

    def add(self, step: int, value) -> None:
        if self.keeps(step):
            self.steps.append(step)
            self.values.append(value)

    def __len__(self) -> int:
        return self.total + 1

    def __getitem__(self, step: int):
        if step < 0:
            step += self.total + 1
        if self.every == 1:
            return self.values[step]
        at = bisect_left(self.steps, step)
        if at == len(self.steps) or self.steps[at] != step:
            raise IndexError(f"step {step} of a {self.total}-step run was not kept")
        return self.values[at]

    def __iter__(self):
        return iter(self.values)

    def items(self):
        """(step, value) for every kept step, in order."""
        return zip(self.steps, self.values)


@dataclass
class TrainStep:
    step: int                     # 1-based
    before: dict                  # name -> nested params before the step
    grad: dict                    # name -> nested gradient of the batch loss before the step
    after: dict                   # name -> nested params after the step
    state: dict                   # name -> {state name: nested} after the step
    state_before: dict = field(default_factory=dict)  # the same, before the step
    used: dict = field(default_factory=dict)  # name -> nested g the rule used (after decay)
    decayed: dict = field(default_factory=dict)  # adamw: name -> nested p·(1 − η·λ)


@dataclass
class TrainRun:
    config: TrainConfig           # resolved
    losses: History               # L before step 1, after step 1, ..., after step K
    yhats: History                # per step: Ŷ per example (nested)
    first: object                 # BatchSolution before step 1
    last: object                  # BatchSolution after step K
    steps: list = field(default_factory=list)   # TrainStep for the first few steps
    params: dict = field(default_factory=dict)  # name -> nested params after step K
    notes: list = field(default_factory=list)   # kinks landed on by a training step

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.train_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render import notebook
        return notebook.train_markdown(self)


def train(batch, config: TrainConfig, keep_steps: int = 3, on_step=None,
          keep_first: int = 0) -> TrainRun:
    """Run ``config.steps`` steps of the optimizer on ``batch`` (a :class:`Batch`).

    ``on_step(t, L, Ŷs)`` is called for step 0 (before training) and after every step; L and Ŷ
    of steps 0 to ``keep_first`` are kept however long the run (a key listing every L)."""
    batch.check_work(config.steps)  # refuses a run of minutes up front
    shapes = {name: batch.runners[0].graph.shapes[name] for name in batch.param_names}
    optimizer = Optimizer(config, shapes)
    total = config.steps
    solution = batch.solve()
    first = solution
    params = {name: flatten(solution.params[name]) for name in batch.param_names}
    per_step = 1 + sum(len(flatten(run.value_of("Yhat"))) for run in solution.runs)
    capacity = max(KEEP_FIRST, HISTORY_NUMBERS // per_step)
    losses = History(total, capacity, keep_first)
    yhats = History(total, capacity, keep_first)
    notes: list = []
    extra = 0
    _record(0, solution, losses, yhats, on_step)
    steps = []
    for t in range(1, total + 1):
        grads = {name: flatten(solution.grad[name]) for name in batch.param_names}
        before = {n: optimizer.state_of(n, shapes[n]) for n in shapes} if t <= keep_steps \
            else None
        try:
            new = optimizer.step(params, grads)
        except HwsolveError as error:
            error.file = error.file or batch.problem.file
            raise
        if t <= keep_steps:
            steps.append(TrainStep(t, _nest(params, shapes), _nest(grads, shapes),
                                   _nest(new, shapes),
                                   {n: optimizer.state_of(n, shapes[n]) for n in shapes},
                                   before, _nest(optimizer.used, shapes),
                                   _nest(optimizer.decayed, shapes)))
        params = new
        solution = batch.solve(_nest(params, shapes))
        extra += _kinks(t, solution, notes)
        _record(t, solution, losses, yhats, on_step)
    if extra:
        notes.append(f"{extra} more kink{'s' * (extra > 1)} landed on by later training steps")
    return TrainRun(optimizer.config, losses, yhats, first, solution, steps,
                    _nest(params, shapes), notes)


def _record(t: int, solution, losses: History, yhats: History, on_step) -> None:
    if on_step is None and not losses.keeps(t):
        return
    yhat = [run.value_of("Yhat") for run in solution.runs]
    losses.add(t, solution.loss)
    yhats.add(t, yhat)
    if on_step is not None:
        on_step(t, solution.loss, yhat)


def _kinks(t: int, solution, notes: list) -> int:
    """A note for each kink (relu at 0, a tie of max, ...) that the params after step ``t``
    land on exactly: the derivative there is a convention, and the next step uses it.  Past
    MAX_NOTES notes, the kinks are only counted (the count is returned)."""
    runs = solution.runs
    many = len(runs) > 1
    extra = 0
    for k, run in enumerate(runs, start=1):
        if not any(run.kinks):
            continue
        for node, found in zip(run.runner.graph.programs, run.kinks):
            for note in found:
                if len(notes) < MAX_NOTES:
                    notes.append(f"after step {t}, {node.label}{f'@{k}' if many else ''}: "
                                 f"{note}")
                else:
                    extra += 1
    return extra


def _nest(flat: dict, shapes: dict) -> dict:
    return {name: nest(list(values), shapes[name]) for name, values in flat.items()}


def no_params(problem) -> HwsolveError:
    return HwsolveError("training needs params to update, and this problem has none",
                        file=problem.file, where="params", line=problem.lines.get("params"))
