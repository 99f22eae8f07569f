"""Closed forms: shaped trees in hwsolve's own expression syntax, built by constructors that
simplify as they go, and printed back as text that :func:`hwsolve.spec.expr.parse_tensor` reads.

A form is a :class:`hwsolve.spec.exprtree.Tensor` (the parser's own tree), so a printed form
pasted into a spec parses to the same operations.  Three kinds exist only while a form is being
built and are printed as literals if they survive: ``fill`` (a scalar ``args[0]`` broadcast to
``shape``: the gradient of a sum), ``eye`` (the identity: the gradient of a trace) and ``zero``.

The simplifications are the algebra every course uses (x + 0, 1·x, (Aᵀ)ᵀ, (uvᵀ)ᵀ = vuᵀ, I·A,
−(−x), a scalar broadcast folded into a product); nothing here is trusted: the checker
(:mod:`hwsolve.derive.check`) evaluates every printed form against the engine's gradient.
"""

from __future__ import annotations

from fractions import Fraction

from hwsolve.derive.syntax import fmt_number, level, to_text  # noqa: F401  (re-exported)
from hwsolve.spec.exprtree import Num, Tensor



# ----------------------------------------------------------------------------- leaves

def name(n: str, shape: tuple) -> Tensor:
    return Tensor("name", tuple(shape), data=n)


def number(value) -> Tensor:
    value = Fraction(value)
    return Tensor("num", (), data=Num(value, fmt_number(value)))


def zero(shape: tuple) -> Tensor:
    return number(0) if shape == () else Tensor("zero", tuple(shape))


def fill(scalar: Tensor, shape: tuple) -> Tensor:
    if shape == ():
        return scalar
    if is_zero(scalar):
        return zero(shape)
    return Tensor("fill", tuple(shape), (scalar,))


def eye(n: int) -> Tensor:
    return Tensor("eye", (n, n))


def item(n: str, index: tuple, shape: tuple) -> Tensor:
    """``n[i]`` (an entry of a vector, or a row of a matrix) or ``n[i, j]``."""
    return Tensor("item" if not shape else "row", tuple(shape), data=(n, tuple(index)))


# ----------------------------------------------------------------------------- predicates

def num_value(t: Tensor):
    return t.data.value if t.kind == "num" else None


def is_zero(t: Tensor) -> bool:
    return t.kind == "zero" or (t.kind == "num" and t.data.value == 0) or \
        (t.kind == "fill" and is_zero(t.args[0]))


def is_one(t: Tensor) -> bool:
    return t.kind == "num" and t.data.value == 1


def simple(t: Tensor) -> bool:
    """Cheap enough to repeat: a name, an entry, a number, or a fill of one."""
    return t.kind in ("name", "item", "row", "num", "eye", "zero") or \
        (t.kind == "fill" and simple(t.args[0]))


def names_in(t: Tensor, found: set | None = None) -> set:
    found = set() if found is None else found
    stack = [t]
    while stack:
        u = stack.pop()
        if u.kind == "name":
            found.add(u.data)
        elif u.kind in ("item", "row"):
            found.add(u.data[0])
        stack.extend(u.args)
    return found


def key(t: Tensor) -> str:
    return to_text(t)


def _broadcast(*args: Tensor) -> tuple:
    for a in args:
        if a.shape != ():
            return a.shape
    return ()


# ----------------------------------------------------------------------------- constructors

