"""Safe expression parsing: Python's ``ast`` with a whitelist, into shaped tensor expressions.

Spec text is never evaluated.  ``ast.parse`` only builds a syntax tree; this module accepts the
node types the format allows, checks names, shapes and arities, and returns a :class:`Tensor`
tree in which every subexpression knows its shape: ``()`` for a scalar, ``(n,)`` for a vector,
``(m, n)`` for a matrix.  Anything else (attribute access, lambdas, strings, comparisons, ``^``,
dunder names, ...) is an :class:`ExprError` with a sentence saying why.

:func:`lower` then writes a tensor expression as one *scalar* expression per entry (row-major),
made of the scalar types :class:`Num`, :class:`Name`, :class:`Item`, :class:`VectorName`,
:class:`VectorLit` and :class:`Apply`: ``(W @ x)[2]`` becomes ``dot([W[2, 1], W[2, 2]], x)``, so
that every entry of a tensor is a scalar quantity with its own tape, local derivatives and shown
work.  A scalar v1 expression lowers to exactly the tree v1 built.

Long ``+``/``-`` and ``*``/``/`` chains are collected iteratively into n-ary nodes, so a wide
weighted sum does not count as deep nesting; real nesting is limited to ``MAX_DEPTH``.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from fractions import Fraction

from hwsolve import num
from hwsolve.spec.shapes import MAX_RANK, broadcast, describe
from hwsolve.spec import nncalls
from hwsolve.spec.vocab import FUNCTIONS

MAX_DEPTH = 100
DEFAULT_LEAKY_SLOPE = Fraction(1, 100)
MAX_SOFTMAX = 1_000  # entries of softmax/log_softmax: the local Jacobian is dense
MAX_WORK = 1_000_000  # scalar operations one node may lower to (about 10 s and 800 MB)


class ExprError(ValueError):
    """An expression the format does not allow (the message is one sentence)."""


# ----------------------------------------------------------------------------- scalar trees

from hwsolve.spec.exprtree import (Apply, Context, Expr, Item, Name, Num, Tensor,  # noqa: F401
                                    VectorLit, VectorName)


_BINARY = {ast.Sub: "sub", ast.Pow: "pow"}
_FORBIDDEN_OPERATORS = {
    ast.BitXor: "'^' is not a power here; write '**' (x ** 2)",
    ast.FloorDiv: "'//' (floor division) is not allowed; use '/'",
    ast.Mod: "'%' is not allowed",
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
ELEMENTWISE = ("abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "softplus")


def parse(text: str, shapes: dict, *, node: str | None = None, later=frozenset()) -> Expr:
    """Parse a scalar expression into its scalar tree (the v1 interface)."""
    tree = parse_tensor(text, shapes, node=node, later=later)
    if tree.shape != ():
        raise ExprError(f"the expression is {describe(tree.shape)}; a scalar is needed here")
    return lower(tree)[0]


def parse_tensor(text: str, shapes: dict, *, node: str | None = None,
                 later=frozenset()) -> Tensor:
    """Parse one expression into a shaped tree.

    ``shapes`` maps every name visible here to its shape: ``()`` or None for a scalar, ``(n,)``
    or n for a vector, ``(m, n)`` for a matrix.  ``node`` (the node being defined) and ``later``
    (nodes defined below it) only sharpen the message for a name that is not visible.
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
    return _Converter(text.strip(), shapes, node, later).expr(tree.body, 0)


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


def _shape(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, int):
        return (value,)
    return tuple(value)


