"""The work behind every answer, as data for the renderers (``hwsolve NAME --steps``).

Every number here is the solver's: node values (and, inside a node, the solver's own tape
evaluation), local derivatives, gradients and the head.  The one product formed here is each
chain-rule term, upstream gradient × local derivative, with the solver's exact ``num.mul``;
the terms of a sum add up to the solver's total.  SymPy supplies only formulas: each node's
expression differentiated with respect to its direct inputs, never a composed graph.

Format v1's scalar head is laid out as the seed's solution does (:mod:`hwsolve.work.head_steps`);
every other head (vector outputs, softmax, cross-entropy, hinge, loss: none, loss expressions)
is shown as what it is on the tape: Ŷ and L are nodes with forward equations and backward steps
of their own.  ``only`` keeps the work one gradient depends on (``--steps 'W2[1, 1]'``).
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass

import sympy as sp

from hwsolve import num
from hwsolve.engine.solve import Solution, tape_values
from hwsolve.errors import HwsolveError
from hwsolve.ops.rules import RULES
from hwsolve.spec.shapes import entry_name
from hwsolve.work import head_steps, symbolic
from hwsolve.work.cases import case
from hwsolve.work.stepdata import (BackwardStep, Case, Equation, Local, Operand, Relation,
                                   Steps, Term, attach_closed_form)
from hwsolve.work.symbolic import Skipped, Slope, leaf
from hwsolve.work.vector_forms import SoftmaxEntry

__all__ = ["build", "BackwardStep", "Case", "Equation", "Local", "Operand", "Relation",
           "Steps", "Term"]

ZERO = num.ZERO
MAX_STEP_TERMS = 5_000
"""--steps refuses a problem with more chain-rule terms than this (about 1,600 generated nodes;
each term costs about a millisecond of SymPy)."""


@dataclass
class View:
    """The programs whose work is shown, with the solver's numbers for them: the spec's nodes
    (v1's head is laid out apart), or the nodes and the head's programs together."""
    graph: object
    programs: list
    values: list
    local: list
    kinks: list
    grads: list
    bits: int


def _view(solution: Solution, with_head: bool) -> View:
    if with_head:
        full = solution.full
        graph = full.graph
        return View(graph, graph.nodes + graph.head_nodes, full.values, full.local, full.kinks,
                    solution.grads, full.bits)
    ev = solution.evaluation
    return View(ev.graph, ev.graph.nodes, ev.values, ev.local, ev.kinks, solution.grads,
                ev.bits)


def build(solution: Solution, exact: bool = False, only: str | None = None) -> Steps:
    """The derivation of ``solution``; ``exact`` adds closed forms of irrational values;
    ``only`` (an entry such as ``W2[1, 1]``, or a name) keeps the work its gradient needs."""
    v1 = head_steps.is_v1_head(solution)
    view = _view(solution, with_head=not v1)
    targets = _targets(solution, view, only) if only else None
    wanted = _downstream(view, targets) if targets is not None else None
    chosen = range(len(view.programs)) if wanted is None else \
        [k for k, p in enumerate(view.programs) if p.slot in wanted]
    terms = sum(len(view.local[k]) for k in chosen)
    if terms > MAX_STEP_TERMS:
        raise HwsolveError(
            f"--steps shows at most {MAX_STEP_TERMS:,} chain-rule terms (one per node and "
            f"direct input), and this problem has {terms:,}: nobody reads that much work; the "
            "answer table, --values and --format json give every value and gradient"
            + ("" if only else "; --steps NAME shows the work of one gradient"),
            file=solution.problem.file, where="--steps")
    forms = {k: symbolic.node_form(view.graph, view.programs[k]) for k in chosen}
    with num.precision(view.bits):
        tapes = {k: tape_values(view.programs[k], view.values) for k in chosen}
    closed = _closed_forms(view, exact) if exact else {}
    output = leaf(solution.problem.output)
    body = len(view.graph.nodes)
    forward = [_forward(view, k, forms[k], closed) for k in chosen if k < body]
    if v1:
        head, gradient = head_steps.head(solution, output, closed), \
            head_steps.loss_gradient(solution)
    else:
        head = [_forward(view, k, forms[k], closed) for k in chosen if k >= body
                and view.graph.slots[view.programs[k].slot].kind != "label"]
        gradient = None
    backward = _backward(solution, view, forms, tapes, output if v1 else None, chosen, wanted,
                         targets)
    if getattr(solution.head_slots, "forward_only", False):
        backward = []  # loss: none on a vector output without output_grad: values only
    if solution.setup.loss == "none":  # no L anywhere: every gradient is of the objective
        objective = symbolic.YHAT
        if solution.setup.activation == "identity" and not view.graph.shapes["Yhat"]:
            # Ŷ is the output node itself: the work reads df/dx, as a course writes it
            objective = output_symbol = leaf(solution.problem.output)
            backward = [s for s in backward
                        if s.symbol not in (symbolic.YHAT, output_symbol)]
        for step in backward:
            step.of = objective
    _matrix_forms(view, backward)
    return Steps(output=output, forward=forward, head=head, loss_gradient=gradient,
                 backward=backward, warnings=list(solution.warnings))


# ----------------------------------------------------------------------------- --steps NAME

def _targets(solution: Solution, view: View, only: str) -> set:
    """The slots of ``only``: one entry (``W[1, 2]``) or every entry of a name."""
    graph = view.graph
    name, index = entry_name(only.strip())
    shapes = graph.shapes
    if name not in shapes or graph.slots[graph.slots_of(name)[0]].kind in ("constant", "label"):
        known = [n for n, s in shapes.items()
                 if graph.slots[graph.slots_of(n)[0]].kind not in ("constant", "label")]
        raise HwsolveError(f"--steps {only}: {name!r} has no gradient here; the names with a "
                           f"gradient are {', '.join(known)}", file=solution.problem.file,
                           where="--steps")
    if index is None:
        return set(graph.slots_of(name))
    try:
        return {graph.slot_of(name, index)}
    except (IndexError, KeyError, TypeError, ValueError):
        raise HwsolveError(f"--steps {only}: there is no such entry ({name} has shape "
                           f"{shapes[name] or 'scalar'})", file=solution.problem.file,
                           where="--steps") from None


def _downstream(view: View, targets: set) -> set:
    """The targets and every program their value flows into: the path to the loss."""
    consumers = _consumers(view)
    seen = set(targets)
    stack = list(targets)
    while stack:
        slot = stack.pop()
        for k, _ in consumers[slot]:
            produced = view.programs[k].slot
            if produced not in seen:
                seen.add(produced)
                stack.append(produced)
    return seen


# ----------------------------------------------------------------------------- forward

def _leaf_values(view: View, slots) -> dict:
    return {leaf(view.graph.slots[s].label): view.values[s] for s in slots}


def _forward(view: View, k: int, form, closed: dict) -> Equation:
    node = view.programs[k]
    value = view.values[node.slot]
    loaded = [payload for op, _, payload in node.tape if op == "load"]  # labels too
    equation = Equation(leaf(node.label), [form.display], value,
                        shown=_leaf_values(view, loaded), notes=list(view.kinks[k]))
    attach_closed_form(equation, closed.get(node.slot, False))
    return equation


def _closed_forms(view: View, exact: bool) -> dict:
    """slot -> exact SymPy value (Skipped when too large), node by node from exact inputs."""
    graph, values = view.graph, view.values
    closed = {slot: symbolic.exact_number(values[slot] if num.is_exact(values[slot]) else v)
              for slot, v in graph.leaf_values.items()}  # a batch example's own inputs
    with num.precision(view.bits):
        for node in view.programs:
            value = values[node.slot]
            if num.is_exact(value):
                closed[node.slot] = symbolic.exact_number(value)
            elif any(isinstance(closed[s], Skipped) for s in node.inputs):
                closed[node.slot] = next(closed[s] for s in node.inputs
                                         if isinstance(closed[s], Skipped))
            else:
                tape = tape_values(node, values)
                closed[node.slot] = symbolic.closed_form(graph, node, closed, tape)
    return closed


# ----------------------------------------------------------------------------- backward

def _backward(solution: Solution, view: View, forms: dict, tapes: dict, output, chosen,
              wanted, targets) -> list:
    """Nodes in reverse order; each input and param right after its earliest consumer, when
    its gradient is complete; unused inputs and params last."""
    graph = view.graph
    consumers = _consumers(view)
    if wanted is not None:
        consumers = {s: [(k, p) for k, p in c if view.programs[k].slot in wanted]
                     for s, c in consumers.items()}
    output_index = next((k for k, n in enumerate(graph.nodes) if n.name == output.name), None) \
        if output is not None else None
    leaves = [s for s in _leaves(graph) if targets is None or s in targets]
    after: dict = {}  # program index -> the leaves whose earliest consumer it is, in leaf order
    for s in leaves:
        if consumers[s]:
            after.setdefault(consumers[s][0][0], []).append(s)
    steps = []
    for k in sorted(chosen, reverse=True):
        node = view.programs[k]
        kind = graph.slots[node.slot].kind
        if kind == "loss" and node.name == "L":
            steps.extend(_step(view, s, consumers, forms, tapes) for s in after.get(k, ()))
            continue  # the start of the backward pass: dL/dL = 1
        step = _step(view, node.slot, consumers, forms, tapes)
        if output is not None and node.slot == graph.scalars.get(output.name):
            head = solution.head
            step.terms.insert(0, Term(head_steps.YHAT, head.dL_dyhat,
                                      head_steps.activation_slope(solution, output),
                                      head.dL_dz))
        elif output_index is not None and k > output_index and k < len(graph.nodes):
            step.note = (f"{node.name} comes after the output {output.name}: it does not "
                         "affect the loss")
        elif kind == "yhat" and not step.terms:
            step.note = _objective_note(solution, node)
        _shortcut(solution, view, node, step)
        steps.append(step)
        steps.extend(_step(view, s, consumers, forms, tapes) for s in after.get(k, ()))
    steps.extend(_step(view, s, consumers, forms, tapes) for s in leaves if not consumers[s])
    for step in steps:
        if not step.terms and step.note is None:
            step.note = f"no node uses {step.symbol.name}"
    return steps


def _objective_note(solution: Solution, node) -> str:
    if solution.setup.output_grad is None:
        return "loss: none, so the objective is Ŷ itself"
    return "loss: none with output_grad g: the gradients are those of Σₖ gₖ·Ŷₖ, so this one " \
           "is gₖ"


def _shortcut(solution: Solution, view: View, node, step: BackwardStep) -> None:
    """Softmax with cross-entropy: the sum over every Ŷ collapses to dL/dzⱼ = Ŷⱼ − Yⱼ; sigmoid
    with binary cross-entropy likewise to dL/dz = Ŷ − Y (σ' = Ŷ(1 − Ŷ) cancels the BCE
    denominator)."""
    setup = solution.setup
    pair = (setup.activation, setup.loss)
    if pair not in (("softmax", "cross_entropy"), ("sigmoid", "bce")) or \
            node.name != solution.problem.output or not step.terms:
        return
    note = "softmax with cross-entropy: the sum over every Ŷ simplifies to Ŷ − Y" \
        if pair[0] == "softmax" else \
        "sigmoid with binary cross-entropy: σ'(z) = Ŷ(1 - Ŷ) cancels the denominator of " \
        "dL/dŶ, so dL/dz = Ŷ - Y"
    slots = solution.head_slots
    in_view = slots is not None and node.slot in slots.z and slots.label and \
        max(slots.yhat + slots.label) < len(view.graph.slots)
    if not in_view:   # the scalar head of a v1 problem, laid out as the seed does (Ŷ, Y)
        if setup.label is None or isinstance(setup.label, tuple):
            return
        with sp.evaluate(False):
            form = symbolic.YHAT - symbolic.LABEL
        step.shortcut = Equation(LOSS_SYMBOL, [form], step.total, wrt=step.symbol,
                                 shown={symbolic.YHAT: solution.head.yhat,
                                        symbolic.LABEL: setup.label}, notes=[note])
        return
    j = slots.z.index(node.slot)
    yhat, label = leaf(view.graph.slots[slots.yhat[j]].label), \
        leaf(view.graph.slots[slots.label[j]].label)
    with sp.evaluate(False):
        form = yhat - label
    step.shortcut = Equation(LOSS_SYMBOL, [form], step.total, wrt=step.symbol,
                             shown={yhat: view.values[slots.yhat[j]],
                                    label: view.values[slots.label[j]]},
                             notes=[note])


LOSS_SYMBOL = symbolic.LOSS


def _matrix_forms(view: View, backward: list) -> None:
    """For a node z = W @ x (+ b): the whole gradient of W, x and b in matrix form, said once,
    at the first step of each (dL/dW = dL/dz · xᵀ, the outer product its entries make), where
    z is their only consumer (otherwise the form is one part of a sum)."""
    graph = view.graph
    users: dict = {}
    for node in view.programs:
        for op, _, slot in node.tape:
            if op == "load":
                users.setdefault(graph.slots[slot].name, set()).add(node.name)
    forms: dict = {}
    for z, (w, x, b) in graph.linear.items():
        if users.get(w) != {z} or (x and users.get(x) != {z}):
            x = None if x and users.get(x) != {z} else x
            if users.get(w) != {z}:
                continue
        forms.setdefault(w, f"in matrix form, dL/d{w} = dL/d{z} · {x or 'the input'}ᵀ "
                            f"(an outer product: entry [i, j] is dL/d{z}[i] times "
                            f"{x or 'the input'}[j])")
        if x:
            forms.setdefault(x, f"in matrix form, dL/d{x} = {w}ᵀ · dL/d{z}")
        if b and users.get(b) == {z}:
            forms.setdefault(b, f"in matrix form, dL/d{b} = dL/d{z}")
    told = set()
    for step in backward:
        name = entry_name(step.symbol.name)[0]
        if name in forms and name not in told and graph.shapes.get(name):
            step.matrix_form = forms[name]
            told.add(name)


def _leaves(graph) -> list:
    """Params, then inputs: the weights a student updates come before the data."""
    leaves = [s for s, slot in enumerate(graph.slots) if slot.kind in ("input", "param")]
    return sorted(leaves, key=lambda s: graph.slots[s].kind != "param")


def _consumers(view: View) -> dict:
    """slot -> [(program index, ∂program/∂slot)] in forward order, from the solver's locals."""
    consumers: dict = {s: [] for s in range(len(view.graph.slots))}
    for k, local in enumerate(view.local):
        for slot, partial in local:
            consumers[slot].append((k, partial))
    return consumers


def _step(view: View, slot: int, consumers: dict, forms: dict, tapes: dict) -> BackwardStep:
    graph = view.graph
    symbol = leaf(graph.slots[slot].label)
    terms = []
    for k, partial in consumers[slot]:
        node = view.programs[k]
        upstream = view.grads[node.slot]
        local = _local(view, k, symbol, partial, forms[k], tapes[k])
        terms.append(Term(leaf(node.label), upstream, local, num.mul(upstream, partial)))
    return BackwardStep(symbol, graph.slots[slot].kind, terms, view.grads[slot])


def _local(view: View, k: int, wrt: sp.Symbol, value, form, tape) -> Local:
    """∂node/∂wrt.  Only what the formula shows is looked up (its symbols, calls and slopes,
    never the insides of a slope's call), so that a node of n inputs costs O(n) in all."""
    node = view.programs[k]
    formula = symbolic.derivative(form.algebra, wrt)
    symbols, slopes, entries = _parts(formula)
    cases = [case(slope, form, tape) for slope in slopes]
    own = {symbol: view.values[_slot_of(view, symbol)] for symbol in symbols}
    own.update({case.slope: case.value for case in cases})
    own.update(_softmax_entries(entries, form, tape))
    if "calls" not in form.memo:  # the printer may meet a call as a part it builds (1/√x)
        form.memo["calls"] = {expr: tape[call.position] for expr, call in form.calls.items()}
    shown = ChainMap(own, form.memo["calls"])
    if "order" not in form.memo:
        form.memo["order"] = {leaf(view.graph.slots[s].label): rank
                              for rank, s in enumerate(node.inputs)}
    return Local(leaf(node.label), wrt, formula, value, shown, form.memo["order"], cases)


def _softmax_entries(entries: list, form, tape) -> dict:
    """pⱼ of ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ): another entry of the same softmax, from the solver's rule on
    the same arguments (the tape holds only this node's own entry)."""
    found = {}
    for entry in entries:
        if entry in form.calls:
            continue
        call = next((c for e, c in form.calls.items() if isinstance(e, SoftmaxEntry)
                     and e.args[1:] == entry.args[1:]), None)
        if call is None:
            call = next((c for e, c in form.calls.items() if e.args[1:] == entry.args[1:]),
                        None)
        if call is not None:
            found[entry] = RULES["softmax"].forward([tape[p] for p in call.arg_positions],
                                                    entry.entry)
    return found


def _slot_of(view: View, symbol: sp.Symbol) -> int:
    name, index = entry_name(symbol.name)
    return view.graph.slot_of(name, index)


def _parts(formula: sp.Expr) -> tuple:
    """The leaf symbols, the Slopes and the softmax entries of a formula, each once, without
    entering a Slope (its call's arguments print as names): a max of n arguments costs O(n),
    not O(n) per slope."""
    symbols: dict = {}
    slopes: dict = {}
    entries: dict = {}
    stack = [formula]
    while stack:
        sub = stack.pop()
        if isinstance(sub, Slope):
            slopes[sub] = None
            continue
        if isinstance(sub, SoftmaxEntry):
            entries[sub] = None
        if isinstance(sub, symbolic.Leaf):
            symbols[sub] = None
        stack.extend(reversed(sub.args))
    return list(symbols), list(slopes), list(entries)
