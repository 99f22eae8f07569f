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

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.engine import precision
from hwsolve.engine.graph import Graph, build
from hwsolve.num import ONE, ZERO, NumericError
from hwsolve.ops.rules import RULES
from hwsolve.spec.load import Head, Problem
from hwsolve.spec.shapes import flatten, nest
from hwsolve.engine.head import attach
from hwsolve.spec.vocab import ACTIVATIONS, LOSSES

TWO = Fraction(2)
_VALUE_KINDS = frozenset(("input", "param", "constant", "node", "yhat", "loss"))
_GRAD_KINDS = frozenset(("input", "param", "node", "yhat"))


@dataclass
class Evaluation:
    """What does not depend on the head: every slot's value and every node's local derivatives."""
    graph: Graph
    values: list                 # slot -> value
    local: list                  # per node: [(input slot, ∂node/∂input)]
    kinks: list                  # per node: [sentence] for each convention applied
    bits: int = num.WORK_BITS    # the precision that decided every tie and zero
    overrides: dict | None = None   # the leaf values given by name (a variant's), if any


@dataclass
class Setup:
    """The head actually used, after variant and command-line overrides."""
    activation: str
    loss: str                    # a preset of LOSSES, or a loss expression
    label: object                # the target used (tanh turns 0 into -1): a value, or None
    label_given: object
    variant: str | None
    warnings: list = field(default_factory=list)
    output_grad: object = None   # loss: none with a vector output: the upstream gradient
    class_index: int | None = None   # cross_entropy/hinge with a class-number label
    values: dict | None = None       # a variant's inputs, params or constants, by name


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
    evaluation: Evaluation       # over the graph with its head (Yhat, Y, L)
    setup: Setup
    head: HeadValues
    grads: list                  # slot -> dL/dslot (ZERO for constants and labels)
    warnings: list
    head_slots: object = None
    full: Evaluation | None = None   # the graph with its head: Yhat, Y and L as slots

    # Jupyter and the REPL: the renderer is imported when a display is asked for, never at
    # import time (the engine does not depend on the renderers).
    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.solution_repr(self)

    def _repr_html_(self):
        from hwsolve.render import notebook
        return notebook.solution_html(self)

    def _repr_markdown_(self):
        from hwsolve.render import notebook
        return notebook.solution_markdown(self)

    @property
    def graph(self) -> Graph:
        return self.evaluation.graph

    @functools.cached_property
    def values(self) -> dict:
        """name -> value (vectors as lists, matrices as lists of rows) for inputs, params,
        constants, nodes, Yhat and L (absent with loss: none).  Built once, on first read:
        renderers read it once per column, and rebuilding it each time made every format
        quadratic in the size of the graph."""
        return self._by_name(self.full.values, _VALUE_KINDS)

    @functools.cached_property
    def grad(self) -> dict:
        """name -> dL/dname for inputs, params, nodes and Yhat (built once, on first read)."""
        return self._by_name(self.grads, _GRAD_KINDS)

    def _by_name(self, per_slot: list, kinds: frozenset) -> dict:
        table: dict = {}
        graph = self.full.graph
        for number, slot in enumerate(graph.slots):
            if slot.kind not in kinds:
                continue
            if slot.index is None:
                table[slot.name] = per_slot[number]
            elif slot.name not in table:
                table[slot.name] = nest([per_slot[s] for s in graph.vectors[slot.name]],
                                        graph.shapes[slot.name])
        return table


def evaluate(problem: Problem, values: dict | None = None,
             bits: int = num.WORK_BITS) -> Evaluation:
    """Forward values and local derivatives of the spec's nodes, at ``bits`` or more (see
    _evaluate); ``values`` replaces leaf values by name (a variant's, or a training step's)."""
    evaluation = _evaluate(build(problem, values), bits)
    evaluation.overrides = values or None
    return evaluation


