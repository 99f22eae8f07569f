"""Forward values, local derivatives, the output head, and reverse accumulation.

Each node is differentiated only with respect to its direct inputs (its local derivatives,
which ``--steps`` also shows); the gradient of the loss then flows back node by node in reverse
order, summing over every consumer.  Forward values and local derivatives do not depend on the
head, so :func:`evaluate` runs once per problem and :func:`solve` once per head (variant).
"""

from __future__ import annotations

import functools
import time
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
from hwsolve.engine.head import activation_problem, attach, label_problem, turns_zero_labels
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
    bits: int = num.WORK_BITS    # the highest precision any decision needed
    overrides: dict | None = None   # the leaf values given by name (a variant's), if any
    ladder: object = None        # precision.Ladder: what was refined, pinned or left doubtful


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
        """name -> dL/dname for inputs, params, nodes and Yhat (built once, on first read);
        empty for a forward-only problem (loss: none, a vector output, no output_grad)."""
        if getattr(self.head_slots, "forward_only", False):
            return {}
        return self._by_name(self.grads, _GRAD_KINDS)

    def _by_name(self, per_slot: list, kinds: frozenset) -> dict:
        table: dict = {}
        graph = self.full.graph
        for number, slot in enumerate(graph.slots):
            if slot.kind not in kinds:
                continue
            if slot.index is None:
                table[slot.name] = num.public(per_slot[number])
            elif slot.name not in table:
                table[slot.name] = nest([num.public(per_slot[s])
                                         for s in graph.vectors[slot.name]],
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
    """Forward values and local derivatives at ``bits``; a node whose balls do not decide a
    sign, tie or branch, or do not prove its value, is recomputed with its ancestors at higher
    precision, then proved or noted (see :mod:`hwsolve.engine.precision`)."""
    started = time.monotonic()
    values = [graph.leaf_values.get(i) for i in range(len(graph.slots))]
    evaluation = Evaluation(graph, values, [], [], bits)
    evaluation.ladder = precision.Ladder(graph.nodes + graph.head_nodes)
    evaluation.ladder.top = bits
    with num.computation(bits):
        _run(evaluation, graph.nodes, graph.problem)
    evaluation.bits = evaluation.ladder.top
    evaluation.ladder.seconds = time.monotonic() - started
    return evaluation


def _run(evaluation: Evaluation, programs: list, problem: Problem) -> None:
    """Values and local derivatives of ``programs``, appended to ``evaluation``: each node
    decided from its balls, else refined, proved or noted (and what depends on it flagged)."""
    values = evaluation.values
    if evaluation.ladder is None:
        evaluation.ladder = precision.Ladder(evaluation.graph.programs)
    ladder = evaluation.ladder
    state = num.current()
    base = state.bits

    def compute(node):
        try:
            computed = tape_values(node, values)
            local, kinks = _local_derivatives(node, computed)
        except NumericError as exc:
            where = f"nodes.{node.name}" if f"nodes.{node.name}" in problem.lines else \
                ("loss" if node.name == "L" else "activation")
            what = f"node {node.label}" if where.startswith("nodes.") else node.label
            raise HwsolveError(f"cannot evaluate {what} at the given values: {exc}",
                               file=problem.file, where=where,
                               line=node.line or problem.lines.get(where)) from None
        return computed, local, kinks

    for node in programs:
        mark = state.undecided
        computed, local, kinks = compute(node)
        doubtful = ladder.doubtful and sorted({ladder.doubtful[s] for s in node.inputs
                                                if s in ladder.doubtful})
        if doubtful:
            kinks.append(f"depends on {', '.join(doubtful)}, which could not be decided: "
                         "this value is not proved either")
            ladder.doubtful[node.slot] = doubtful[0]
        elif state.undecided != mark or not num.accurate(computed[-1]):
            computed, local, kinks, decided, bits = precision.refine(ladder, values, node,
                                                                     compute, base)
            if not decided:
                notes = precision.settle(ladder, evaluation.graph, values, node, computed,
                                         bits)
                kinks += notes
                if notes:
                    ladder.doubtful[node.slot] = node.label
        values[node.slot] = computed[-1]
        evaluation.local.append(local)
        evaluation.kinks.append(kinks)


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
    ignored_label = None
    if chosen_loss == "none" and label_given is not None:  # nothing compares Ŷ with Y
        ignored_label, label_given = label_given, None
    setup = Setup(chosen_activation, chosen_loss, label_given, label_given, variant,
                  output_grad=head.output_grad, values=values)
    if ignored_label is not None:
        source = "--label" if label is not None else "the label"
        setup.warnings.append(f"{source} is not used: with loss none there is no loss to "
                              "compare the output with, so no label (Y is null)")
    why = activation_problem(chosen_activation, chosen_loss)
    if why:  # a preset's activation, also for the presets a loss expression names
        where, line = _place(problem, variant, "activation", "--act" if activation else None)
        raise HwsolveError(why, file=problem.file, where=where, line=line)
    why = label_problem(chosen_loss, label_given)
    if why:
        where, line = _place(problem, variant, "label", "--label" if label is not None else None)
        raise HwsolveError(why, file=problem.file, where=where, line=line)
    if label_given is not None and turns_zero_labels(chosen_activation, chosen_loss) \
            and 0 in flatten(label_given):
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
    started = time.monotonic()
    full.ladder = body.ladder
    full.ladder.add(graph.head_nodes)
    with num.computation(body.bits):
        _run(full, graph.head_nodes, problem)
        grads = _backpropagate(full, slots.seeds)
    open_ = [s for s, slot in enumerate(graph.slots) if slot.kind in _GRAD_KINDS
             and not num.accurate(grads[s]) and s not in full.ladder.doubtful]
    elapsed = time.monotonic() - started + getattr(full.ladder, "seconds", 0.0)
    if open_ and precision.next_bits(body.bits) and \
            full.ladder.spent + 2 * elapsed < precision.LADDER_SECONDS:
        # a gradient sum is not proved to NEEDED_BITS: all again at twice the bits
        again = _evaluate(body.graph, precision.next_bits(body.bits))
        again.ladder.spent = full.ladder.spent + elapsed + again.ladder.seconds
        again.overrides = body.overrides
        return solve(problem, setup, again)
    for slot in open_:  # still a ball around 0: an exact 0 if SymPy proves it
        if grads[slot].contains(0) and precision.gradient_zero(full.ladder, graph, values,
                                                               slots.seeds, slot):
            grads[slot] = num.ZERO
    undecided = [graph.slots[s].label for s in open_ if not num.accurate(grads[s])]
    programs = graph.nodes + graph.head_nodes
    warnings = [f"{node.label}: {note}" for node, notes in zip(programs, full.kinks)
                for note in notes]
    if undecided:
        shown = ", ".join(undecided[:5]) + (", …" if len(undecided) > 5 else "")
        warnings.append(f"the gradient of {shown} is not proved even at {body.bits} bits "
                        "(a sum cancels to within rounding of 0): written from its ball's "
                        "midpoint, or 0 if the ball contains 0 (not proved)")
    doubtful = [graph.slots[s].label for s in sorted(full.ladder.doubtful)
                if graph.slots[s].kind in _VALUE_KINDS]
    if doubtful:
        warnings.append("not proved (each depends on a sign, tie or value that no precision "
                        f"decided): {', '.join(doubtful[:8])}" + (", …" if len(doubtful) > 8
                                                                  else "")
                        + "; their gradients are not proved either")
        upstream = _upstream_of_doubt(full.ladder, graph)
        if upstream:
            warnings.append("gradients not proved (they flow back through a node that no "
                            f"precision decided): {', '.join(upstream[:8])}"
                            + (", …" if len(upstream) > 8 else ""))
    warnings += setup.warnings + _unused_nodes(problem)
    # ``evaluation`` keeps the v1 view (the spec's nodes; values and grads are indexed by slot and
    # also cover the head's slots); ``full`` has the head's programs too.
    view = Evaluation(body.graph, values, full.local[:len(body.local)],
                      full.kinks[:len(body.kinks)], body.bits, body.overrides)
    return Solution(problem, view, setup, _facade(full, slots, grads), grads, warnings, slots,
                    full)


def _upstream_of_doubt(ladder, graph: Graph) -> list:
    """The labels of the inputs, params and nodes whose gradients pass through an undecided
    node (its local derivatives took the convention's branch, not a proved one)."""
    found: set = set()
    for slot, origin in ladder.doubtful.items():
        program = ladder.program_of.get(slot)
        if program is None or origin != program.label:
            continue  # a node only downstream of the undecided one: its partials are proved
        for p in [program, *ladder.cone(program)]:
            found.update(p.inputs)
    return [graph.slots[s].label for s in sorted(found)
            if graph.slots[s].kind in _GRAD_KINDS and s not in ladder.doubtful]


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
    why = activation_problem(setup.activation, setup.loss) \
        or label_problem(setup.loss, setup.label)
    if why:
        raise HwsolveError(why, file=file, where="setup")


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
