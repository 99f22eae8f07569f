"""SymPy forms of node expressions, and the two printers (Unicode text and LaTeX) of ``--steps``.

A node's expression is converted three ways, always from the node's own parsed expression and
never from a composed whole-graph expression:

* ``display``: unevaluated, in the order the spec wrote it (``W2*(H2/H1)`` stays so), for the
  forward steps;
* ``algebra``: evaluated, and differentiated with respect to each direct input for the local
  derivative formulas;
* ``closed_form``: the exact value, from the exact values of the inputs (``--exact``).

min, max, relu, leaky_relu and abs are :class:`Kinked` functions: their derivative is a
:class:`Slope`, a case rule that ``steps`` explains from the solver's values, never a Heaviside
expression.  Numbers written with a decimal point stay as written (``0.5``, not ``1/2``) because
they become :class:`Literal` symbols.

The printers print SymPy expressions, optionally with some subexpressions shown as numbers
(``shown``) and with factors put back in the spec's order of first use (``order``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from fractions import Fraction

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.printer import Printer

from hwsolve.spec import expr as E
from hwsolve import num
from hwsolve.engine.graph import Graph, NodeProgram
from hwsolve.ops.registry import REGISTRY
from hwsolve.work import vector_forms

MAX_CLOSED_FORM_OPS = 300
"""A closed form with more operations than this is skipped (with a note): nobody reads it."""


# ----------------------------------------------------------------------------- symbols

class Leaf(sp.Symbol):
    """An input, param, constant or node of the spec, named by its slot label (``W1[2]``)."""


class Literal(sp.Symbol):
    """A non-integer number written in an expression, kept as a symbol named by its text so that
    ``0.5`` prints as written and is not merged with other numbers."""

    @property
    def value(self) -> Fraction:
        return num.parse_decimal(self.name)


def leaf(label: str) -> Leaf:
    return Leaf(label, real=True)


YHAT, LABEL, LOSS = leaf("Yhat"), leaf("Y"), leaf("L")


# ----------------------------------------------------------------------------- functions

class Sigmoid(sp.Function):
    nargs = 1

    def fdiff(self, argindex=1):
        return self * (1 - self)


class Kinked(sp.Function):
    """A piecewise-linear function: ∂f/∂(argument i) is the case rule ``Slope(i, f(...))``.

    A max of 1,000 arguments is asked for its free symbols once per Slope of it; they are
    worked out once (SymPy objects are immutable, so they cannot change)."""
    op = ""

    def fdiff(self, argindex=1):
        return Slope(sp.Integer(argindex), self)

    @property
    def free_symbols(self):
        found = self.__dict__.get("_free")
        if found is None:
            found = self.__dict__["_free"] = frozenset(super().free_symbols)
        return set(found)

    def positions(self) -> dict:
        """symbol -> the argument numbers (1-based) whose expression contains it."""
        found = self.__dict__.get("_positions")
        if found is None:
            found = self.__dict__["_positions"] = {}
            for i, arg in enumerate(self.args, start=1):
                for symbol in arg.free_symbols:
                    found.setdefault(symbol, []).append(i)
        return found


class Maximum(Kinked):
    op = "max"


class Minimum(Kinked):
    op = "min"


class Relu(Kinked):
    op = "relu"


class LeakyRelu(Kinked):
    op = "leaky_relu"


class AbsValue(Kinked):
    op = "abs"


class BigPower(sp.Function):
    """A constant power whose exact value would pass num.MAX_EXACT_BITS (``7 ** 3000``): kept
    as written, since SymPy would compute it with no size cap (``3 ** 10 ** 9`` hangs)."""
    nargs = 2


def _too_big(op: str, args: list) -> bool:
    """Would SymPy's exact value of this operation on numbers pass num.MAX_EXACT_BITS?"""
    if not all(a.is_Rational for a in args):
        return False
    sizes = [max(a.p.bit_length(), a.q.bit_length()) for a in args]
    if op == "pow":
        return sizes[0] * abs(args[1]) > num.MAX_EXACT_BITS
    return op in ("mul", "div", "dot") and sum(sizes) > num.MAX_EXACT_BITS