class _Converter:
    def __init__(self, source: str, shapes: dict, node: str | None, later):
        self.source = source
        self.source_bytes = source.encode()
        self.shapes = shapes
        self.node = node
        self.later = later

    def expr(self, node: ast.AST, depth: int) -> Tensor:
        if depth > MAX_DEPTH:
            raise ExprError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        depth += 1
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.expr(node.operand, depth)
                if operand.kind == "num":
                    n = operand.data
                    return Tensor("num", (), data=Num(-n.value, "-" + n.text))
                return Tensor("ew", operand.shape, (operand,), "neg")
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth)
            raise ExprError("'not' and '~' are not allowed")
        if isinstance(node, ast.Constant):
            return Tensor("num", (), data=self.number(node))
        if isinstance(node, ast.Name):
            return Tensor("name", self.lookup(node.id), data=node.id)
        if isinstance(node, ast.Subscript):
            return self.item(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.List):
            return self.literal(node, depth)
        raise ExprError(_WHY_NOT.get(type(node), f"{type(node).__name__} is not allowed in an "
                                     "expression"))

    # ------------------------------------------------------------------ operators

    def binary(self, node: ast.BinOp, depth: int) -> Tensor:
        op = type(node.op)
        if op in _FORBIDDEN_OPERATORS:
            raise ExprError(_FORBIDDEN_OPERATORS[op])
        if op is ast.MatMult:
            return self.matmul(self.expr(node.left, depth), self.expr(node.right, depth))
        if op in (ast.Add, ast.Sub):
            terms = self.chain(node, (ast.Add, ast.Sub), depth)
            if len(terms) == 2 and terms[1][0] is ast.Sub:
                return self.elementwise("sub", (terms[0][1], terms[1][1]), "-")
            args = tuple(term if op_ is ast.Add else _negate(term) for op_, term in terms)
            return self.elementwise("add", args, "+")
        if op in (ast.Mult, ast.Div):
            factors = self.chain(node, (ast.Mult, ast.Div), depth)
            top = tuple(f for op_, f in factors if op_ is ast.Mult)
            bottom = tuple(f for op_, f in factors if op_ is ast.Div)
            numerator = top[0] if len(top) == 1 else self.elementwise("mul", top, "*")
            if not bottom:
                return numerator
            denominator = bottom[0] if len(bottom) == 1 else self.elementwise("mul", bottom, "*")
            return self.elementwise("div", (numerator, denominator), "/")
        if op in _BINARY:
            return self.elementwise(_BINARY[op], (self.expr(node.left, depth),
                                                  self.expr(node.right, depth)),
                                    "**" if op is ast.Pow else "-")
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
        return [(op, self.expr(operand, depth)) for op, operand in pairs]

    @staticmethod
    def elementwise(op: str, args: tuple, symbol: str) -> Tensor:
        """Operands broadcast as NumPy does: shapes aligned at the right, a size of 1 (or a
        missing leading axis) stretched, so a vector is added to each row of a matrix and a
        column (m×1) against a row (1×n or n) gives m×n."""
        shape = ()
        for arg in args:
            joined = broadcast(shape, arg.shape)
            if joined is None:
                raise ExprError(f"'{symbol}' cannot broadcast {describe(shape)} and "
                                f"{describe(arg.shape)} (shapes {_dims(shape)} and "
                                f"{_dims(arg.shape)}): NumPy's rule compares sizes from the "
                                "last axis, and each pair must be equal or one of them 1")
            shape = joined
        if len(shape) > MAX_RANK:
            raise ExprError(f"'{symbol}' would give a tensor of rank {len(shape)}; at most "
                            f"{MAX_RANK}")
        return Tensor("ew", shape, tuple(args), op)

    def matmul(self, a: Tensor, b: Tensor) -> Tensor:
        ra, rb = len(a.shape), len(b.shape)
        if ra > 2 or rb > 2:
            raise ExprError(f"'@' multiplies vectors and matrices, not {describe(a.shape)} and "
                            f"{describe(b.shape)}; index a channel first (X[1] @ W)")
        if ra == 0 or rb == 0:
            raise ExprError(f"'@' needs vectors or matrices, not {describe(a.shape)} and "
                            f"{describe(b.shape)}; use '*' with a scalar")
        inner_a = a.shape[-1]
        inner_b = b.shape[0]
        if inner_a != inner_b:
            raise ExprError(f"'@' needs matching inner sizes: {describe(a.shape)} @ "
                            f"{describe(b.shape)} ({inner_a} against {inner_b})")
        shape = a.shape[:-1] + b.shape[1:]
        return Tensor("matmul", shape, (a, b))

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

    def lookup(self, name: str) -> tuple:
        if name.startswith("__"):
            raise ExprError(f"{name!r}: names starting with __ are not allowed")
        if not name.isascii():
            odd = next(ch for ch in name if not ch.isascii())
            raise ExprError(f"{name!r} contains the non-ASCII character {odd!r} "
                            f"(U+{ord(odd):04X}); names are ASCII letters, digits and _")
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
        return _shape(self.shapes[name])

    def item(self, node: ast.Subscript) -> Tensor:
        if not isinstance(node.value, ast.Name):
            raise ExprError("only a name can be indexed, as in W1[2] or M[1, 2]")
        name = node.value.id
        shape = self.lookup(name)
        if shape == ():
            raise ExprError(f"{name} is a scalar and cannot be indexed")
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if len(parts) > len(shape):
            raise ExprError(f"{name} is {describe(shape)}: it takes at most {len(shape)} "
                            f"index{'es' if len(shape) > 1 else ''}")
        index = []
        for part, size in zip(parts, shape):
            if isinstance(part, ast.Slice):
                raise ExprError(_WHY_NOT[ast.Slice])
            if not (isinstance(part, ast.Constant) and type(part.value) is int):
                raise ExprError(f"an index of {name}[...] must be a whole number such as "
                                f"{name}[1]")
            if not 1 <= part.value <= size:
                raise ExprError(f"{name}[{', '.join(str(p.value) for p in parts)}] is out of "
                                f"range: {name} is {describe(shape)}, numbered from 1")
            index.append(part.value)
        rest = shape[len(index):]
        return Tensor("item" if not rest else "row", rest, data=(name, tuple(index)))

    def literal(self, node: ast.List, depth: int) -> Tensor:
        if not node.elts:
            raise ExprError("a vector [..] needs at least one entry")
        items = tuple(self.expr(e, depth) for e in node.elts)
        inner = items[0].shape
        if len(inner) >= MAX_RANK:
            raise ExprError(f"a literal may be nested at most {MAX_RANK} levels deep "
                            "(a tensor of rank 4)")
        for i, item in enumerate(items, start=1):
            if item.shape != inner:
                raise ExprError(f"a tensor literal must be rectangular: row {i} is "
                                f"{describe(item.shape)}, row 1 {describe(inner)}")
        return Tensor("lit", (len(items),) + inner, items)

    # ------------------------------------------------------------------ calls

    def call(self, node: ast.Call, depth: int) -> Tensor:
        if not isinstance(node.func, ast.Name):
            raise ExprError("only the functions of the format can be called, by name")
        fn = node.func.id
        if fn not in FUNCTIONS:
            raise ExprError(f"unknown function {fn!r}; the functions are "
                            + ", ".join(FUNCTIONS))
        if fn in nncalls.CALLS:  # these take PyTorch's keywords (eps=, stride=, ...)
            return nncalls.Calls(self, ExprError)(fn, node.args, depth, node.keywords)
        if node.keywords:
            raise ExprError(f"{fn}() takes no keyword arguments")
        args = tuple(self.expr(a, depth) for a in node.args)
        n = len(args)
        if fn in ("min", "max"):
            if n == 1:
                if args[0].shape == ():
                    raise ExprError(f"{fn}() needs a vector here, or two or more numbers")
                return Tensor("reduce", (), args, fn)
            if n < 2:
                raise ExprError(f"{fn}() needs two or more numbers, or one vector")
            return self.elementwise(fn, args, f"{fn}()")
        if fn in ("sum", "mean"):
            if n != 1:
                raise ExprError(f"{fn}(x) takes one vector or matrix")
            if args[0].shape == ():
                raise ExprError(f"{fn}() needs a vector or matrix here, but it is a scalar")
            return Tensor("reduce", (), args, fn)
        if fn == "dot":
            if n != 2:
                raise ExprError("dot(u, v) takes two vectors")
            u, v = args
            for arg in args:
                if len(arg.shape) != 1:
                    raise ExprError(f"dot() needs a vector here, not {describe(arg.shape)}")
            if u.shape != v.shape:
                raise ExprError(f"dot(u, v) needs vectors of equal length, not {u.shape[0]} "
                                f"and {v.shape[0]}")
            return Tensor("dot", (), args)
        if fn == "outer":
            if n != 2 or any(len(a.shape) != 1 for a in args):
                raise ExprError("outer(u, v) takes two vectors")
            return Tensor("outer", (args[0].shape[0], args[1].shape[0]), args)
        if fn == "leaky_relu":
            if n not in (1, 2):
                raise ExprError("leaky_relu(x, slope) takes one or two arguments")
            slope = args[1] if n == 2 else Tensor("num", (), data=Num(DEFAULT_LEAKY_SLOPE,
                                                                      "0.01"))
            if slope.shape != ():
                raise ExprError("the slope of leaky_relu(x, slope) must be a scalar")
            return Tensor("ew", args[0].shape, (args[0], slope), "leaky_relu")
        if n != 1:
            raise ExprError(f"{fn}(x) takes exactly one argument")
        x = args[0]
        if fn == "transpose":
            if len(x.shape) != 2:
                raise ExprError(f"transpose() needs a matrix, not {describe(x.shape)}")
            return Tensor("transpose", x.shape[::-1], args)
        if fn == "trace":  # issue 18: the sum of the diagonal of a square matrix
            if len(x.shape) != 2 or x.shape[0] != x.shape[1]:
                raise ExprError(f"trace() needs a square matrix, not {describe(x.shape)}")
            return Tensor("trace", (), args)
        return Tensor("ew", x.shape, args, fn)


def _dims(shape: tuple) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _negate(term: Tensor) -> Tensor:
    if term.kind == "num":
        n = term.data
        return Tensor("num", (), data=Num(-n.value, "-" + n.text))
    return Tensor("ew", term.shape, (term,), "neg")


from hwsolve.spec.lower import lower, work  # noqa: E402,F401  (E.lower, E.work)
