"""Mini-batches: one graph, many examples, one batch loss.

The graph and its head are built once (:class:`Runner`); each run only puts new leaf values
(an example's inputs, the current params) into the slots and re-evaluates the tapes, so a batch
or a training run never re-parses the spec.  The batch loss is the mean (``reduction: mean``,
the default) or the sum of the examples' losses, and every gradient is of that batch loss:
with the mean, each example's own gradient is scaled by 1/n.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction


from hwsolve import num
from hwsolve.engine.graph import build
from hwsolve.engine.head import attach
from hwsolve.engine.solve import (Evaluation, Setup, Solution, _backpropagate, _facade, _run,
                                  _unused_nodes)
from hwsolve.errors import HwsolveError
from hwsolve.num import ZERO
from hwsolve.spec.shapes import flatten, nest
from hwsolve.spec.load import Problem
from hwsolve.spec.trainspec import Example  # noqa: F401  (spec data; re-exported)


@dataclass
class Run:
    """One evaluation of the graph with its head: values, local derivatives and gradients per
    slot (gradients of this run's own loss)."""
    runner: "Runner"
    values: list
    local: list
    kinks: list
    grads: list

    @property
    def loss(self):
        slot = self.runner.head.loss
        return self.values[slot] if slot is not None else None

    def value_of(self, name: str):
        graph = self.runner.graph
        return nest([self.values[s] for s in graph.slots_of(name)], graph.shapes[name])

    def grad_of(self, name: str):
        graph = self.runner.graph
        return nest([self.grads[s] for s in graph.slots_of(name)], graph.shapes[name])

    def solution(self, problem: Problem, setup: Setup) -> Solution:
        """The run as a :class:`Solution`, for the renderers of a single problem."""
        graph, slots = self.runner.graph, self.runner.head
        full = Evaluation(graph, self.values, self.local, self.kinks)
        programs = graph.programs
        warnings = [f"{node.label}: {note}" for node, notes in zip(programs, self.kinks)
                    for note in notes]
        warnings += setup.warnings + _unused_nodes(problem)
        body = self.runner.body
        view = Evaluation(body, self.values, self.local[:len(body.nodes)],
                          self.kinks[:len(body.nodes)])
        return Solution(problem, view, setup, _facade(full, slots, self.grads), self.grads,
                        warnings, slots, full)


class Runner:
    """The graph of ``problem`` with the head of ``setup``, compiled once."""

    def __init__(self, problem: Problem, setup: Setup, values: dict | None = None):
        self.problem = problem
        self.setup = setup
        self.body = build(problem, values if values is not None else setup.values)
        self.graph, self.head = attach(self.body, setup)
        self.base = [self.graph.leaf_values.get(i) for i in range(len(self.graph.slots))]

    def run(self, leaves: dict | None = None) -> Run:
        """Evaluate with ``leaves`` (name -> value, same shapes) in place of the spec's."""
        values = list(self.base)
        graph = self.graph
        for name, value in (leaves or {}).items():
            for slot, entry in zip(graph.slots_of(name), flatten(value)):
                values[slot] = entry
        evaluation = Evaluation(graph, values, [], [])
        _run(evaluation, graph.programs, self.problem)
        grads = _backpropagate(evaluation, self.head.seeds)  # at num's own precision
        return Run(self, values, evaluation.local, evaluation.kinks, grads)


@dataclass
class BatchSolution:
    problem: Problem
    setup: Setup
    reduction: str
    runs: list                    # Run per example (gradients of the example's own loss)
    setups: list                  # Setup per example (its label)
    loss: object                  # the batch loss
    grad: dict                    # param name -> gradient of the batch loss (nested)
    scale: Fraction               # 1/n for mean, 1 for sum
    params: dict = field(default_factory=dict)   # name -> value used (nested)

    def example(self, k: int) -> Solution:
        """Example ``k`` (1-based) as a single problem, gradients of its own loss."""
        return self.runs[k - 1].solution(self.problem, self.setups[k - 1])

    def example_grad(self, k: int, name: str):
        """d(batch loss)/d(name) in example ``k``: the example's own gradient times 1/n."""
        own = flatten(self.runs[k - 1].grad_of(name))
        shape = self.runs[k - 1].runner.graph.shapes[name]
        return nest([num.mul(self.scale, g) for g in own], shape)


def example_setup(setup: Setup, label) -> Setup:
    """``setup`` with an example's label; under tanh a label 0 is -1, as for one problem."""
    if label is None:
        return setup
    chosen = label
    warnings = list(setup.warnings)
    if setup.activation == "tanh" and setup.loss in ("mse", "bce") and 0 in flatten(label):
        chosen = _replace_zeros(label)
    return replace(setup, label=chosen, label_given=label, warnings=warnings, class_index=None)


def _replace_zeros(value):
    if isinstance(value, tuple):
        return tuple(_replace_zeros(v) for v in value)
    return Fraction(-1) if value == 0 else value


class Batch:
    """Every example of ``problem`` run through one compiled graph per distinct label."""

    def __init__(self, problem: Problem, setup: Setup):
        self.problem = problem
        self.setup = setup
        self.examples = problem.examples or [Example({}, None)]
        self.reduction = problem.reduction
        self.setups = [example_setup(setup, ex.label) for ex in self.examples]
        self._runners: dict = {}
        self.runners = [self._runner(s) for s in self.setups]
        n = len(self.examples)
        self.scale = Fraction(1, n) if self.reduction == "mean" else Fraction(1)
        self.param_names = list(problem.params)

    def _runner(self, setup: Setup) -> Runner:
        key = repr(setup.label)
        if key not in self._runners:
            self._runners[key] = Runner(self.problem, setup)
        return self._runners[key]

    def solve(self, params: dict | None = None) -> BatchSolution:
        """The batch at ``params`` (name -> nested value; default: the spec's)."""
        runs = []
        for example, runner in zip(self.examples, self.runners):
            leaves = dict(example.inputs)
            if params:
                leaves.update(params)
            runs.append(runner.run(leaves))
        if runs[0].loss is None:
            raise HwsolveError("a batch needs a loss to reduce (loss: none has none)",
                               file=self.problem.file, where="examples",
                               line=self.problem.lines.get("examples"))
        total = ZERO
        for run in runs:
            total = num.add(total, run.loss)
        loss = num.mul(self.scale, total)
        grad = {}
        for name in self.param_names:
            summed = None
            for run in runs:
                entries = [run.grads[s] for s in run.runner.graph.slots_of(name)]
                summed = entries if summed is None else \
                    [num.add(a, b) for a, b in zip(summed, entries)]
            grad[name] = nest([num.mul(self.scale, g) for g in summed],
                              runs[0].runner.graph.shapes[name])
        used = params or {name: runs[0].value_of(name) for name in self.param_names}
        return BatchSolution(self.problem, self.setup, self.reduction, runs, self.setups,
                             loss, grad, self.scale, dict(used))