class Slope(sp.Function):
    """``Slope(i, f(a, b))``: the derivative of the kinked call f(a, b) with respect to its
    i-th argument, whose value and reason come from the solver, case by case."""
    nargs = 2

    @property
    def index(self) -> int:
        return int(self.args[0])

    @property
    def call(self) -> Kinked:
        return self.args[1]


_KINKED = {cls.op: cls for cls in (Maximum, Minimum, Relu, LeakyRelu, AbsValue)}


# ----------------------------------------------------------------------------- conversion

@dataclass
class Call:
    """One function call inside a node, with the tape positions of its value and arguments."""
    op: str
    expr: sp.Expr            # the call in the algebraic form
    position: int
    arg_positions: tuple
    margin: tuple | None = None   # a hinge term relu(margin j): (j, the loss's payload)


@dataclass
class NodeForm:
    display: sp.Expr
    algebra: sp.Expr
    calls: dict = field(default_factory=dict)   # algebraic call -> Call
    memo: dict = field(default_factory=dict)    # what steps works out once per node


def node_form(graph: Graph, program: NodeProgram) -> NodeForm:
    display = _Converter(graph, program, "display").root()
    converter = _Converter(graph, program, "algebra")
    algebra = converter.root()
    return NodeForm(display, algebra, {call.expr: call for call in converter.calls})


def closed_form(graph: Graph, program: NodeProgram, exact_inputs: dict, tape_values: list):
    """The exact value of a node from the exact values of its inputs (``slot -> SymPy``), kinks
    resolved by the solver's values; :class:`Skipped` when it would be too large to show."""
    converter = _Converter(graph, program, "exact", exact_inputs, tape_values)
    value = converter.root()
    return too_large(value) or value


def derivative(expr: sp.Expr, wrt: sp.Symbol) -> sp.Expr:
    """``sp.diff(expr, wrt)``, the same expression, built by the same rules of each class
    (Add, Mul, Pow, Function.fdiff) without wrapping every level in a ``Derivative``, whose
    constructor asks SymPy's assumptions whether each partial result is zero: that was most of
    the time of ``--steps``."""
    memo: dict = {}

    def d(e):
        found = memo.get(e)
        if found is not None:
            return found
        if e == wrt:
            result = sp.S.One
        elif e.is_Atom or wrt not in e.free_symbols:
            result = sp.S.Zero
        elif e.is_Add:
            result = e.func(*[d(a) for a in e.args])
        elif e.is_Mul:  # the general Leibniz rule at order 1, as Mul._eval_derivative_n_times
            args = list(e.args)
            result = sp.Add(*[sp.Mul(*(args[:i] + [d(a)] + args[i + 1:]))
                              for i, a in enumerate(args)])
        elif e.is_Pow:
            base, exponent = e.args
            result = e * (d(exponent) * sp.log(base) + d(base) * exponent / base)
        elif isinstance(e, sp.Function) and type(e)._eval_derivative is \
                sp.Function._eval_derivative:
            terms = []
            numbers = e.positions().get(wrt, ()) if isinstance(e, Kinked) \
                else range(1, len(e.args) + 1)  # only the arguments that contain wrt
            for i in numbers:
                da = d(e.args[i - 1])
                if da.is_zero:
                    continue
                terms.append(e.fdiff(i) * da)
            result = sp.Add(*terms)
        else:
            result = sp.diff(e, wrt)
        memo[e] = result
        return result

    return d(expr)


def sigmoid_form(z: sp.Expr, evaluate: bool = True) -> sp.Expr:
    """1/(1 + e^(-z)), unevaluated for a non-number z (see _Converter.apply)."""
    exp = sp.exp(sp.Mul(-1, z, evaluate=evaluate), evaluate=evaluate)
    return sp.Pow(sp.Add(1, exp, evaluate=evaluate), -1, evaluate=evaluate)


def exact_number(value) -> sp.Expr:
    """A solver Fraction as a SymPy Rational."""
    return sp.Rational(value.numerator, value.denominator)


MAX_SLOPE_ARGS = 12
"""A slope of a call with more arguments prints as ``max'₅(P1, P2, P3, …, P1000)``."""