def add(*terms: Tensor) -> Tensor:
    flat = []
    for t in terms:
        if t.kind == "ew" and t.data == "add":
            flat.extend(t.args)
        elif t.kind == "ew" and t.data == "sub":
            flat.extend((t.args[0], neg(t.args[1])))
        else:
            flat.append(t)
    shape = _broadcast(*flat)
    kept = [t for t in flat if not is_zero(t)]
    # a scalar broadcast over the sum: fill(s) + T = s + T (written with the scalar)
    kept = [t.args[0] if t.kind == "fill" and any(u.kind != "fill" and u.shape == shape
                                                   for u in kept) else t for t in kept]
    numbers = [t for t in kept if t.kind == "num"]
    if len(numbers) > 1:
        total = sum((num_value(t) for t in numbers), Fraction(0))
        kept = [t for t in kept if t.kind != "num"] + ([number(total)] if total else [])
    # x + x = 2 x, x - x = 0: terms counted by their printed form
    counts: dict = {}
    order = []
    for t in kept:
        coefficient, base = _split_coefficient(t)
        k = key(base)
        if k not in counts:
            order.append((k, base))
            counts[k] = Fraction(0)
        counts[k] += coefficient
    out = []
    for k, base in order:
        c = counts[k]
        if c:
            out.append(base if c == 1 else neg(base) if c == -1 else mul(number(c), base))
    if not out:
        return zero(shape)
    positive = [t for t in out if not (t.kind == "ew" and t.data == "neg")]
    if positive and out[0] is not positive[0]:  # s - y, not -y + s
        out.remove(positive[0])
        out.insert(0, positive[0])
    if len(out) == 1:
        return out[0] if out[0].shape == shape else fill(out[0], shape)
    if len(out) == 2 and out[1].kind == "ew" and out[1].data == "neg":
        return Tensor("ew", shape, (out[0], out[1].args[0]), "sub")
    return Tensor("ew", shape, tuple(out), "add")


def _split_coefficient(t: Tensor) -> tuple:
    if t.kind == "ew" and t.data == "neg":
        c, base = _split_coefficient(t.args[0])
        return -c, base
    if t.kind == "ew" and t.data == "mul" and len(t.args) == 2 and t.args[0].kind == "num":
        return num_value(t.args[0]), t.args[1]
    return Fraction(1), t


def sub(a: Tensor, b: Tensor) -> Tensor:
    return add(a, neg(b))


def neg(a: Tensor) -> Tensor:
    if is_zero(a):
        return a
    if a.kind == "num":
        return number(-num_value(a))
    if a.kind == "ew" and a.data == "neg":
        return a.args[0]
    if a.kind == "ew" and a.data == "sub":
        return Tensor("ew", a.shape, (a.args[1], a.args[0]), "sub")
    if a.kind == "ew" and a.data == "mul" and a.args[0].kind == "num":
        return mul(number(-num_value(a.args[0])), *a.args[1:])
    if a.kind == "fill":
        return fill(neg(a.args[0]), a.shape)
    return Tensor("ew", a.shape, (a,), "neg")


def mul(*factors: Tensor) -> Tensor:
    """Element-wise product (a scalar broadcasts)."""
    flat = []
    for f in factors:
        if f.kind == "ew" and f.data == "mul":
            flat.extend(f.args)
        else:
            flat.append(f)
    shape = _broadcast(*flat)
    if any(is_zero(f) for f in flat):
        return zero(shape)
    # fill(s) times a tensor of the same shape: the scalar s
    if any(f.kind != "fill" and f.shape == shape and shape != () for f in flat):
        unfilled = []
        for f in flat:
            inner = f.args[0] if f.kind == "fill" else f
            unfilled.extend(inner.args if inner.kind == "ew" and inner.data == "mul"
                            else (inner,))
        flat = unfilled
    sign = 1
    coefficient = Fraction(1)
    rest = []
    for f in flat:
        if f.kind == "ew" and f.data == "neg":
            sign = -sign
            f = f.args[0]
        if f.kind == "num":
            coefficient *= num_value(f)
            continue
        rest.append(f)
    if not rest:
        return fill(number(sign * coefficient), shape)
    coefficient *= sign
    if coefficient == -1:
        return neg(mul(*rest))
    if coefficient != 1:
        rest.insert(0, number(coefficient))
    if len(rest) == 1:
        out = rest[0]
    else:
        fills = [f for f in rest if f.kind == "fill"]
        if fills and len(fills) == len(rest):
            return fill(mul(*[f.args[0] for f in fills]), shape)
        out = Tensor("ew", shape, tuple(rest), "mul")
    return out if out.shape == shape else fill(out, shape)


