"""The work behind every answer, as data for the renderers (``hwsolve NAME --steps``).

Every number here is the solver's: node values from ``evaluation.values`` (and, inside a node,
the solver's own tape evaluation), local derivatives from ``evaluation.local``, gradients from
``solution.grads`` and the head from ``solution.head``.  The one product formed here is each
chain-rule term, upstream gradient × local derivative, with the solver's exact ``num.mul``;
the terms of a sum add up to the solver's total.  SymPy supplies only formulas: each node's
expression differentiated with respect to its direct inputs, never a composed graph.
"""

from __future__ import annotations

import bisect
from collections import ChainMap
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.work import symbolic
from hwsolve.ops.rules import RULES
from hwsolve.engine.solve import Solution, tape_values
from hwsolve.work.symbolic import LABEL, LOSS, YHAT, Skipped, Slope, leaf

ZERO = num.ZERO
MAX_STEP_TERMS = 5_000
"""--steps refuses a problem with more chain-rule terms than this (about 1,600 generated nodes;
each term costs about a millisecond of SymPy)."""
MAX_LISTED = 8
"""Operands listed in one case rule before "(and N more)" (never "and 1 more")."""


@dataclass(frozen=True)
class Operand:
    """One side of a comparison: an expression and its value (expr None: a bare number)."""
    expr: sp.Expr | None
    value: object


@dataclass(frozen=True)
class Relation:
    """``X1 = 2 > H1 = 1.5``; a tie ``X1 = H1 = 1.5`` has several ``left`` and no ``right``.
    ``more`` counts the operands left out of a long list (a max of 1,000 arguments): each case
    lists at most MAX_LISTED, so that the work stays linear in the number of arguments."""
    left: tuple
    op: str
    right: tuple = ()
    more: int = 0


@dataclass
class Case:
    """Why a kinked function passes what it passes: the case rule behind one Slope."""
    slope: Slope
    value: object
    branch: sp.Expr | None   # the value on this side of the kink when not a number (a slope α)
    relation: Relation
    rule: str
    convention: str | None   # the solver's sentence at a kink or tie


@dataclass
class Local:
    """∂of/∂wrt: formula, the formula with numbers (``shown``), and the solver's value."""
    of: sp.Symbol
    wrt: sp.Symbol
    formula: sp.Expr
    value: object
    shown: dict = field(default_factory=dict)
    order: dict = field(default_factory=dict)
    cases: list = field(default_factory=list)
    partial: bool = True

    @property
    def is_case_rule(self) -> bool:
        """The whole derivative is one case rule (``H3 = min(X1, H1)``)."""
        return isinstance(self.formula, Slope)


@dataclass
class Term:
    """One consumer's share of a gradient: upstream × local = contribution."""
    consumer: sp.Symbol
    upstream: object
    local: Local
    contribution: object


@dataclass
class BackwardStep:
    symbol: sp.Symbol
    kind: str
    terms: list
    total: object
    note: str | None = None


@dataclass
class Equation:
    """``target = forms… = forms[-1] with numbers = value`` (``wrt``: the target is d/dwrt)."""
    target: sp.Symbol
    forms: list
    value: object
    shown: dict = field(default_factory=dict)
    wrt: sp.Symbol | None = None
    closed_form: sp.Expr | None = None
    notes: list = field(default_factory=list)
    skipped: str | None = None   # why the closed form is not shown (--exact)


@dataclass
class Steps:
    output: sp.Symbol
    forward: list        # Equation per node
    head: list           # Equation for Ŷ and L
    loss_gradient: Equation
    backward: list       # BackwardStep, output first, each leaf once its gradient is complete
    warnings: list


def build(solution: Solution, exact: bool = False) -> Steps:
    """The derivation of ``solution``; ``exact`` adds closed forms of irrational values."""
    graph = solution.graph
    terms = sum(len(local) for local in solution.evaluation.local)
    if terms > MAX_STEP_TERMS:
        raise HwsolveError(
            f"--steps shows at most {MAX_STEP_TERMS:,} chain-rule terms (one per node and "
            f"direct input), and this problem has {terms:,}: nobody reads that much work; the "
            "answer table, --values and --format json give every value and gradient",
            file=solution.problem.file, where="--steps")
    forms = [symbolic.node_form(graph, node) for node in graph.nodes]
    with mpmath.workdps(num.WORK_DPS):
        tapes = [tape_values(node, solution.evaluation.values) for node in graph.nodes]
    closed = _closed_forms(solution, tapes) if exact else {}
    output = leaf(solution.problem.output)
    return Steps(
        output=output,
        forward=[_forward(solution, k, forms[k], closed) for k in range(len(graph.nodes))],
        head=_head(solution, output, closed),
        loss_gradient=_loss_gradient(solution),
        backward=_backward(solution, forms, tapes, output),
        warnings=list(solution.warnings),
    )