MAX_CLOSED_FORM_DEPTH = 80
"""A closed form nested deeper than this is skipped (with a note): the printers recurse, and
a deep enough form (a valid 80-node sigmoid chain) would exhaust Python's stack."""


@dataclass(frozen=True)
class Skipped:
    """A closed form not built or not shown, and why (a clause: "it would …")."""
    reason: str


def too_large(expr: sp.Expr) -> Skipped | None:
    """Why ``expr`` is not shown, or None: more than MAX_CLOSED_FORM_OPS operations, counted
    as the tree's function, power, sum and product nodes (``sp.count_ops`` would ask SymPy's
    assumptions, which evalf the whole nested form), or more than MAX_CLOSED_FORM_DEPTH levels
    of them.  Walked with a stack of its own, never recursively."""
    operations = 0
    stack = [(expr, 1)]
    while stack:
        sub, depth = stack.pop()
        if sub.is_Atom:
            continue
        operations += 1
        if operations > MAX_CLOSED_FORM_OPS:
            return Skipped(f"it would take more than {MAX_CLOSED_FORM_OPS} operations")
        if depth > MAX_CLOSED_FORM_DEPTH:
            return Skipped(f"it would nest more than {MAX_CLOSED_FORM_DEPTH} levels deep")
        stack.extend((arg, depth + 1) for arg in sub.args)
    return None


def size_ok(expr: sp.Expr) -> bool:
    return too_large(expr) is None


def is_number(expr: sp.Expr) -> bool:
    """A number as written (2, 0.5, -0.3): nothing to explain beside its value."""
    return bool(expr.is_Number or isinstance(expr, Literal) or
                (expr.is_Mul and all(is_number(a) for a in expr.args)))