def _evaluate(graph: Graph, bits: int) -> Evaluation:
    """Forward values and local derivatives at ``bits``; while a sum cancels below rounding
    (a tie or zero this precision cannot decide), again from the exact leaves at twice the
    bits, up to precision.TOP_BITS (see :mod:`hwsolve.engine.precision`)."""
    while True:
        with num.precision(bits):
            evaluation, undecided = _forward(graph)
        evaluation.bits = bits
        if not undecided:
            return evaluation
        if precision.next_bits(bits) is None:
            precision.settle(evaluation, undecided, tape_values, _local_derivatives)
            return evaluation
        bits = precision.next_bits(bits)


def _forward(graph: Graph) -> tuple:
    values = [graph.leaf_values.get(i) for i in range(len(graph.slots))]
    evaluation = Evaluation(graph, values, [], [])
    undecided = _run(evaluation, graph.nodes, graph.problem)
    return evaluation, undecided


def _run(evaluation: Evaluation, programs: list, problem: Problem) -> list:
    """Values and local derivatives of ``programs``, appended to ``evaluation``; returns the
    indices (in ``evaluation.local``) of the programs whose sums cancelled below rounding."""
    values = evaluation.values
    undecided = []
    for node in programs:
        mark = num.cancellations()
        try:
            computed = tape_values(node, values)
            values[node.slot] = computed[-1]
            local, kinks = _local_derivatives(node, computed)
        except NumericError as exc:
            where = f"nodes.{node.name}" if f"nodes.{node.name}" in problem.lines else \
                ("loss" if node.name == "L" else "activation")
            what = f"node {node.label}" if where.startswith("nodes.") else node.label
            raise HwsolveError(f"cannot evaluate {what} at the given values: {exc}",
                               file=problem.file, where=where,
                               line=node.line or problem.lines.get(where)) from None
        evaluation.local.append(local)
        evaluation.kinks.append(kinks)
        if num.cancellations() != mark:
            undecided.append(len(evaluation.local) - 1)
    return undecided


def tape_values(node, values: list) -> list:
    """The value at every position of ``node``'s tape, given every slot's value."""
    computed: list = []
    for op, args, payload in node.tape:
        if op == "load":
            computed.append(values[payload])
        elif op == "const":
            computed.append(payload)
        elif payload is None:
            computed.append(RULES[op].forward([computed[a] for a in args]))
        else:
            computed.append(RULES[op].forward([computed[a] for a in args], payload))
    return computed


def _local_derivatives(node, computed: list, override: dict | None = None) -> tuple:
    """Reverse mode over the node's own tape: ∂node/∂(each direct input).  ``override`` maps a
    tape position to partials used there instead of the op's own (the grader asks what a
    flipped kink branch or a left-out σ′ would have given)."""
    adjoint = [ZERO] * len(node.tape)
    adjoint[-1] = ONE
    local: dict = {}
    kinks: list = []
    for position in range(len(node.tape) - 1, -1, -1):
        op, args, payload = node.tape[position]
        if op == "load":
            if node.needs[position]:
                local[payload] = num.accumulate(local.get(payload, ZERO), adjoint[position])
            continue
        if op == "const" or not node.needs[position]:
            continue
        arg_values = [computed[a] for a in args]
        arg_needs = [node.needs[a] for a in args]
        if override and position in override:
            partials, note = override[position], None
        elif payload is None:
            partials, note = RULES[op].backward(arg_values, computed[position], arg_needs)
        else:
            partials, note = RULES[op].backward(arg_values, computed[position], arg_needs,
                                                payload)
        if note:
            kinks.append(note)
        for a, partial in zip(args, partials):
            if node.needs[a] and partial is not None:
                adjoint[a] = num.accumulate(adjoint[a], num.mul(adjoint[position], partial))
    return [(slot, local[slot]) for slot in node.inputs if slot in local], kinks


