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
from hwsolve.engine.graph import MAX_GRAPH_WORK, build
from hwsolve.engine.head import (attach, label_problem, label_values, structure_of,
                                 turns_zero_labels)
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


MAX_RUN_WORK = 20_000_000
"""Weighted scalar operations a batch or a training run may take (about half a minute).
Measured after the FLINT core and one graph per batch, on a shared 2-core machine: one example
trains at about 700,000 operations a second (10,000 SGD steps of mazur_2_2_2, 1.6 million, in
2.3 s), a batch at about 100,000 (289 examples of a 247-operation tape, 20 Adam steps, in 14 s):
so each operation of a batch of several examples counts BATCH_WEIGHT times."""
BATCH_WEIGHT = 6
"""How many times an operation of a batch of several examples counts (see MAX_RUN_WORK)."""
OPTIMIZER_WORK = 12
"""Scalar operations of one optimizer update of one param entry (Adam's, the most)."""


def run_work(examples: int, tape: int, entries: int, steps: int) -> int:
    """Scalar operations of ``examples`` examples of a ``tape``-operation evaluation, solved
    once and after each of ``steps`` updates of ``entries`` param entries."""
    weight = BATCH_WEIGHT if examples > 1 else 1
    return examples * tape * (steps + 1) * weight + steps * entries * OPTIMIZER_WORK


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

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.batch_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render import notebook
        return notebook.batch_markdown(self)

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
    warnings = [w for w in setup.warnings if w != ZERO_LABEL_NOTE]
    if turns_zero_labels(setup.activation, setup.loss) and 0 in flatten(label):
        chosen = _replace_zeros(label)
        warnings.append(ZERO_LABEL_NOTE)
    return replace(setup, label=chosen, label_given=label, warnings=warnings, class_index=None)


ZERO_LABEL_NOTE = ("label 0 was replaced by -1: tanh outputs lie in (-1, 1), so the negative "
                   "class is -1")


def check_labels(problem: Problem, setup: Setup, examples: list) -> Setup:
    """Each example's label gets the checks of a single problem's (bce: in [0, 1]); returns
    ``setup`` with a note when tanh read some example's label 0 as -1."""
    zeros = []
    for k, example in enumerate(examples, start=1):
        if example.label is None:
            continue
        why = label_problem(setup.loss, example.label)
        if why:
            where = f"examples[{k}].label"
            raise HwsolveError(f"example {k}: {why}", file=problem.file, where=where,
                               line=problem.lines.get(where) or example.line or None)
        if turns_zero_labels(setup.activation, setup.loss) and 0 in flatten(example.label):
            zeros.append(str(k))
    if not zeros or ZERO_LABEL_NOTE in setup.warnings:
        return setup
    which = f"example {zeros[0]}" if len(zeros) == 1 else \
        f"examples {', '.join(zeros[:10])}{', …' if len(zeros) > 10 else ''}"
    note = (f"label 0 of {which} was replaced by -1: tanh outputs lie in (-1, 1), so the "
            "negative class is -1")
    return replace(setup, warnings=[*setup.warnings, note])


def _replace_zeros(value):
    if isinstance(value, tuple):
        return tuple(_replace_zeros(v) for v in value)
    return Fraction(-1) if value == 0 else value