class _Converter:
    """Walks a node's expression in the solver's tape order, so that every function call is
    paired with the tape position that holds its value (``graph._compile`` emits the same
    postorder: arguments first, a vector as its entries, then the call)."""

    def __init__(self, graph: Graph, program: NodeProgram, mode: str, exact_inputs=None,
                 tape_values=None):
        self.graph = graph
        self.program = program
        self.mode = mode
        self.evaluate = mode != "display"
        self.exact_inputs = exact_inputs
        self.tape_values = tape_values
        self.position = 0
        self.calls: list = []

    def root(self) -> sp.Expr:
        (result,) = self.convert(self.program.expr)
        return result

    def convert(self, e: E.Expr) -> list:
        if isinstance(e, E.Num):
            self.position += 1
            return [self.number(e)]
        if isinstance(e, E.Name):
            return [self.load(self.graph.scalars[e.name])]
        if isinstance(e, E.Item):
            return [self.load(self.graph.slot_of(e.name, e.index))]
        if isinstance(e, E.VectorName):
            return [self.load(slot) for slot in self.graph.vectors[e.name]]
        if isinstance(e, E.Context):
            return [self.load(e.slot)]
        if isinstance(e, E.VectorLit):
            return [x for item in e.items for x in self.convert(item)]
        args = [x for arg in e.args for x in self.convert(arg)]
        if e.op == "pow" and isinstance(e.args[1], E.Num):
            args[1] = exact_number(e.args[1].value)  # x**2 differentiates to 2*x, not 2*x**(2 - 1)
        position = self.position
        self.position += 1
        op, arg_positions, payload = self.program.tape[position]
        if op != e.op:
            raise AssertionError(f"tape out of step at {self.program.name}: {op} != {e.op}")
        if op in vector_forms.OPS:
            return [self.vector_op(op, args, position, arg_positions, payload)]
        result = self.apply(e.op, args, position, arg_positions)
        if e.op in _FUNCTIONS:
            self.calls.append(Call(e.op, result, position, arg_positions))
        return [result]

    def load(self, slot: int) -> sp.Expr:
        self.position += 1
        if self.mode == "exact":
            return self.exact_inputs[slot]
        return leaf(self.graph.slots[slot].label)

    def number(self, e: E.Num) -> sp.Expr:
        value = e.value
        plain_integer = value.denominator == 1 and not re.search(r"[.eE]", e.text)
        if self.mode == "exact" or plain_integer or not value:
            return exact_number(value)
        magnitude = Literal(e.text.lstrip("+-"), positive=True)
        return sp.Mul(-1, magnitude, evaluate=self.evaluate) if value < 0 else magnitude

    def apply(self, op: str, args: list, position: int, arg_positions: tuple) -> sp.Expr:
        ev = self.evaluate
        if self.mode == "exact" and not all(a.is_Number for a in args):
            # Evaluating tanh(e^(...) + ...) makes SymPy ask for signs, which runs evalf over
            # the whole nested closed form, retrying at rising precision: seconds to minutes
            # for a 20-node graph.  Numbers still evaluate (e^(1/2), not exp(-(-1/2))).
            ev = False
        if self.evaluate and _too_big(op, args):
            if op == "pow":
                return BigPower(*args)
            ev = False
        if self.mode == "exact" and op not in _ARITHMETIC:
            return self.exact_call(op, args, position, arg_positions, ev)
        return REGISTRY[op].sympy(sp, _FORMS, args, None, ev)

    def vector_op(self, op: str, args: list, position: int, arg_positions: tuple,
                  payload) -> sp.Expr:
        """softmax, log_softmax, mean, softplus, identity and the losses (work/vector_forms)."""
        if self.mode == "exact":
            ev = all(a.is_Number for a in args)
            positive = None
            if op == "loss_hinge":
                from hwsolve.ops.vector import Hinge
                values = [self.tape_values[p] for p in arg_positions]
                positive = [num.sign(m) > 0 for m in Hinge._margins(values, payload)]
            return vector_forms.exact(op, args, payload, ev, positive)
        result = REGISTRY[op].sympy(sp, _FORMS, args, payload, self.evaluate)
        if op in ("softmax", "log_softmax", "softplus"):
            self.calls.append(Call(op, result, position, arg_positions))
        elif op == "loss_hinge":
            for (j, _), term in zip(vector_forms.margins(args, payload, False),
                                    vector_forms.hinge_terms(args, payload, self.evaluate)):
                self.calls.append(Call("relu", term, position, arg_positions, (j, payload)))
        return result

    def exact_call(self, op: str, args: list, position: int, arg_positions: tuple,
                   ev: bool) -> sp.Expr:
        """A function of exact values; a kink takes the branch the solver's values chose."""
        if op == "sigmoid":
            return sigmoid_form(args[0], ev)
        if op == "sqrt":
            return sp.Pow(args[0], sp.Rational(1, 2), evaluate=ev)
        if op in _SMOOTH:
            return _SMOOTH[op](*args, evaluate=ev)
        values = [self.tape_values[p] for p in arg_positions]
        if op in ("max", "min"):
            out = self.tape_values[position]
            return args[next(i for i, v in enumerate(values) if num.cmp(v, out) == 0)]
        positive = num.sign(values[0]) > 0
        if op == "relu":
            return args[0] if positive else sp.Integer(0)
        if op == "leaky_relu":
            return args[0] if positive else sp.Mul(args[1], args[0], evaluate=ev)
        return sp.Mul(num.sign(values[0]), args[0], evaluate=ev)  # abs


_SMOOTH = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sigmoid": Sigmoid}
_ARITHMETIC = ("add", "sum", "sub", "neg", "mul", "div", "pow", "dot")
# What the registry's SymPy forms use beside SymPy itself (hwsolve/ops/registry.py, SYMPY).
_FORMS = SimpleNamespace(Sigmoid=Sigmoid, KINKED=_KINKED, vector_form=vector_forms.form)
_FUNCTIONS = {"exp", "log", "tanh", "sigmoid", "sqrt", *_KINKED}


# ----------------------------------------------------------------------------- printing

def text(expr, shown: dict | None = None, digits: int = 3, order: dict | None = None) -> str:
    """One-line Unicode: ``-W2·H2/H1²``; with ``shown``, those subexpressions as numbers."""
    return _TextPrinter(shown, digits, order).doprint(expr)


def latex(expr, shown: dict | None = None, digits: int = 3, order: dict | None = None) -> str:
    """LaTeX from SymPy's printer: ``-\\frac{W_{2} \\cdot H_{2}}{H_{1}^{2}}``."""
    return _LatexPrinter(shown, digits, order).doprint(expr)