# ----------------------------------------------------------------------------- forward

def _leaf_values(solution: Solution, slots) -> dict:
    graph, values = solution.graph, solution.evaluation.values
    return {leaf(graph.slots[s].label): values[s] for s in slots}


def _forward(solution: Solution, k: int, form, closed: dict) -> Equation:
    node = solution.graph.nodes[k]
    value = solution.evaluation.values[node.slot]
    equation = Equation(leaf(node.name), [form.display], value,
                        shown=_leaf_values(solution, node.inputs),
                        notes=list(solution.evaluation.kinks[k]))
    _attach_closed_form(equation, closed.get(node.slot, False))
    return equation


def _attach_closed_form(equation: Equation, closed) -> None:
    """Only an irrational value needs one; Skipped means it was too large to show."""
    if num.is_exact(equation.value) or closed is False:
        return
    if isinstance(closed, Skipped):
        equation.skipped = closed.reason
        equation.notes.append(f"closed form skipped for {symbolic.text_name(equation.target)}: "
                              f"{closed.reason}")
    else:
        equation.closed_form = closed


def _closed_forms(solution: Solution, tapes: list) -> dict:
    """slot -> exact SymPy value (Skipped when too large), node by node from exact inputs."""
    graph, values = solution.graph, solution.evaluation.values
    exact = {slot: symbolic.exact_number(v) for slot, v in graph.leaf_values.items()}
    for node, tape in zip(graph.nodes, tapes):
        value = values[node.slot]
        if num.is_exact(value):
            exact[node.slot] = symbolic.exact_number(value)
        elif any(isinstance(exact[s], Skipped) for s in node.inputs):
            exact[node.slot] = next(exact[s] for s in node.inputs
                                    if isinstance(exact[s], Skipped))
        else:
            exact[node.slot] = symbolic.closed_form(graph, node, exact, tape)
    return exact


def _head_closed_forms(solution: Solution, closed: dict) -> tuple:
    """(Ŷ, L) exactly, or False (no --exact) or Skipped (too large) for each."""
    if not closed:
        return False, False
    z = closed[solution.graph.scalars[solution.problem.output]]
    if isinstance(z, Skipped):
        return z, z
    setup = solution.setup
    y = symbolic.exact_number(setup.label)
    ev = bool(z.is_Number)  # see symbolic._Converter.apply: never evaluate nested forms

    def softplus(x):
        return sp.log(sp.Add(1, sp.exp(x, evaluate=ev), evaluate=ev), evaluate=ev)

    yhat = {"sigmoid": symbolic.sigmoid_form(z, ev), "tanh": sp.tanh(z, evaluate=ev),
            "identity": z}[setup.activation]
    if setup.loss == "bce":  # the solver's softplus form: log(1 + e^{1/2}), not -log(1/(1 + …))
        loss = sp.Add(sp.Mul(y, softplus(sp.Mul(-1, z, evaluate=ev)), evaluate=ev),
                      sp.Mul(1 - y, softplus(z), evaluate=ev), evaluate=ev)
    else:
        loss = sp.Mul(sp.Rational(1, 2), sp.Pow(sp.Add(yhat, -y, evaluate=ev), 2, evaluate=ev),
                      evaluate=ev)
    return tuple(symbolic.too_large(e) or e for e in (yhat, loss))


# ----------------------------------------------------------------------------- head

def _activation_forms(activation: str, z: sp.Symbol) -> list:
    if activation == "sigmoid":
        return [symbolic.Sigmoid(z), 1 / (1 + sp.exp(-z))]
    if activation == "tanh":
        return [sp.tanh(z)]
    return [z]


def _head(solution: Solution, output: sp.Symbol, closed: dict) -> list:
    head, setup = solution.head, solution.setup
    yhat = Equation(YHAT, _activation_forms(setup.activation, output), head.yhat,
                    shown={output: head.z})
    loss = Equation(LOSS, [_loss_form(setup.loss)], head.loss,
                    shown={LABEL: setup.label, YHAT: head.yhat})
    for equation, form in zip((yhat, loss), _head_closed_forms(solution, closed)):
        _attach_closed_form(equation, form)
    return [yhat, loss]


def _loss_form(loss: str) -> sp.Expr:
    with sp.evaluate(False):
        if loss == "bce":
            return -LABEL * sp.log(YHAT) - (1 - LABEL) * sp.log(1 - YHAT)
        return sp.Rational(1, 2) * (YHAT - LABEL) ** 2