def resolve_setup(problem: Problem, *, variant: str | None = None, activation: str | None = None,
                  loss: str | None = None, label=None) -> Setup:
    """Combine spec, variant and command-line choices into the head actually used."""
    head: Head = problem.head
    values = None
    if variant is not None:
        if variant not in problem.variants:
            known = ", ".join(problem.variants) or "none"
            raise HwsolveError(f"no variant {variant!r} (variants: {known})",
                               file=problem.file, where="--variant")
        head = problem.variants[variant].head
        values = problem.variants[variant].values or None
    chosen_activation = activation or head.activation
    chosen_loss = loss or head.loss
    label_given = head.label if label is None else _exact_label(label)
    if chosen_activation not in ACTIVATIONS:
        raise HwsolveError(f"unknown activation {chosen_activation!r}", file=problem.file)
    setup = Setup(chosen_activation, chosen_loss, label_given, label_given, variant,
                  output_grad=head.output_grad, values=values)
    entries = flatten(label_given) if label_given is not None else []
    if chosen_loss == "bce":
        if chosen_activation != "sigmoid":
            where, line = _place(problem, variant, "activation", "--act" if activation else None)
            message = (
                "bce needs sigmoid outputs, one probability each; softmax outputs share one "
                "normaliser: with softmax use the cross_entropy loss"
                if chosen_activation == "softmax" else
                f"bce needs an output in (0, 1), but the activation is {chosen_activation}, "
                "whose output can leave (0, 1); use sigmoid with bce, or the mse loss")
            raise HwsolveError(message, file=problem.file, where=where, line=line)
        bad = [y for y in entries if not 0 <= y <= 1]
        if bad:
            where, line = _place(problem, variant, "label", "--label" if label is not None
                                 else None)
            raise HwsolveError(f"bce needs a label in [0, 1], not {bad[0]}",
                               file=problem.file, where=where, line=line)
    for preset, needed in (("cross_entropy", "softmax"), ("hinge", "identity")):
        if chosen_loss == preset and chosen_activation != needed:
            where, line = _place(problem, variant, "activation", "--act" if activation else None)
            raise HwsolveError(f"{preset} needs activation: {needed}, not {chosen_activation}",
                               file=problem.file, where=where, line=line)
    if chosen_activation == "tanh" and chosen_loss in ("mse", "bce") and 0 in entries:
        setup.label = _replace_zeros(label_given)
        setup.warnings.append("label 0 was replaced by -1: tanh outputs lie in (-1, 1), so "
                              "the negative class is -1")
    return setup


def _replace_zeros(value):
    if isinstance(value, tuple):
        return tuple(_replace_zeros(v) for v in value)
    return Fraction(-1) if value == 0 else value


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


def _exact_label(label):
    """A label from the command line or Python code: a decimal string, a Fraction, an int, or
    a float taken by its shortest decimal text (0.1 means 1/10, as in a spec); a vector as
    ``0,1,0``, ``[0, 1, 0]`` or a list (a tuple of exact numbers, as a spec's label)."""
    if isinstance(label, (list, tuple)):
        return tuple(_exact_label(x) for x in label)
    if isinstance(label, str) and ("," in label or label.strip().startswith("[")):
        text = label.strip()
        if text.startswith("[") != text.endswith("]") or text.count("[") > 1:
            raise HwsolveError(f"{label!r} is not a vector: write it as 0,1,0 or [0, 1, 0]",
                               where="--label")
        parts = [part.strip() for part in text.strip("[]").split(",")]
        if not all(parts):
            raise HwsolveError(f"{label!r} has an empty entry: write a vector as 0,1,0 or "
                               "[0, 1, 0]", where="--label")
        return tuple(_exact_label(part) for part in parts)
    try:
        if isinstance(label, (str, float)):
            return num.parse_decimal(repr(label) if isinstance(label, float) else label)
        return Fraction(label)
    except (ValueError, TypeError) as exc:
        raise HwsolveError(str(exc), where="--label") from None


