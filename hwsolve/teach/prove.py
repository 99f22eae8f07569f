"""``hwsolve prove LEFT RIGHT``: an identity shown with SymPy, in the steps a student writes.

The two sides are parsed with Python's ``ast`` and a whitelist (the functions of the problem
format plus ``diff(expr, var)``, ``softplus``, ``sinh`` and ``cosh``), and the SymPy objects are
built here from that tree: user text never reaches ``sympify``, ``parse_expr`` or ``eval``.

The steps: differentiate (when ``diff`` appears), rewrite σ and tanh in exponentials, bring
each side to a common denominator, and expand the numerator of the difference.  A numerator
that expands to 0 proves the identity; otherwise ``simplify`` gets a try within a time and size
cap.  When that fails too, the sides are compared at sample points to 60 digits: a clear
difference at one point is a counterexample; agreement everywhere is reported as undecided,
never as proved.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.spec.expr import _FORBIDDEN_OPERATORS, _WHY_NOT, MAX_DEPTH, _check_bracket_depth, \
    ExprError
from hwsolve.teach.limits import MAX_DIGITS, Timeout as _Timeout, in_child as _in_child, \
    magnitude as _magnitude, time_limit as _time_limit  # noqa: F401 (MAX_DIGITS re-exported)
from hwsolve.work.symbolic import Sigmoid, latex, size_ok, text
from hwsolve.words import plural

MAX_TEXT = 2000
MAX_EXPONENT = 64
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_OPS = 400
SAMPLES = (Fraction(1, 2), Fraction(-1), Fraction(2), Fraction(-3, 2), Fraction(1),
           Fraction(3), Fraction(-1, 3), Fraction(5, 4))
ZERO_BELOW = sp.Float("1e-45", 60)  # |difference| under this at 60 digits counts as "agrees"

FUNCTIONS = ("exp", "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "softplus", "sinh",
             "cosh", "diff")


@dataclass
class Step:
    title: str           # "Rewrite in exponentials", ...
    rule: str            # one sentence: what was done
    left: object         # SymPy expression, or None for a step about the difference
    right: object


@dataclass
class Proof:
    left_text: str
    right_text: str
    left: object         # SymPy, as written (derivatives unevaluated)
    right: object
    verdict: str         # "proved" | "different" | "undecided"
    reason: str
    steps: list = field(default_factory=list)
    counterexample: dict | None = None   # {"at": {x: value}, "left", "right", "exact"}
    title: str = ""

    @property
    def proved(self) -> bool:
        return self.verdict == "proved"

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.proof_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render.teach import proof_markdown
        return proof_markdown(self)

    def _repr_latex_(self):
        from hwsolve.render.teach import proof_latex
        return proof_latex(self, standalone=False)


# ----------------------------------------------------------------------------- parsing

def parse_side(source: str, where: str) -> sp.Expr:
    """One side of the identity as a SymPy expression with unevaluated derivatives."""
    source = source.strip()
    if not source:
        raise HwsolveError("the expression is empty", where=where)
    if len(source) > MAX_TEXT:
        raise HwsolveError(f"the expression is longer than {MAX_TEXT} characters", where=where)
    try:
        _check_bracket_depth(source)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
        built = _Builder(source).build(tree.body, 0)
        _magnitude(built)
        return built
    except SyntaxError as exc:
        detail = f" ({exc.msg})" if exc.msg and "invalid syntax" not in exc.msg else ""
        raise HwsolveError(f"not a valid expression{detail}: {source!r}"[:300],
                           where=where) from None
    except ExprError as exc:
        raise HwsolveError(str(exc), where=where) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise HwsolveError("the expression is too long or too deeply nested", where=where) \
            from None


class _Builder:
    def __init__(self, source: str):
        self.source_bytes = source.encode()
        self.source = source

    def build(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise ExprError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        depth += 1
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op in _FORBIDDEN_OPERATORS:
                raise ExprError(_FORBIDDEN_OPERATORS[op])
            left, right = self.build(node.left, depth), self.build(node.right, depth)
            if op is ast.Add:
                return left + right
            if op is ast.Sub:
                return left - right
            if op is ast.Mult:
                return left * right
            if op is ast.Div:
                if right == 0:
                    raise ExprError("division by zero")
                return left / right
            if op is ast.Pow:
                if right.is_Number and abs(right) > MAX_EXPONENT:
                    raise ExprError(f"exponents are limited to ±{MAX_EXPONENT} here")
                _magnitude(sp.Pow(left, right, evaluate=False))  # before SymPy multiplies out
                return left ** right
            raise ExprError(f"the operator {op.__name__} is not allowed")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.build(node.operand, depth)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth)
            raise ExprError("'not' and '~' are not allowed")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExprError("only numbers, names and the listed functions are allowed")
            text_ = self.segment(node)
            value = num.parse_decimal(text_)
            return sp.Rational(value.numerator, value.denominator)
        if isinstance(node, ast.Name):
            return self.variable(node.id)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise ExprError(_WHY_NOT.get(type(node), f"{type(node).__name__} is not allowed in an "
                                     "expression"))

    def segment(self, node: ast.AST) -> str:
        if node.lineno == node.end_lineno == 1:
            return self.source_bytes[node.col_offset:node.end_col_offset].decode()
        return ast.get_source_segment(self.source, node) or ""

    @staticmethod
    def variable(name: str) -> sp.Symbol:
        if name.startswith("_"):
            raise ExprError(f"{name!r}: names starting with _ are not allowed")
        if name in FUNCTIONS:
            raise ExprError(f"{name} is a function; call it as {name}(...)")
        if len(name) > 32:
            raise ExprError("variable names are limited to 32 characters")
        return sp.Symbol(name, real=True)

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "this"
            raise ExprError(f"unknown function {name!r}; the functions are "
                            + ", ".join(FUNCTIONS))
        fn = node.func.id
        if node.keywords:
            raise ExprError(f"{fn}() takes no keyword arguments")
        if fn == "diff":
            if len(node.args) != 2 or not isinstance(node.args[1], ast.Name):
                raise ExprError("diff(expr, var) takes an expression and a variable name")
            var = self.variable(node.args[1].id)
            return sp.Derivative(self.build(node.args[0], depth), var)
        if len(node.args) != 1:
            raise ExprError(f"{fn}(x) takes exactly one argument")
        arg = self.build(node.args[0], depth)
        return {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs,
                "sigmoid": Sigmoid, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
                "relu": lambda u: sp.Max(0, u),
                "softplus": lambda u: sp.log(1 + sp.exp(u))}[fn](arg)


# ----------------------------------------------------------------------------- proving

def prove(left_text: str, right_text: str, *, timeout: float = DEFAULT_TIMEOUT,
          max_ops: int = DEFAULT_MAX_OPS, title: str = "") -> Proof:
    left = parse_side(left_text, "LEFT")
    right = parse_side(right_text, "RIGHT")
    proof = Proof(left_text.strip(), right_text.strip(), left, right, "undecided", "",
                  title=title)
    proof.steps.append(Step("Claim", "the identity to show", left, right))
    too_big = [side for side, e in (("left", left), ("right", right))
               if not _small(e, max_ops)]
    if too_big:
        proof.reason = (f"the {' and '.join(too_big)} side has more than {max_ops} operations "
                        "(the size cap); not attempted")
        return proof
    finished = _in_child(lambda: _attempt(proof, timeout, max_ops), 2 * timeout + 1)
    if finished is None:
        proof.reason = (f"the proof did not finish within the time cap of {timeout:g} s "
                        "(--timeout) and was stopped")
        return proof
    return finished


def _attempt(proof: Proof, timeout: float, max_ops: int) -> Proof:
    try:
        with _time_limit(timeout):
            _symbolic(proof, max_ops)
    except _Timeout:
        proof.reason = f"SymPy did not finish within the time cap of {timeout:g} s"
    if proof.verdict == "proved":
        return proof
    try:
        with _time_limit(timeout):
            _numeric(proof)
    except _Timeout:
        proof.reason += f"; the numeric comparison did not finish within {timeout:g} s"
    return proof


def _small(expr, max_ops: int) -> bool:
    return sum(not e.is_Atom for e in sp.preorder_traversal(expr)) <= max_ops and size_ok(expr)


def _symbolic(proof: Proof, max_ops: int) -> None:
    left, right = proof.left, proof.right
    if left.has(sp.Derivative) or right.has(sp.Derivative):
        left, right = left.doit(), right.doit()
        proof.steps.append(Step("Differentiate", "apply the derivative rules (σ' = σ·(1 − σ), "
                                "tanh' = 1 − tanh², chain rule)", left, right))
    rewritten = _exponentials(left), _exponentials(right)
    if rewritten != (left, right):
        left, right = rewritten
        proof.steps.append(Step("Rewrite in exponentials", "σ(u) = 1/(1 + e^(−u)), tanh(u) = "
                                "(e^u − e^(−u))/(e^u + e^(−u))", left, right))
    together = sp.together(left), sp.together(right)
    if together != (left, right):
        left, right = together
        proof.steps.append(Step("Common denominator", "bring each side over one denominator",
                                left, right))
    numerator, denominator = sp.fraction(sp.together(left - right))
    expanded = sp.expand(numerator)
    proof.steps.append(Step("Difference", "left − right over a common denominator, numerator "
                            "expanded", expanded / denominator, None))
    if expanded == 0:
        proof.verdict, proof.reason = "proved", "the difference simplifies to 0"
        return
    simplified = sp.simplify(left - right)
    if simplified == 0:
        proof.steps.append(Step("Simplify", "SymPy's simplify reduces the difference",
                                sp.Integer(0), None))
        proof.verdict, proof.reason = "proved", "the difference simplifies to 0"
        return
    proof.reason = f"SymPy could not reduce the difference to 0 (it stays {text(simplified)})"


def _exponentials(expr):
    expr = expr.replace(lambda e: isinstance(e, Sigmoid), lambda e: 1 / (1 + sp.exp(-e.args[0])))
    return expr.rewrite(sp.tanh, sp.exp).rewrite(sp.sinh, sp.exp).rewrite(sp.cosh, sp.exp)


def _numeric(proof: Proof) -> None:
    """Compare the sides at sample points; a counterexample only from a clear difference."""
    left, right = _exponentials(proof.left.doit()), _exponentials(proof.right.doit())
    symbols = sorted(left.free_symbols | right.free_symbols, key=lambda s: s.name)
    agreed = 0
    for i in range(len(SAMPLES)):
        point = {s: SAMPLES[(i + 3 * j) % len(SAMPLES)] for j, s in enumerate(symbols)}
        at = {s: sp.Rational(v.numerator, v.denominator) for s, v in point.items()}
        lv, rv = left.subs(at), right.subs(at)
        if not (_real_number(lv) and _real_number(rv)):
            continue
        difference = sp.N(lv - rv, 60)
        if difference.is_zero or abs(difference) < ZERO_BELOW:
            agreed += 1
            continue
        exact = lv.is_Rational and rv.is_Rational
        proof.verdict = "different"
        proof.reason = ("the sides differ at " + ", ".join(f"{s} = {v}" for s, v in
                                                        point.items()) if point else
                        "the sides are different numbers")
        proof.counterexample = {
            "at": {s.name: v for s, v in point.items()},
            "left": lv if exact else sp.N(lv, 60), "right": rv if exact else sp.N(rv, 60),
            "difference": (lv - rv) if exact else difference, "exact": bool(exact)}
        return
    if agreed:
        proof.reason += (f"; the sides agree to 45 digits at {plural(agreed, 'sample point')} where "
                         "both are real, which is evidence, not a proof")
    else:
        proof.reason += "; no sample point gave both sides a real value"


def _real_number(value) -> bool:
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return False
    try:
        v = sp.N(value, 30)
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return bool(v.is_real and v.is_finite)


def claim_text(expr) -> str:
    """A side as written, with ``d/dx(...)`` for an unevaluated derivative."""
    return text(_marked(expr, "text"))


def claim_latex(expr) -> str:
    return latex(_marked(expr, "latex"))


def _marked(expr, style: str):
    def mark(d):
        var = d.variables[0]
        name = f"d/d{var.name}" if style == "text" else rf"\frac{{d}}{{d{var.name}}}"
        return sp.Function(name)(d.expr)
    return expr.replace(lambda e: isinstance(e, sp.Derivative), mark)