def _loss_gradient(solution: Solution) -> Equation:
    with sp.evaluate(False):
        form = (YHAT - LABEL) / (YHAT * (1 - YHAT)) if solution.setup.loss == "bce" \
            else YHAT - LABEL
    return Equation(LOSS, [form], solution.head.dL_dyhat, wrt=YHAT,
                    shown={LABEL: solution.setup.label, YHAT: solution.head.yhat})


def _activation_slope(solution: Solution, output: sp.Symbol) -> Local:
    """dŶ/dz as a formula in Ŷ's own terms: σ(z)·(1 - σ(z)) with σ(z) shown as Ŷ."""
    activation, head = solution.setup.activation, solution.head
    with sp.evaluate(False):
        if activation == "sigmoid":
            call = symbolic.Sigmoid(output)
            formula = call * (1 - call)
        elif activation == "tanh":
            call = sp.tanh(output)
            formula = 1 - call ** 2
        else:
            call, formula = None, sp.Integer(1)
    shown = {call: head.yhat} if call is not None else {}
    return Local(YHAT, output, formula, head.dyhat_dz, shown=shown, partial=False)


# ----------------------------------------------------------------------------- backward

def _backward(solution: Solution, forms: list, tapes: list, output: sp.Symbol) -> list:
    """Nodes in reverse order; each input and param right after its earliest consumer, when
    its gradient is complete; unused inputs and params last."""
    graph = solution.graph
    consumers = _consumers(solution)
    output_index = next(k for k, n in enumerate(graph.nodes) if n.name == output.name)
    after: dict = {}  # node index -> the leaves whose earliest consumer it is, in leaf order
    for s in _leaves(graph):
        if consumers[s]:
            after.setdefault(consumers[s][0][0], []).append(s)
    steps = []
    for k in range(len(graph.nodes) - 1, -1, -1):
        node = graph.nodes[k]
        step = _step(solution, node.slot, consumers, forms, tapes)
        if node.slot == graph.scalars[output.name]:
            head = solution.head
            step.terms.insert(0, Term(YHAT, head.dL_dyhat, _activation_slope(solution, output),
                                      head.dL_dz))
        elif k > output_index:
            step.note = (f"{node.name} comes after the output {output.name}: it does not "
                         "affect the loss")
        steps.append(step)
        steps.extend(_step(solution, s, consumers, forms, tapes) for s in after.get(k, ()))
    steps.extend(_step(solution, s, consumers, forms, tapes) for s in _leaves(graph)
                 if not consumers[s])
    for step in steps:
        if not step.terms and step.note is None:
            step.note = f"no node uses {step.symbol.name}"
    return steps


def _leaves(graph) -> list:
    """Params, then inputs: the weights a student updates come before the data."""
    leaves = [s for s, slot in enumerate(graph.slots) if slot.kind in ("input", "param")]
    return sorted(leaves, key=lambda s: graph.slots[s].kind != "param")


def _consumers(solution: Solution) -> dict:
    """slot -> [(node index, ∂node/∂slot)] in forward order, from the solver's locals."""
    consumers: dict = {s: [] for s in range(len(solution.graph.slots))}
    for k, local in enumerate(solution.evaluation.local):
        for slot, partial in local:
            consumers[slot].append((k, partial))
    return consumers


def _step(solution: Solution, slot: int, consumers: dict, forms: list, tapes: list
          ) -> BackwardStep:
    graph = solution.graph
    symbol = leaf(graph.slots[slot].label)
    terms = []
    for k, partial in consumers[slot]:
        node = graph.nodes[k]
        upstream = solution.grads[node.slot]
        local = _local(solution, k, symbol, partial, forms[k], tapes[k])
        terms.append(Term(leaf(node.name), upstream, local, num.mul(upstream, partial)))
    return BackwardStep(symbol, graph.slots[slot].kind, terms, solution.grads[slot])


def _local(solution: Solution, k: int, wrt: sp.Symbol, value, form, tape) -> Local:
    """∂node/∂wrt.  Only what the formula shows is looked up (its symbols, calls and slopes,
    never the insides of a slope's call), so that a node of n inputs costs O(n) in all."""
    node = solution.graph.nodes[k]
    formula = symbolic.derivative(form.algebra, wrt)
    symbols, slopes = _parts(formula)
    cases = [_case(slope, form, tape) for slope in slopes]
    values = solution.evaluation.values
    own = {symbol: values[_slot_of(solution, symbol)] for symbol in symbols}
    own.update({case.slope: case.value for case in cases})
    if "calls" not in form.memo:  # the printer may meet a call as a part it builds (1/√x)
        form.memo["calls"] = {expr: tape[call.position] for expr, call in form.calls.items()}
    shown = ChainMap(own, form.memo["calls"])
    if "order" not in form.memo:
        form.memo["order"] = {leaf(solution.graph.slots[s].label): rank
                              for rank, s in enumerate(node.inputs)}
    return Local(leaf(node.name), wrt, formula, value, shown, form.memo["order"], cases)