class Batch:
    """Every example of ``problem`` run through one compiled graph (labels in its slots)."""

    def __init__(self, problem: Problem, setup: Setup):
        self.problem = problem
        if setup.loss == "none" and problem.train is not None:
            setup = objective_setup(problem, setup)
        self.setup = setup
        self.examples = problem.examples or [Example({}, None)]
        self.setup = check_labels(problem, setup, self.examples)  # with a batch-wide note
        self.reduction = problem.reduction
        self.setups = [example_setup(setup, ex.label) for ex in self.examples]
        self._runners: dict = {}
        self.param_names = list(problem.params)
        try:
            first = Runner(problem, self.setups[0])
        except HwsolveError as exc:
            raise self._blame(1, exc) from None
        self.runners = [first]
        self.check_work(0)   # before the labels of every example
        shape = first.graph.shapes["Yhat"]
        self.labels = [self._label(k, s, shape) for k, s in enumerate(self.setups, start=1)]
        self._runners[structure_of(self.setups[0], shape)] = first
        self.runners += [self._runner(s, shape) for s in self.setups[1:]]
        n = len(self.examples)
        # num.ONE itself when nothing is scaled: num.mul passes it through untouched
        self.scale = Fraction(1, n) if self.reduction == "mean" and n > 1 else num.ONE
        self.param_names = list(problem.params)

    # ------------------------------------------------------------------ the work bound
    def work(self, steps: int = 0) -> int:
        """Scalar operations of solving the batch and training it ``steps`` steps: every
        example runs the tape (values, local derivatives, gradients) once before training and
        once after each step, and each step updates every param entry."""
        tape, entries = self.sizes()
        return run_work(len(self.examples), tape, entries, steps)

    def sizes(self) -> tuple:
        """(scalar operations of one evaluation, param entries)."""
        graph = self.runners[0].graph
        tape = sum(len(node.tape) for node in graph.programs) + len(graph.slots)
        return tape, sum(len(graph.slots_of(name)) for name in self.param_names)

    def check_work(self, steps: int = 0) -> None:
        """Refuse up front a batch (or a training run of ``steps`` steps) that would run for
        minutes: at most MAX_RUN_WORK scalar operations, the budget of one graph."""
        work = self.work(steps)
        if work <= MAX_RUN_WORK:
            return
        n, runs = len(self.examples), steps + 1
        tape, entries = self.sizes()
        fits = max(0, (MAX_RUN_WORK - steps * entries * OPTIMIZER_WORK)
                   // (tape * runs * BATCH_WEIGHT))
        what = f"{n:,} example{'s' * (n != 1)} × {runs:,} evaluation{'s' * (runs != 1)} × " \
            f"{tape:,} operations" + (f": one evaluation before training and one after each "
                                      f"of {steps:,} steps" if steps else "")
        options = []
        if steps:
            weight = BATCH_WEIGHT if n > 1 else 1
            most = max(0, MAX_RUN_WORK // (n * tape * weight + entries * OPTIMIZER_WORK) - 1)
            options.append(f"at most about {most:,} steps (train.steps or --train-steps)")
        if n > 1 and fits:
            options.append(f"at most about {fits:,} examples")
        advice = "use " + ", or ".join(options) if options else "make the graph smaller"
        where = None if steps else "examples"
        raise HwsolveError(f"this {'training run' if steps else 'batch'} is about {work:,} "
                           f"scalar operations ({what}); hwsolve runs at most {MAX_RUN_WORK:,} "
                           f"(the budget of one graph: about a minute at most): {advice}",
                           file=self.problem.file, where=where,
                           line=self.problem.lines.get(where) if where else None)

    def no_loss(self) -> HwsolveError:
        """Why a batch or a training run of a ``loss: none`` problem has nothing to work on."""
        problem = self.problem
        if problem.examples:
            what = (f"a mini-batch's L is the {self.reduction} of its examples' losses, and "
                    "loss: none gives an example no loss")
        else:
            what = "training minimises a loss, and loss: none gives this problem none"
        shape = self.runners[0].graph.shapes.get("Yhat", ())
        hint = ("give a loss (bce, mse, ...) or a loss expression that makes the vector "
                "output one number, such as 'sum(Yhat)'") if shape else \
            "give a loss (bce, mse, ...), or the loss expression '1 * Yhat' to minimise the output itself"
        where = "loss" if "loss" in problem.lines else None
        return HwsolveError(f"{what}: {hint}", file=problem.file, where=where,
                            line=problem.lines.get("loss"))

    def _label(self, k: int, setup: Setup, shape: tuple) -> dict:
        """Example ``k``'s label leaves; a label that does not fit is blamed on the example."""
        try:
            return label_values(self.problem, setup, shape)
        except HwsolveError as exc:
            raise self._blame(k, exc) from None

    def _blame(self, k: int, exc: HwsolveError) -> HwsolveError:
        """``exc`` about a label, moved to example ``k``'s own label when it has one."""
        example = self.examples[k - 1]
        if example.label is None or exc.where != "label":
            return exc
        where = f"examples[{k}].label"
        return HwsolveError(f"example {k}: {exc.message}", file=self.problem.file, where=where,
                            line=self.problem.lines.get(where) or example.line or None)

    def _runner(self, setup: Setup, shape: tuple) -> Runner:
        """The compiled graph an example runs on: one for the batch, whatever its labels (they
        go into the label slots), except one per class of a multiclass hinge."""
        key = structure_of(setup, shape)
        if key not in self._runners:
            self._runners[key] = Runner(self.problem, setup)
        return self._runners[key]

    def solve(self, params: dict | None = None) -> BatchSolution:
        """The batch at ``params`` (name -> nested value; default: the spec's)."""
        runs = []
        for example, runner, labels in zip(self.examples, self.runners, self.labels):
            leaves = {**example.inputs, **labels}
            if params:
                leaves.update(params)
            runs.append(runner.run(leaves))
        if runs[0].loss is None:
            raise self.no_loss()
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


def objective_setup(problem: Problem, setup: Setup) -> Setup:
    """``loss: none`` with a ``train:`` block: the objective minimised is the scalar output
    itself (Ŷ; f = θ² trains), i.e. the loss expression ``Yhat``.  A vector output has no
    single number to minimise: that stays an error, with the reason."""
    out = problem.output
    if setup.output_grad is not None and not isinstance(setup.output_grad, tuple):
        raise HwsolveError("training with loss: none minimises the output itself; "
                           "output_grad has no meaning there (remove it)",
                           file=problem.file, where="output_grad",
                           line=problem.lines.get("output_grad"))
    objective = replace(setup, loss="Yhat", warnings=list(setup.warnings) + [
        f"loss: none with train: the objective minimised is the output {out} itself "
        "(L = Ŷ)"])
    return objective
