"""Case rules of the shown work: why min, max, relu, leaky_relu, abs (and a hinge margin) pass
what they pass, read off the solver's values, with the convention applied at a kink or a tie.
The value of each case is the solver's own (``RULES[op].backward``); nothing is recomputed."""

from __future__ import annotations

import bisect

from hwsolve import num
from hwsolve.ops.rules import RULES
from hwsolve.ops.vector import Hinge
from hwsolve.work import symbolic
from hwsolve.work.stepdata import Case, Operand, Relation
from hwsolve.work.symbolic import Slope

ZERO = num.ZERO
MAX_LISTED = 8
"""Operands listed in one case rule before "(and N more)" (never "and 1 more")."""


_WORDS = {"max": ("larger", "largest"), "min": ("smaller", "smallest"),
          "max_pool": ("larger", "largest")}


def case(slope: Slope, form, tape: list) -> Case:
    call = form.calls[slope.call]
    key = ("case", call.position, call.margin)
    if key not in form.memo:  # once per call, however many of its arguments are asked about
        values = [tape[p] for p in call.arg_positions]
        out = tape[call.position]
        if call.margin is not None:  # relu(margin j) inside a hinge loss: the solver's margin
            j, payload = call.margin
            values = [Hinge._margins(values, payload)[j]]
            out = RULES["relu"].forward(values)
        partials, convention = RULES[call.op].backward(values, out, [True] * len(values))
        operands = [Operand(expr, v) for expr, v in zip(slope.call.args, values)]
        winners = [j for j, v in enumerate(values) if num.cmp(v, out) == 0] \
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