def _slot_of(solution: Solution, symbol: sp.Symbol) -> int:
    name, _, index = symbol.name.partition("[")
    return solution.graph.slot_of(name, int(index[:-1]) if index else None)


def _parts(formula: sp.Expr) -> tuple:
    """The leaf symbols and the Slopes of a formula, each once, without entering a Slope (its
    call's arguments print as names): a max of n arguments costs O(n), not O(n) per slope."""
    symbols: dict = {}
    slopes: dict = {}
    stack = [formula]
    while stack:
        sub = stack.pop()
        if isinstance(sub, Slope):
            slopes[sub] = None
            continue
        if isinstance(sub, symbolic.Leaf):
            symbols[sub] = None
        stack.extend(reversed(sub.args))
    return list(symbols), list(slopes)


# ----------------------------------------------------------------------------- case rules

_WORDS = {"max": ("larger", "largest"), "min": ("smaller", "smallest")}


def _case(slope: Slope, form, tape: list) -> Case:
    call = form.calls[slope.call]
    key = ("case", call.position)
    if key not in form.memo:  # once per call, however many of its arguments are asked about
        values = [tape[p] for p in call.arg_positions]
        partials, convention = RULES[call.op].backward(values, tape[call.position],
                                                       [True] * len(values))
        operands = [Operand(expr, v) for expr, v in zip(slope.call.args, values)]
        winners = [j for j, v in enumerate(values) if num.cmp(v, tape[call.position]) == 0] \
            if call.op in _WORDS else None
        form.memo[key] = partials, convention, operands, winners
    partials, convention, operands, winners = form.memo[key]
    i = slope.index - 1
    if call.op in _WORDS:
        relation, rule = _extreme_reason(call.op, operands, winners, i)
        branch = None
    else:
        relation, rule, branch = _kink_reason(call.op, operands, i)
    return Case(slope, partials[i], branch, relation, rule, convention)


def _extreme_reason(op: str, operands: list, winners: list, i: int) -> tuple:
    word = _WORDS[op][len(operands) > 2]
    rule = f"{op} passes the gradient only to its {word} argument"
    toward, away = ("<", ">") if op == "min" else (">", "<")
    tied = len(winners) > 1
    if tied and _is_winner(winners, i):
        listed = winners if len(winners) <= MAX_LISTED + 1 else winners[:MAX_LISTED]
        if i not in listed:
            listed = sorted(listed[:-1] + [i])
        return Relation(tuple(operands[j] for j in listed), "=", (),
                        len(winners) - len(listed)), rule
    if _is_winner(winners, i):
        limit = len(operands) - 1 if len(operands) - 1 <= MAX_LISTED + 1 else MAX_LISTED
        others = []
        for j in range(len(operands)):
            if j != i and len(others) < limit:
                others.append(operands[j])
            elif len(others) == limit:
                break
        return Relation((operands[i],), toward, tuple(others),
                        len(operands) - 1 - len(others)), rule
    return Relation((operands[i],), away, (operands[winners[0]],)), rule


def _is_winner(winners: list, i: int) -> bool:
    """``i in winners`` for the sorted list of winners, without a linear scan."""
    at = bisect.bisect_left(winners, i)
    return at < len(winners) and winners[at] == i


def _kink_reason(op: str, operands: list, i: int) -> tuple:
    x = operands[0]
    sign = num.sign(x.value)
    relation = Relation((x,), {1: ">", -1: "<", 0: "="}[sign],
                        (Operand(None, ZERO),) if sign else ())
    branch = None
    if op == "relu":
        rule = "relu passes the gradient only where its input is positive"
    elif op == "abs":
        rule = "abs passes the gradient times the sign of its input"
    elif i == 0:
        rule = "leaky_relu passes the gradient where its input is positive, times the slope " \
               "elsewhere"
        branch = operands[1].expr if sign <= 0 else None
    else:
        rule = "the slope of leaky_relu acts only where its input is not positive"
        branch = x.expr if sign <= 0 else None
    if branch is not None and symbolic.is_number(branch):
        branch = None
    return relation, rule, branch