def solve(problem: Problem, setup: Setup | None = None,
          evaluation: Evaluation | None = None) -> Solution:
    setup = setup or resolve_setup(problem)
    check_setup(setup, problem.file)
    if evaluation is None or evaluation.overrides != (setup.values or None):
        evaluation = evaluate(problem, setup.values)
    body = evaluation
    graph, slots = attach(body.graph, setup)
    values = body.values + [graph.leaf_values.get(s) for s in range(len(body.values),
                                                                      len(graph.slots))]
    full = Evaluation(graph, values, list(body.local), list(body.kinks), body.bits)
    mark = num.cancellations()
    with num.precision(body.bits):
        _run(full, graph.head_nodes, problem)
        grads = _backpropagate(full, slots.seeds)
    undecided = num.cancellations() != mark
    if undecided and precision.next_bits(body.bits):
        # a loss or gradient sum cancelled below rounding: all again at twice the bits
        again = _evaluate(body.graph, precision.next_bits(body.bits))
        again.overrides = body.overrides
        return solve(problem, setup, again)
    programs = graph.nodes + graph.head_nodes
    warnings = [f"{node.label}: {note}" for node, notes in zip(programs, full.kinks)
                for note in notes]
    if undecided:
        warnings.append(f"a sum in the loss or the gradients cancels below rounding even at "
                        f"{body.bits} bits: it is taken as exactly 0 (not proved)")
    warnings += setup.warnings + _unused_nodes(problem)
    # ``evaluation`` keeps the v1 view (the spec's nodes; values and grads are indexed by slot and
    # also cover the head's slots); ``full`` has the head's programs too.
    view = Evaluation(body.graph, values, full.local[:len(body.local)],
                      full.kinks[:len(body.kinks)], body.bits, body.overrides)
    return Solution(problem, view, setup, _facade(full, slots, grads), grads, warnings, slots,
                    full)


def _backpropagate(evaluation: Evaluation, seeds: dict) -> list:
    graph = evaluation.graph
    grads: list = [ZERO] * len(graph.slots)
    for slot, seed in seeds.items():
        grads[slot] = seed
    slots = graph.slots
    programs = graph.nodes + graph.head_nodes
    for node, local in zip(reversed(programs), reversed(evaluation.local)):
        upstream = grads[node.slot]
        if not upstream:
            continue
        for slot, partial in local:
            if slots[slot].kind not in ("constant", "label"):
                grads[slot] = num.accumulate(grads[slot], num.mul(upstream, partial))
    return grads


def _facade(evaluation: Evaluation, slots, grads: list) -> HeadValues:
    """The head's numbers by name: scalars for one output, lists for a vector output."""
    values = evaluation.values
    shape = evaluation.graph.shapes["Yhat"]
    first_yhat = len(evaluation.graph.nodes)
    slopes = []
    for k, (y, z) in enumerate(zip(slots.yhat, slots.z)):
        local = dict(evaluation.local[first_yhat + k])
        slopes.append(local.get(z, ZERO))
    pick = (lambda xs: xs[0]) if not shape else list
    yhat = pick([values[s] for s in slots.yhat])
    dL_dyhat = pick([grads[s] for s in slots.yhat])
    dyhat_dz = pick(slopes)
    dL_dz = pick([num.mul(grads[s], d) for s, d in zip(slots.yhat, slopes)])
    loss = values[slots.loss] if slots.loss is not None else None
    residual = None
    if slots.label and len(slots.label) == len(slots.yhat):
        residual = pick([num.sub(values[y], values[l]) for y, l in zip(slots.yhat, slots.label)])
    return HeadValues(pick([values[s] for s in slots.z]), yhat, loss, residual, dL_dyhat,
                      dyhat_dz, dL_dz)


def check_setup(setup: Setup, file: str | None = None) -> None:
    """A head built by hand (``api.Setup``) gets the checks of :func:`resolve_setup`."""
    if setup.activation not in ACTIVATIONS:
        raise HwsolveError(f"unknown activation {setup.activation!r}; the activations are "
                           f"{', '.join(ACTIVATIONS)}", file=file, where="setup")
    if not isinstance(setup.loss, str) or not setup.loss.strip():
        raise HwsolveError(f"the loss must be one of {', '.join(LOSSES)} or an expression",
                           file=file, where="setup")
    if setup.loss == "bce" and setup.activation != "sigmoid":
        raise HwsolveError(f"bce needs an output in (0, 1), but the activation is "
                           f"{setup.activation}; use sigmoid with bce, or the mse loss",
                           file=file, where="setup")
    if setup.loss == "bce" and setup.label is not None and \
            not all(0 <= y <= 1 for y in flatten(setup.label)):
        raise HwsolveError(f"bce needs a label in [0, 1], not {setup.label}", file=file,
                           where="setup")


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
