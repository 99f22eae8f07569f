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

from hwsolve.spec import expr as E
from hwsolve import num
from hwsolve.engine.graph import Graph, NodeProgram
from hwsolve.ops import registry_nn
from hwsolve.ops.registry import REGISTRY
from hwsolve.work import nn_forms, vector_forms

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


class MaxPoolWindow(Kinked):
    """The largest entry of one max_pool2d window (a tie passes to the first maximal entry)."""
    op = "max_pool"


_KINKED = {cls.op: cls for cls in (Maximum, Minimum, Relu, LeakyRelu, AbsValue, MaxPoolWindow)}


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
        if op in vector_forms.OPS or op in registry_nn.PAYLOAD_OPS:
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
        if op in registry_nn.PAYLOAD_OPS:  # issue 19's ops: their registry form, also exact
            ev = self.evaluate and (self.mode != "exact" or all(a.is_Number for a in args))
            result = REGISTRY[op].sympy(sp, _FORMS, args, payload, ev)
            return nn_forms.elementary(result) if self.mode == "exact" else result
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
        if op in registry_nn.SYMPY and op != "max_pool":
            return REGISTRY[op].sympy(sp, _FORMS, args, None, ev)
        values = [self.tape_values[p] for p in arg_positions]
        if op in ("max", "min", "max_pool"):
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
_FORMS = SimpleNamespace(Sigmoid=Sigmoid, KINKED=_KINKED, vector_form=vector_forms.form,
                         norm_form=nn_forms.form)
_FUNCTIONS = {"exp", "log", "tanh", "sigmoid", "sqrt", *_KINKED}


from hwsolve.work.printing import latex, latex_name, text, text_name  # noqa: E402,F401
