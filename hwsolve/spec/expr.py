"""Safe expression parsing: Python's ``ast`` with a whitelist, into a small typed tree.

Spec text is never evaluated.  ``ast.parse`` only builds a syntax tree; this module accepts
the handful of node types the format allows, checks names, vector shapes and arities, and
returns :class:`Expr` objects.  Anything else (attribute access, lambdas, strings,
comparisons, ``^``, dunder names, ...) is an :class:`ExprError` with a sentence saying why.

Long ``+``/``-`` and ``*``/``/`` chains are collected iteratively into n-ary nodes, so a wide
weighted sum does not count as deep nesting; real nesting is limited to ``MAX_DEPTH``.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from dataclasses import dataclass
from fractions import Fraction

from hwsolve import num
from hwsolve.spec.vocab import FUNCTIONS

MAX_DEPTH = 100
DEFAULT_LEAKY_SLOPE = Fraction(1, 100)


class ExprError(ValueError):
    """An expression the format does not allow (the message is one sentence)."""


@dataclass(slots=True)
class Num:
    value: Fraction
    text: str


@dataclass(slots=True)
class Name:
    """A scalar input, param, constant or node."""
    name: str


@dataclass(slots=True)
class Item:
    """``W[i]``: one entry of a vector, 1-based."""
    name: str
    index: int


@dataclass(slots=True)
class VectorName:
    name: str
    size: int


@dataclass(slots=True)
class VectorLit:
    items: tuple


@dataclass(slots=True)
class Apply:
    """An operator or function: add, mul (n-ary), sub, div, pow, neg, and the functions."""
    op: str
    args: tuple


Expr = Num | Name | Item | VectorName | VectorLit | Apply

_BINARY = {ast.Sub: "sub", ast.Pow: "pow"}
_FORBIDDEN_OPERATORS = {
    ast.BitXor: "'^' is not a power here; write '**' (x ** 2)",
    ast.FloorDiv: "'//' (floor division) is not allowed; use '/'",
    ast.Mod: "'%' is not allowed",
    ast.MatMult: "'@' is not allowed; use dot(u, v)",
}
_WHY_NOT = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.Compare: "comparisons are not allowed; use min, max or relu",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.IfExp: "'x if c else y' is not allowed; use min, max or relu",
    ast.Tuple: "tuples are not allowed; write a vector as [a, b]",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Slice: "slices are not allowed; index one entry, W[1]",
    ast.Await: "'await' is not allowed",
}


def parse(text: str, shapes: dict, *, node: str | None = None, later=frozenset()) -> Expr:
    """Parse one node expression.

    ``shapes`` maps every name visible to this node to None (scalar) or its vector length.
    ``node`` (the node being defined) and ``later`` (nodes defined below it) only sharpen the
    message for a name that is not visible.
    """
    if "\0" in text:
        raise ExprError("the expression contains a NUL character")
    if re.search(f"[0-9]{{{num.MAX_LITERAL_DIGITS + 1}}}", text):  # before Python's int limit
        raise ExprError(f"a number may have at most {num.MAX_LITERAL_DIGITS} digits")
    if not text.isascii():
        _refuse_non_ascii(text)
    _check_bracket_depth(text)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" must not reach stderr
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        detail = f" ({exc.msg})" if exc.msg and "invalid syntax" not in exc.msg else ""
        raise ExprError(f"not a valid expression{detail}: {text.strip()!r}"[:300]) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExprError("the expression is too long or too deeply nested to read; "
                        "split it into several nodes") from None
    return _Converter(text.strip(), shapes, node, later).scalar(tree.body, 0)


def _refuse_non_ascii(text: str) -> None:
    """Python's parser reads the look-alike 𝑋1 as X1 (NFKC), so a name that no declaration
    could spell would silently mean another; every character must be ASCII, as names are."""
    ch = next(ch for ch in text if not ch.isascii())
    what = unicodedata.name(ch, "unnamed character")
    plain = unicodedata.normalize("NFKC", ch)
    alike = f" that looks like {plain!r}" if plain.isascii() and plain.isprintable() else ""
    raise ExprError(f"the expression contains {ch!r} (U+{ord(ch):04X} {what}), a non-ASCII "
                    f"character{alike}; expressions are written in ASCII (names, numbers, "
                    f"+ - * / ** and brackets)")


def _check_bracket_depth(text: str) -> None:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExprError(f"brackets are nested more than {MAX_DEPTH} levels deep")
        elif ch in ")]}":
            depth -= 1


class _Converter:
    def __init__(self, source: str, shapes: dict, node: str | None, later):
        self.source = source
        self.source_bytes = source.encode()
        self.shapes = shapes
        self.node = node
        self.later = later

    # ------------------------------------------------------------------ scalar positions

    def scalar(self, node: ast.AST, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise ExprError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        depth += 1
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.scalar(node.operand, depth)
                if isinstance(operand, Num):
                    return Num(-operand.value, "-" + operand.text)
                return Apply("neg", (operand,))
            if isinstance(node.op, ast.UAdd):
                return self.scalar(node.operand, depth)
            raise ExprError("'not' and '~' are not allowed")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            shape = self.lookup(node.id)
            if shape is not None:
                raise ExprError(
                    f"{node.id} is a vector of {shape} entries; use {node.id}[i], "
                    f"dot({node.id}, ...), sum({node.id}), min({node.id}) or max({node.id})")
            return Name(node.id)
        if isinstance(node, ast.Subscript):
            return self.item(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.List):
            raise ExprError("a vector [..] can only be an argument of dot, sum, min or max")
        raise ExprError(_WHY_NOT.get(type(node), f"{type(node).__name__} is not allowed in an "
                                     "expression"))

    def binary(self, node: ast.BinOp, depth: int) -> Expr:
        op = type(node.op)
        if op in _FORBIDDEN_OPERATORS:
            raise ExprError(_FORBIDDEN_OPERATORS[op])
        if op in (ast.Add, ast.Sub):
            terms = self.chain(node, (ast.Add, ast.Sub), depth)
            args = tuple(term if op_ is ast.Add else _negate(term) for op_, term in terms)
            if len(args) == 2 and terms[1][0] is ast.Sub:
                return Apply("sub", (args[0], terms[1][1]))
            return Apply("add", args)
        if op in (ast.Mult, ast.Div):
            factors = self.chain(node, (ast.Mult, ast.Div), depth)
            top = tuple(f for op_, f in factors if op_ is ast.Mult)
            bottom = tuple(f for op_, f in factors if op_ is ast.Div)
            numerator = top[0] if len(top) == 1 else Apply("mul", top)
            if not bottom:
                return numerator
            return Apply("div", (numerator, bottom[0] if len(bottom) == 1
                                 else Apply("mul", bottom)))
        if op in _BINARY:
            return Apply(_BINARY[op], (self.scalar(node.left, depth),
                                       self.scalar(node.right, depth)))
        raise ExprError(f"the operator {op.__name__} is not allowed")

    def chain(self, node: ast.BinOp, ops: tuple, depth: int) -> list:
        """Walk the left spine of ``a + b - c + ...`` iteratively: [(Add, a), (Sub, c), ...]."""
        pairs = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            pairs.append((type(node.op), node.right))
            node = node.left
        if isinstance(node, ast.BinOp) and type(node.op) in _FORBIDDEN_OPERATORS:
            raise ExprError(_FORBIDDEN_OPERATORS[type(node.op)])
        pairs.append((ast.Add if ops[0] is ast.Add else ast.Mult, node))
        pairs.reverse()
        return [(op, self.scalar(operand, depth)) for op, operand in pairs]

    def number(self, node: ast.Constant) -> Num:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            kind = "strings" if isinstance(node.value, (str, bytes)) else \
                f"{type(node.value).__name__} values"
            raise ExprError(f"{kind} are not allowed in an expression")
        text = self.segment(node)
        try:
            return Num(num.parse_decimal(text), text)
        except ValueError as exc:
            raise ExprError(str(exc)) from None

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` (ast offsets count UTF-8 bytes, not characters)."""
        if node.lineno == node.end_lineno == 1:
            return self.source_bytes[node.col_offset:node.end_col_offset].decode()
        return ast.get_source_segment(self.source, node) or ""

    def lookup(self, name: str):
        if name.startswith("__"):
            raise ExprError(f"{name!r}: names starting with __ are not allowed")
        if name in FUNCTIONS:
            raise ExprError(f"{name} is a function; call it as {name}(...)")
        if name == self.node:
            raise ExprError(f"the node {name} refers to itself")
        if name in self.later:
            raise ExprError(f"{name!r} is defined below this node; a node may only use inputs, "
                            "params, constants and nodes above it")
        if name not in self.shapes:
            raise ExprError(f"{name!r} is not defined: it is not an input, param, constant or "
                            "node of this problem")
        return self.shapes[name]

    def item(self, node: ast.Subscript) -> Item:
        if not isinstance(node.value, ast.Name):
            raise ExprError("only a vector name can be indexed, as in W1[2]")
        name = node.value.id
        shape = self.lookup(name)
        if shape is None:
            raise ExprError(f"{name} is a scalar and cannot be indexed")
        index = node.slice
        if not (isinstance(index, ast.Constant) and type(index.value) is int):
            raise ExprError(f"the index of {name}[...] must be a whole number such as "
                            f"{name}[1]")
        if not 1 <= index.value <= shape:
            raise ExprError(f"{name}[{index.value}] is out of range: {name} has {shape} "
                            "entries, numbered from 1")
        return Item(name, index.value)

    # ------------------------------------------------------------------ calls

    def call(self, node: ast.Call, depth: int) -> Expr:
        if not isinstance(node.func, ast.Name):
            raise ExprError("only the functions of the format can be called, by name")
        fn = node.func.id
        if fn not in FUNCTIONS:
            raise ExprError(f"unknown function {fn!r}; the functions are "
                            + ", ".join(FUNCTIONS))
        if node.keywords:
            raise ExprError(f"{fn}() takes no keyword arguments")
        args = node.args
        if fn in ("min", "max"):
            if len(args) == 1:
                return Apply(fn, (self.vector(args[0], fn, depth),))
            if len(args) < 2:
                raise ExprError(f"{fn}() needs two or more numbers, or one vector")
            return Apply(fn, tuple(self.scalar(a, depth) for a in args))
        if fn == "dot":
            if len(args) != 2:
                raise ExprError("dot(u, v) takes two vectors")
            u, v = (self.vector(a, "dot", depth) for a in args)
            if _size(u) != _size(v):
                raise ExprError(f"dot(u, v) needs vectors of equal length, not {_size(u)} "
                                f"and {_size(v)}")
            return Apply("dot", (u, v))
        if fn == "sum":
            if len(args) != 1:
                raise ExprError("sum(v) takes one vector")
            return Apply("sum", (self.vector(args[0], "sum", depth),))
        if fn == "leaky_relu":
            if len(args) not in (1, 2):
                raise ExprError("leaky_relu(x, slope) takes one or two arguments")
            x = self.scalar(args[0], depth)
            slope = self.scalar(args[1], depth) if len(args) == 2 else \
                Num(DEFAULT_LEAKY_SLOPE, "0.01")
            return Apply("leaky_relu", (x, slope))
        if len(args) != 1:
            raise ExprError(f"{fn}(x) takes exactly one argument")
        return Apply(fn, (self.scalar(args[0], depth),))

    def vector(self, node: ast.AST, fn: str, depth: int) -> VectorName | VectorLit:
        if isinstance(node, ast.List):
            if not node.elts:
                raise ExprError("a vector [..] needs at least one entry")
            return VectorLit(tuple(self.scalar(e, depth) for e in node.elts))
        if isinstance(node, ast.Name):
            shape = self.lookup(node.id)
            if shape is None:
                raise ExprError(f"{fn}() needs a vector here, but {node.id} is a scalar")
            return VectorName(node.id, shape)
        raise ExprError(f"{fn}() needs a vector here: a vector name or a literal [a, b]")


def _negate(term: Expr) -> Expr:
    if isinstance(term, Num):
        return Num(-term.value, "-" + term.text)
    return Apply("neg", (term,))


def _size(vector: VectorName | VectorLit) -> int:
    return vector.size if isinstance(vector, VectorName) else len(vector.items)

