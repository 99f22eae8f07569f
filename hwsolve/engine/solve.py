"""Forward values, local derivatives, the output head, and reverse accumulation.

Each node is differentiated only with respect to its direct inputs (its local derivatives,
which ``--steps`` also shows); the gradient of the loss then flows back node by node in reverse
order, summing over every consumer.  Forward values and local derivatives do not depend on the
head, so :func:`evaluate` runs once per problem and :func:`solve` once per head (variant).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.engine.graph import Graph, build
from hwsolve.num import ONE, ZERO, NumericError
from hwsolve.ops.rules import RULES
from hwsolve.spec.load import Head, Problem
from hwsolve.spec.vocab import ACTIVATIONS, LOSSES

TWO = Fraction(2)


@dataclass
class Evaluation:
    """What does not depend on the head: every slot's value and every node's local derivatives."""
    graph: Graph
    values: list                 # slot -> value
    local: list                  # per node: [(input slot, ∂node/∂input)]
    kinks: list                  # per node: [sentence] for each convention applied


@dataclass
class Setup:
    """The head actually used, after variant and command-line overrides."""
    activation: str
    loss: str
    label: Fraction              # the target used (tanh turns 0 into -1)
    label_given: Fraction
    variant: str | None
    warnings: list = field(default_factory=list)


@dataclass
class HeadValues:
    z: object                    # the output node's value
    yhat: object
    loss: object
    residual: object             # Ŷ - Y
    dL_dyhat: object
    dyhat_dz: object
    dL_dz: object


@dataclass
class Solution:
    problem: Problem
    evaluation: Evaluation
    setup: Setup
    head: HeadValues
    grads: list                  # slot -> dL/dslot (ZERO for constants)
    warnings: list

    @property
    def graph(self) -> Graph:
        return self.evaluation.graph

    @functools.cached_property
    def values(self) -> dict:
        """name -> value (vectors as lists) for inputs, params, constants, nodes, Yhat, L.

        Built once, on first read: renderers read it once per column, and rebuilding it each
        time made every format quadratic in the size of the graph."""
        table = self._by_name(self.evaluation.values, include_constants=True)
        table["Yhat"] = self.head.yhat
        table["L"] = self.head.loss
        return table

    @functools.cached_property
    def grad(self) -> dict:
        """name -> dL/dname for inputs, params, nodes and Yhat (built once, on first read)."""
        table = self._by_name(self.grads, include_constants=False)
        table["Yhat"] = self.head.dL_dyhat
        return table

    def _by_name(self, per_slot: list, include_constants: bool) -> dict:
        table: dict = {}
        for number, slot in enumerate(self.graph.slots):
            if slot.kind == "constant" and not include_constants:
                continue
            if slot.index is None:
                table[slot.name] = per_slot[number]
            else:
                table.setdefault(slot.name, []).append(per_slot[number])
        return table


def evaluate(problem: Problem) -> Evaluation:
    graph = build(problem)
    values = [graph.leaf_values.get(i) for i in range(len(graph.slots))]
    evaluation = Evaluation(graph, values, [], [])
    with mpmath.workdps(num.WORK_DPS):
        for node in graph.nodes:
            try:
                computed = tape_values(node, values)
                values[node.slot] = computed[-1]
                local, kinks = _local_derivatives(node, computed)
            except NumericError as exc:
                raise HwsolveError(f"cannot evaluate node {node.name} at the given values: "
                                   f"{exc}", file=problem.file, where=f"nodes.{node.name}",
                                   line=node.line) from None
            evaluation.local.append(local)
            evaluation.kinks.append(kinks)
    return evaluation


def tape_values(node, values: list) -> list:
    """The value at every position of ``node``'s tape, given every slot's value."""
    computed: list = []
    for op, args, payload in node.tape:
        if op == "load":
            computed.append(values[payload])
        elif op == "const":
            computed.append(payload)
        else:
            computed.append(RULES[op].forward([computed[a] for a in args]))
    return computed


def _local_derivatives(node, computed: list) -> tuple:
    """Reverse mode over the node's own tape: ∂node/∂(each direct input)."""
    adjoint = [ZERO] * len(node.tape)
    adjoint[-1] = ONE
    local: dict = {}
    kinks: list = []
    for position in range(len(node.tape) - 1, -1, -1):
        op, args, payload = node.tape[position]
        if op == "load":
            if node.needs[position]:
                local[payload] = num.add(local.get(payload, ZERO), adjoint[position])
            continue
        if op == "const" or not node.needs[position]:
            continue
        arg_values = [computed[a] for a in args]
        partials, note = RULES[op].backward(arg_values, computed[position],
                                            [node.needs[a] for a in args])
        if note:
            kinks.append(note)
        for a, partial in zip(args, partials):
            if node.needs[a]:
                adjoint[a] = num.add(adjoint[a], num.mul(adjoint[position], partial))
    return [(slot, local[slot]) for slot in node.inputs if slot in local], kinks