def text_name(symbol: sp.Symbol) -> str:
    """``Ŷ`` for the output (and ``Ŷ[2]`` for an entry of a vector output)."""
    name = symbol.name
    if name == "Yhat" or name.startswith("Yhat["):
        return "Ŷ" + name[4:]
    return name


def latex_name(symbol: sp.Symbol) -> str:
    return _LatexPrinter(None, 3, None)._print_Symbol(symbol)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class _Layout:
    """Sign, fraction and bracket decisions shared by both printers.

    A shown number or a negative number is an atom that may need brackets: ``2 + (-1)``,
    ``-3·(-1/1.5)``, ``-(-3)``, ``(-1)²``.  Sums inside sums are flattened, and with ``order``
    the factors and terms are sorted by the spec's order of first use (SymPy sorts them by
    name, which would turn ``-W2·H2/H1²`` into ``-H2·W2/H1²``).
    """

    times = ""
    minus = "-"
    stacked_fractions = False  # \frac puts its numerator out of reach of a sign before it

    def setup(self, shown, digits, order):
        self.shown = shown or {}
        self.digits = digits
        self.spec_order = order
        self.ranks: dict = {}

    # -- hooks each printer defines
    def paren(self, inner: str) -> str:
        raise NotImplementedError

    def fraction(self, numer: list, numer_text: str, denom: list, denom_text: str) -> str:
        raise NotImplementedError

    # -- shared
    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Basic) and expr in self.shown:
            return num.fmt_sig(self.shown[expr], self.digits)
        return super()._print(expr, **kwargs)

    def listed(self, args: tuple, ellipsis: str) -> list:
        """A slope's arguments: all of them, or for a long call (a max of 1,000) the first
        three, an ellipsis and the last, so that each slope prints in constant size."""
        if len(args) <= MAX_SLOPE_ARGS:
            return [self._print(a) for a in args]
        return [self._print(a) for a in args[:3]] + [ellipsis, self._print(args[-1])]

    def negative_atom(self, expr) -> bool:
        if isinstance(expr, sp.Basic) and expr in self.shown:
            return num.sign(self.shown[expr]) < 0
        return bool(expr.is_Number and expr < 0)

    def opaque(self, expr) -> bool:
        return isinstance(expr, sp.Basic) and expr in self.shown

    def split_sign(self, expr) -> tuple:
        """(negative, factors): ``-2*x`` is (True, [2, x]); a shown negative stays an atom."""
        if self.opaque(expr):
            return False, [expr]
        if expr.is_Mul:
            first, rest = expr.args[0], list(expr.args[1:])
            if first.is_Number and first < 0 and not self.opaque(first):
                return True, ([-first] if first != -1 else []) + rest or [sp.Integer(1)]
            return False, list(expr.args)
        if expr.is_Number and expr < 0:
            return True, [-expr]
        return False, [expr]

    def rank(self, expr) -> int:
        ranks = self.ranks.get(expr)  # sorting asks again for the same factors and terms
        if ranks is None:
            ranks = self.ranks[expr] = min(
                (self.spec_order[s] for s in expr.free_symbols if s in self.spec_order),
                default=len(self.spec_order))
        return ranks

    def sorted_factors(self, factors: list) -> list:
        """Numbers first, then by first use; a sum after a plain factor of the same rank."""
        if not self.spec_order:
            return factors
        return sorted(factors, key=lambda f: (not (f.is_Number or isinstance(f, Literal)),
                                              self.rank(f), f.is_Add))

    def split_fraction(self, factors: list) -> tuple:
        """Numerator and denominator factors: ``x**-2`` and the 2 of ``3/2`` go below."""
        numer, denom = [], []
        for f in factors:
            if self.opaque(f):
                numer.append(f)
            elif f.is_Pow and f.exp.is_Number and f.exp < 0:
                denom.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            elif f.is_Rational and not f.is_Integer:
                numer += [sp.Integer(f.p)] if f.p != 1 else []
                denom.append(sp.Integer(f.q))
            else:
                numer.append(f)
        return numer, denom

    def magnitude(self, factors: list, guarded: bool) -> str:
        """The product or fraction of ``factors``, without its sign.  ``guarded``: a sign or
        operator comes just before, so a leading negative number needs brackets."""
        if guarded and self.magnitude_needs_brackets(factors):
            return self.paren(self._print(factors[0]))
        numer, denom = self.split_fraction(self.sorted_factors(factors))
        numer_guarded = guarded and not (denom and self.stacked_fractions)
        numer_text = self.product(numer, leading_minus=numer_guarded) if numer else "1"
        if denom:
            return self.fraction(numer, numer_text, denom, self.product(denom, False))
        return numer_text

    def magnitude_needs_brackets(self, factors: list) -> bool:
        """``-(-3)``: a negated shown negative; ``-(a + b)``: a negated sum."""
        if len(factors) != 1:
            return False
        f = factors[0]
        return self.negative_atom(f) or (f.is_Add and not self.opaque(f))

    def product(self, factors: list, leading_minus: bool) -> str:
        parts = []
        for i, f in enumerate(factors):
            part = self._print(f)
            if self.factor_needs_brackets(f, first=i == 0 and not leading_minus,
                                          alone=len(factors) == 1):
                part = self.paren(part)
            parts.append(part)
        return self.times.join(parts)

    def factor_needs_brackets(self, f, first: bool, alone: bool) -> bool:
        if self.opaque(f) or f.is_Number:
            return self.negative_atom(f) and not first
        if f.is_Add:
            return not alone
        if f.is_Mul:
            return self.split_sign(f)[0] and not first
        return False

    def terms(self, expr) -> list:
        flat = []
        for term in expr.args:
            flat.extend(self.terms(term) if term.is_Add and not self.opaque(term) else [term])
        if self.spec_order:
            flat.sort(key=lambda t: (not (t.is_Number and t > 0), self.rank(t)))  # 1 - σ(x)
        return flat

    def _print_Add(self, expr, order=None):
        out = ""
        for i, term in enumerate(self.terms(expr)):
            negative, factors = self.split_sign(term)
            if negative:
                out += (" - " if i else self.minus) + self.magnitude(factors, guarded=True)
                continue
            out += " + " + self.magnitude(factors, guarded=True) if i else self._print(term)
        return out

    def _print_Mul(self, expr):
        negative, factors = self.split_sign(expr)
        return (self.minus if negative else "") + self.magnitude(factors, guarded=negative)

    def pow_base(self, base) -> str:
        text = self._print(base)
        if self.negative_atom(base) or (not self.opaque(base) and (
                base.is_Add or base.is_Mul or base.is_Pow or
                (base.is_Rational and not base.is_Integer))):
            return self.paren(text)
        return text


