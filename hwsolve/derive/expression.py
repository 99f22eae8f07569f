"""``hwsolve derive "EXPR" --wrt W --shape W=3x2``: a closed form of a bare expression.

The expression is parsed by the spec's own parser (never evaluated), differentiated by the
rules of :mod:`hwsolve.derive.rules`, and each form is checked against the gradient the engine
computes for a one-node problem ``f: EXPR`` (loss: none) at 20 random rational points.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace

from hwsolve.derive import form as F
from hwsolve.derive.finish import finish, refuse
from hwsolve.derive.result import LAYOUTS, Derivation
from hwsolve.derive.rules import Deriver, Refusal, Where
from hwsolve.errors import HwsolveError
from hwsolve.spec import expr as E
from hwsolve.spec.shapes import describe
from hwsolve.spec.vocab import FUNCTIONS

MAX_SIDE = 64


def parse_shape(text: str) -> tuple:
    """``W=3x2`` / ``x=2`` / ``c=1`` (a scalar is ``c=scalar`` or ``c=()``) -> (name, shape)."""
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(scalar|\(\)|\d+(?:\s*x\s*\d+)?)\s*",
                     text or "")
    if not m:
        raise HwsolveError(f"--shape {text!r}: write NAME=3x2 for a matrix, NAME=3 for a "
                           "vector, NAME=scalar for a scalar", where="--shape")
    n, spec = m.groups()
    if spec in ("scalar", "()"):
        return n, ()
    sides = tuple(int(s) for s in spec.split("x"))
    if any(not 1 <= s <= MAX_SIDE for s in sides):
        raise HwsolveError(f"--shape {text!r}: each side must be from 1 to {MAX_SIDE}",
                           where="--shape")
    return n, sides


def _names(text: str) -> list:
    """The names an expression uses, in order of appearance (functions excluded)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the parser below gives the sentence
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    first: dict = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called and node.id not in FUNCTIONS:
            place = (node.lineno, node.col_offset)
            first[node.id] = min(first.get(node.id, place), place)
    return sorted(first, key=first.get)


def derive_expression(text: str, shapes: dict | None = None, wrt: list | None = None, *,
                      layout: str = "variable", seed: int = 0, points: int = 20) -> Derivation:
    if layout not in LAYOUTS:
        raise HwsolveError(f"unknown layout {layout!r}; the layouts are "
                           f"{', '.join(LAYOUTS)}", where="--layout")
    shapes = dict(shapes or {})
    if not isinstance(text, str) or not text.strip():
        raise HwsolveError("give an expression to derive", where="EXPR")
    names = _names(text)
    for n in shapes:
        if n not in names:
            raise HwsolveError(f"--shape names {n!r}, which the expression does not use",
                               where="--shape")
    for n in names:
        shapes.setdefault(n, ())
    try:
        tree = E.parse_tensor(text, shapes)
    except E.ExprError as exc:
        raise HwsolveError(str(exc), where="EXPR") from None
    if tree.shape != ():
        raise HwsolveError(f"the expression is {describe(tree.shape)}; a gradient needs a "
                           "scalar, e.g. sum(...) or dot(u, v)", where="EXPR")
    wrt = list(wrt or names)
    for w in wrt:
        if w not in shapes:
            raise HwsolveError(f"--wrt {w}: the expression does not use {w!r}", where="--wrt")
    where = Where(set(names) | {"f"})
    deriver = Deriver(set(wrt), where)
    deriver.context = text.strip()
    try:
        deriver.back(tree, F.number(1))
        grads = {w: deriver.gradient(w, shapes[w]) for w in wrt}
    except Refusal as exc:
        raise refuse(exc, "EXPR") from None
    derivation = Derivation(text.strip(), "f", [], [], layout=layout, seed=seed)
    solve_at = _engine(tree, shapes, names)
    return finish(derivation, where, grads, solve_at, {n: shapes[n] for n in names},
                  points=points, own=False, deriver=deriver, what="EXPR")


def _engine(tree, shapes: dict, names: list):
    """``solve_at(values)``: the values and the engine's gradients of a one-node problem that
    computes the expression (names renamed v1, v2, ...: the spec reserves Y, L, Yhat)."""
    from hwsolve import api
    from hwsolve.spec.load import load_problem_text

    rename = {n: f"v{i}" for i, n in enumerate(names, start=1)}
    body = F.to_text(tree, rename)

    def zeros(shape):
        if shape == ():
            return "1"
        if len(shape) == 1:
            return "[" + ", ".join(["1"] * shape[0]) + "]"
        return "[" + ", ".join(["[" + ", ".join(["1"] * shape[1]) + "]"] * shape[0]) + "]"

    inputs = ", ".join(f"{rename[n]}: {zeros(shapes[n])}" for n in names) or ""
    yaml = (f"title: derive\ninputs: {{{inputs}}}\nnodes:\n  f: {body!r}\noutput: f\n"
            "activation: identity\nloss: none\n").replace("'", '"') if names else None
    if yaml is None:
        raise HwsolveError("the expression has no variables to differentiate", where="EXPR")
    problem = load_problem_text(yaml, "derive")
    base = api.resolve_setup(problem) if hasattr(api, "resolve_setup") else None
    if base is None:
        from hwsolve.engine.solve import resolve_setup
        base = resolve_setup(problem)

    def solve_at(values):
        from hwsolve.derive.check import SkipPoint
        from hwsolve.num import NumericError
        point = {rename[n]: v for n, v in values.items()}
        try:
            solution = api.solve_problem(problem, setup=replace(base, values=point))
        except (HwsolveError, NumericError) as exc:
            raise SkipPoint(str(exc)) from None
        kink = next((w for w in solution.warnings if " at 0" in w or "tie" in w), None)
        grads = solution.grad
        return {"pairs": [(dict(values), {n: grads[rename[n]] for n in names})],
                "kink": kink}
    return solve_at