def resolve_setup(problem: Problem, *, variant: str | None = None, activation: str | None = None,
                  loss: str | None = None, label: Fraction | None = None) -> Setup:
    """Combine spec, variant and command-line choices into the head actually used."""
    head: Head = problem.head
    if variant is not None:
        if variant not in problem.variants:
            known = ", ".join(problem.variants) or "none"
            raise HwsolveError(f"no variant {variant!r} (variants: {known})",
                               file=problem.file, where="--variant")
        head = problem.variants[variant].head
    chosen_activation = activation or head.activation
    chosen_loss = loss or head.loss
    label_given = head.label if label is None else _exact_label(label)
    if chosen_activation not in ACTIVATIONS or chosen_loss not in LOSSES:
        raise HwsolveError(f"unknown activation or loss {chosen_activation!r}/{chosen_loss!r}",
                           file=problem.file)
    setup = Setup(chosen_activation, chosen_loss, label_given, label_given, variant)
    if chosen_loss == "bce":
        if chosen_activation != "sigmoid":
            where, line = _place(problem, variant, "activation", "--act" if activation else None)
            raise HwsolveError(
                f"bce needs an output in (0, 1), but the activation is {chosen_activation}, "
                "whose output can leave (0, 1); use sigmoid with bce, or the mse loss",
                file=problem.file, where=where, line=line)
        if not 0 <= label_given <= 1:
            where, line = _place(problem, variant, "label", "--label" if label is not None
                                 else None)
            raise HwsolveError(f"bce needs a label in [0, 1], not {label_given}",
                               file=problem.file, where=where, line=line)
    if chosen_activation == "tanh" and label_given == 0:
        setup.label = Fraction(-1)
        setup.warnings.append("label 0 was replaced by -1: tanh outputs lie in (-1, 1), so "
                              "the negative class is -1")
    return setup


def _place(problem: Problem, variant: str | None, key: str, option: str | None) -> tuple:
    """Where a head choice came from: the command-line option, the variant's key or the
    spec's key, with its line."""
    if option:
        return option, None
    if variant is not None and f"variants.{variant}.{key}" in problem.lines:
        key = f"variants.{variant}.{key}"
    elif key not in problem.lines:
        key = "loss" if "loss" in problem.lines else key  # the default activation met bce
    return key, problem.lines.get(key)


def _exact_label(label) -> Fraction:
    """A label from the command line or Python code: a decimal string, a Fraction, an int, or
    a float taken by its shortest decimal text (0.1 means 1/10, as in a spec)."""
    try:
        if isinstance(label, (str, float)):
            return num.parse_decimal(repr(label) if isinstance(label, float) else label)
        return Fraction(label)
    except (ValueError, TypeError) as exc:
        raise HwsolveError(str(exc), where="--label") from None


def solve(problem: Problem, setup: Setup | None = None,
          evaluation: Evaluation | None = None) -> Solution:
    setup = setup or resolve_setup(problem)
    evaluation = evaluation or evaluate(problem)
    graph = evaluation.graph
    with mpmath.workdps(num.WORK_DPS):
        output_slot = graph.scalars[problem.output]
        try:
            head = head_values(evaluation.values[output_slot], setup)
        except NumericError as exc:
            raise HwsolveError(f"cannot evaluate the output head: {exc}", file=problem.file,
                               where="output") from None
        grads = _backpropagate(evaluation, output_slot, head.dL_dz)
    warnings = [f"{node.name}: {note}" for node, notes in zip(graph.nodes, evaluation.kinks)
                for note in notes]
    warnings += setup.warnings + _unused_nodes(problem)
    return Solution(problem, evaluation, setup, head, grads, warnings)


def _backpropagate(evaluation: Evaluation, output_slot: int, dL_dz) -> list:
    grads: list = [ZERO] * len(evaluation.graph.slots)
    grads[output_slot] = dL_dz
    slots = evaluation.graph.slots
    for node, local in zip(reversed(evaluation.graph.nodes), reversed(evaluation.local)):
        upstream = grads[node.slot]
        if not upstream:
            continue
        for slot, partial in local:
            if slots[slot].kind != "constant":
                grads[slot] = num.add(grads[slot], num.mul(upstream, partial))
    return grads


def head_values(z, setup: Setup) -> HeadValues:
    """Ŷ, L and their derivatives, with the cancellations of 1 - σ(z) and 1 - tanh(z) avoided.

    bce is computed from z as Y·softplus(-z) + (1 - Y)·softplus(z), which stays finite and
    exact to the working precision even where σ(z) rounds to 1.
    """
    y = setup.label
    if setup.activation == "sigmoid":
        yhat, complement = num.sigmoid(z), num.sigmoid(num.neg(z))
        slope = num.mul(yhat, complement)
        residual = num.sub(num.mul(ONE - y, yhat), num.mul(y, complement))
    elif setup.activation == "tanh":
        yhat, slope = num.tanh(z), num.tanh_slope(z)
        if y == 1:
            residual = num.mul(-TWO, num.sigmoid(num.mul(-TWO, z)))
        elif y == -1:
            residual = num.mul(TWO, num.sigmoid(num.mul(TWO, z)))
        else:
            residual = num.sub(yhat, y)
    else:
        yhat, slope, residual = z, ONE, num.sub(z, y)
    if setup.loss == "bce":
        loss = num.add(num.mul(y, num.softplus(num.neg(z))),
                       num.mul(ONE - y, num.softplus(z)))
        dL_dyhat = num.div(residual, num.mul(yhat, complement))
        dL_dz = residual
    else:
        loss = num.mul(Fraction(1, 2), num.mul(residual, residual))
        dL_dyhat = residual
        dL_dz = num.mul(residual, slope)
    return HeadValues(z, yhat, loss, residual, dL_dyhat, slope, dL_dz)


def _unused_nodes(problem: Problem) -> list:
    names = [node.name for node in problem.nodes]
    after = names[names.index(problem.output) + 1:]
    if not after:
        return []
    if len(after) == 1:
        return [f"node {after[0]} comes after the output {problem.output} and does not affect "
                "the loss"]
    return [f"nodes {', '.join(after)} come after the output {problem.output} and do not "
            "affect the loss"]