class _TextPrinter(_Layout, Printer):
    times = "·"

    def __init__(self, shown, digits, order):
        Printer.__init__(self)
        self.setup(shown, digits, order)

    def paren(self, inner: str) -> str:
        return f"({inner})"

    def fraction(self, numer, numer_text, denom, denom_text) -> str:
        if len(numer) == 1 and numer[0].is_Add and not self.opaque(numer[0]):
            numer_text = self.paren(numer_text)
        single = len(denom) == 1 and (self.opaque(denom[0]) or denom[0].is_Atom
                                      or denom[0].is_Function or denom[0].is_Pow)
        if not single or self.negative_atom(denom[0]):
            denom_text = self.paren(denom_text)
        return f"{numer_text}/{denom_text}"

    def factor_needs_brackets(self, f, first, alone) -> bool:
        if alone:
            return super().factor_needs_brackets(f, first, alone)
        if not self.opaque(f) and (
                (f.is_Rational and not f.is_Integer) or
                (f.is_Mul and self.split_fraction(list(f.args))[1]) or
                (f.is_Pow and f.exp.is_Number and f.exp < 0)):
            return True  # W2·(H2/H1): a fraction inside a product
        return super().factor_needs_brackets(f, first, alone)

    def _print_Symbol(self, expr):
        return text_name(expr)

    def _print_Integer(self, expr):
        return str(expr.p)

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Pow(self, expr):
        if expr.exp.is_Number and expr.exp < 0:
            return self.magnitude([expr], guarded=False)
        if expr.exp == sp.Rational(1, 2):
            return f"√({self._print(expr.base)})"
        base = self.pow_base(expr.base)
        if expr.exp.is_Integer:
            return base + str(expr.exp).translate(_SUPERSCRIPT)
        exponent = self._print(expr.exp)
        return f"{base}^{exponent if expr.exp.is_Atom else self.paren(exponent)}"

    def _print_exp(self, expr):
        arg = expr.args[0]
        inner = self._print(arg)
        if (arg.is_Symbol or arg.is_Integer) and not self.negative_atom(arg):
            return f"e^{inner}"
        return f"e^({inner})"

    def _print_Function(self, expr):
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{type(expr).__name__.lower()}({args})"

    def _print_Sigmoid(self, expr):
        return f"σ({self._print(expr.args[0])})"

    def _print_BigPower(self, expr, exp=None):
        return self._print_Pow(sp.Pow(*expr.args, evaluate=False))

    def _print_Kinked(self, expr):
        if isinstance(expr, AbsValue):
            return f"|{self._print(expr.args[0])}|"
        return f"{expr.op}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Slope(self, expr):
        call = expr.call
        args = ", ".join(self.listed(call.args, "…"))
        if isinstance(call, AbsValue):
            return f"sign({args})"
        index = str(expr.index).translate(_SUBSCRIPT) if len(call.args) > 1 else ""
        return f"{call.op}'{index}({args})"