def div(a: Tensor, b: Tensor) -> Tensor:
    if is_zero(a):
        return zero(_broadcast(a, b))
    if is_one(b):
        return a
    if b.kind == "num":
        return mul(number(1 / num_value(b)), a)
    if a.kind == "ew" and a.data == "neg":
        return neg(div(a.args[0], b))
    return Tensor("ew", _broadcast(a, b), (a, b), "div")


def pow_(a: Tensor, p: Tensor) -> Tensor:
    if p.kind == "num" and num_value(p) == 1:
        return a
    if p.kind == "num" and num_value(p) == 0:
        return fill(number(1), a.shape)
    return Tensor("ew", _broadcast(a, p), (a, p), "pow")


def fn(op: str, *args: Tensor) -> Tensor:
    """An element-wise function of the syntax (exp, sigmoid, step, max, ...)."""
    return Tensor("ew", _broadcast(*args), tuple(args), op)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    shape = a.shape[:-1] + b.shape[1:]
    if is_zero(a) or is_zero(b):
        return zero(shape)
    if a.kind == "eye":
        return b
    if b.kind == "eye":
        return a
    if a.kind == "ew" and a.data == "neg":
        return neg(matmul(a.args[0], b))
    if b.kind == "ew" and b.data == "neg":
        return neg(matmul(a, b.args[0]))
    if shape == ():
        return dot(a, b)
    if a.kind == "fill" and len(a.shape) == 2 and len(b.shape) == 1:
        return fill(mul(a.args[0], reduce_("sum", b)), shape)
    return Tensor("matmul", shape, (a, b))


def transpose(a: Tensor) -> Tensor:
    shape = a.shape[::-1]
    if a.kind == "transpose":
        return a.args[0]
    if a.kind in ("eye", "zero"):
        return Tensor(a.kind, shape)
    if a.kind == "fill":
        return fill(a.args[0], shape)
    if a.kind == "outer":
        return outer(a.args[1], a.args[0])
    if a.kind == "ew" and a.data == "neg":
        return neg(transpose(a.args[0]))
    if a.kind == "ew" and a.data == "mul" and all(f.shape == () for f in a.args[:-1]):
        return mul(*a.args[:-1], transpose(a.args[-1]))
    if a.kind == "matmul" and len(a.args[0].shape) == 2 and len(a.args[1].shape) == 2:
        return matmul(transpose(a.args[1]), transpose(a.args[0]))
    return Tensor("transpose", shape, (a,))


def outer(u: Tensor, v: Tensor) -> Tensor:
    shape = (u.shape[0], v.shape[0])
    if is_zero(u) or is_zero(v):
        return zero(shape)
    if u.kind == "ew" and u.data == "neg":
        return neg(outer(u.args[0], v))
    if v.kind == "ew" and v.data == "neg":
        return neg(outer(u, v.args[0]))
    if u.kind == "fill" and v.kind == "fill":
        return fill(mul(u.args[0], v.args[0]), shape)
    return Tensor("outer", shape, (u, v))


def dot(u: Tensor, v: Tensor) -> Tensor:
    if is_zero(u) or is_zero(v):
        return number(0)
    if u.kind == "fill":
        return mul(u.args[0], reduce_("sum", v))
    if v.kind == "fill":
        return mul(v.args[0], reduce_("sum", u))
    return Tensor("dot", (), (u, v))


def reduce_(op: str, t: Tensor) -> Tensor:
    if t.shape == ():
        return t
    size = 1
    for n in t.shape:
        size *= n
    if op in ("sum", "mean") and is_zero(t):
        return number(0)
    if op in ("sum", "mean") and t.kind == "fill":
        return mul(number(size if op == "sum" else 1), t.args[0])
    if op == "sum" and t.kind == "lit" and all(a.kind == "num" for a in t.args):
        return number(sum((num_value(a) for a in t.args), Fraction(0)))
    if op == "sum" and t.kind == "ew" and t.data == "neg":
        return neg(reduce_("sum", t.args[0]))
    return Tensor("reduce", (), (t,), op)


def vector(op: str, t: Tensor) -> Tensor:
    """softmax / log_softmax of a vector."""
    return Tensor(op, t.shape, (t,))


def literal(items: list, shape: tuple) -> Tensor:
    return Tensor("lit", tuple(shape), tuple(items))