class _LatexPrinter(_Layout, LatexPrinter):
    times = r" \cdot "
    stacked_fractions = True

    def __init__(self, shown, digits, order):
        LatexPrinter.__init__(self, {"mul_symbol": "dot", "order": "none"})
        self.setup(shown, digits, order)

    def paren(self, inner: str) -> str:
        return rf"\left({inner}\right)"

    def fraction(self, numer, numer_text, denom, denom_text) -> str:
        return rf"\frac{{{numer_text}}}{{{denom_text}}}"

    def _print_Symbol(self, expr, style="plain"):
        if isinstance(expr, Literal):
            return expr.name
        name, _, index = expr.name.partition("[")
        match = re.fullmatch(r"([A-Za-z]+)([0-9]+[A-Za-z]+)", name)
        if name == "Yhat":
            tex = r"\hat{Y}"
        elif match:
            tex = f"{match.group(1)}_{{{match.group(2)}}}"
        else:
            tex = super()._print_Symbol(sp.Symbol(name), style)
            if re.fullmatch(r"[A-Za-z]{2,}", tex):
                tex = rf"\mathrm{{{tex}}}"
        return tex + (f"[{index}" if index else "")

    def _print_Pow(self, expr):
        if expr.exp.is_Number and expr.exp < 0:
            return self.magnitude([expr], guarded=False)
        if expr.exp == sp.Rational(1, 2):
            return rf"\sqrt{{{self._print(expr.base)}}}"
        base = self.pow_base(expr.base)
        if "^" in base:
            base = f"{{{base}}}"
        return f"{base}^{{{self._print(expr.exp)}}}"

    def _print_Sigmoid(self, expr, exp=None):
        return rf"\sigma\left({self._print(expr.args[0])}\right)"

    _print_BigPower = _TextPrinter._print_BigPower

    def _print_Kinked(self, expr, exp=None):
        args = ", ".join(self._print(a) for a in expr.args)
        if isinstance(expr, AbsValue):
            return rf"\left|{args}\right|"
        return rf"{_latex_function(expr.op)}\left({args}\right)"

    def _print_Slope(self, expr, exp=None):
        call = expr.call
        args = ", ".join(self.listed(call.args, r"\ldots"))
        if isinstance(call, AbsValue):
            return rf"\operatorname{{sign}}\left({args}\right)"
        index = f"_{{{expr.index}}}" if len(call.args) > 1 else ""
        return rf"{_latex_function(call.op)}'{index}\left({args}\right)"


vector_forms.install(_TextPrinter, _LatexPrinter)

# Printer dispatch looks up a Function subclass by its own name only.
for _printer in (_TextPrinter, _LatexPrinter):
    for _cls in _KINKED.values():
        setattr(_printer, f"_print_{_cls.__name__}", _printer._print_Kinked)


def _latex_function(op: str) -> str:
    if op in ("max", "min"):
        return "\\" + op
    escaped = op.replace("_", r"\_")
    return rf"\operatorname{{{escaped}}}"
