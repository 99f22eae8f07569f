"""The node templates of the tensor generator (:mod:`hwsolve.tools.generate.tensor`): affine
layers, element-wise functions and combinations, softmax, reductions, matrix operations
(transpose, outer, conv2d, indexing) and literals, and the planted kinks of ``--kinks``; with the
small helpers they share (exact evaluation while a node is written)."""

from __future__ import annotations

import math
from fractions import Fraction

from hwsolve.ops.registry import REGISTRY
from hwsolve.tools.generate.common import _sigmoid

_SMOOTH_FNS = ("tanh", "sigmoid", "softplus", "exp")
_KINK_FNS = ("relu", "abs", "leaky_relu")


class _Reject(Exception):
    pass


def _ew(f, *xs):
    """f over entries; scalars broadcast."""
    shaped = next((x for x in xs if isinstance(x, list)), None)
    if shaped is None:
        return f(*xs)
    return [_ew(f, *(x[i] if isinstance(x, list) else x for x in xs))
            for i in range(len(shaped))]


def _flat(x) -> list:
    if isinstance(x, list):
        return [e for item in x for e in _flat(item)]
    return [x]


def _fmt(x) -> str:
    """The exact decimal text of a Fraction whose denominator is 2^a 5^b (every number the
    generator writes is one): ``repr(float)`` would round a long dyadic such as 2^-30 and plant
    a kink that the written file no longer has."""
    x = Fraction(x)
    sign, x = ("-" if x < 0 else ""), abs(x)
    d = x.denominator
    twos = (d & -d).bit_length() - 1          # d = 2^twos · 5^fives (· nothing else)
    rest, fives = d >> twos, 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    k = max(twos, fives)
    if rest != 1 or k > 60:
        raise ValueError(f"{x} has no short decimal")
    digits = str(x.numerator * 10 ** k // d).rjust(k + 1, "0")
    whole, frac = digits[:len(digits) - k], digits[len(digits) - k:].rstrip("0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def _text(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_text(e) for e in v) + "]"
    return _fmt(v)


def _shape(v) -> tuple:
    if not isinstance(v, list):
        return ()
    return (len(v),) + (_shape(v[0]) if isinstance(v[0], list) else ())


def _call(op: str, *args: str) -> str:
    """A call written from the op's generator template of the registry (``relu({0})``)."""
    return REGISTRY[op].template.call.format(*args)


def _matvec(m, v):
    return [sum((a * b for a, b in zip(row, v)), Fraction(0)) for row in m]


class VectorPool(list):
    """The vectors written so far (name, value), in order, with the filtered views that
    :meth:`TensorNodes.pick_vector` draws from kept up to date on append: a pick costs the same
    at node 100,000 as at node 10 (a filter over every vector made the generator quadratic)."""

    def __init__(self):
        super().__init__()
        self.views: dict = {}

    def append(self, item) -> None:
        super().append(item)
        value = item[1]
        exact = all(isinstance(e, Fraction) for e in value)
        for key in ((None, False), (len(value), False)) + \
                (((None, True), (len(value), True)) if exact else ()):
            self.views.setdefault(key, []).append(item)

    def select(self, size=None, exact=False) -> list:
        """The vectors of ``size`` entries (any size: None), only exact ones if ``exact``."""
        return self.views.get((size, bool(exact)), [])


class TensorNodes:
    """The templates; a mixin of TensorGenerator (its ``num``, ``param``, ``check`` ...)."""

    def pick_vector(self, size=None, exact=False):
        pool = self.vectors.select(size, exact)
        if not pool:
            raise _Reject
        recent = pool[-3:]
        return self.r.choice(recent if self.r.random() < 0.7 else pool)

    def t_affine(self, exact=False):
        h, hv = self.pick_vector(exact=exact)
        m = self.r.randint(2, 4)
        W, b = self.matrix(m, len(hv), 0.6), [self.num(-0.5, 0.5) for _ in range(m)]
        value = [a + c for a, c in zip(_matvec(W, hv), b)]
        self.check(value)
        w = self.param("W", W)
        self.weights.append(w)
        return f"{w} @ {h} + {self.param('b', b)}", value

    def t_function(self):
        h, hv = self.pick_vector()
        fn = self.r.choice(_SMOOTH_FNS + _KINK_FNS)
        if fn == "exp":
            return _call("exp", f"{h} / 4"), self.check(_ew(lambda x: math.exp(x / 4), hv))
        if fn in ("tanh", "sigmoid") and any(abs(x) > 3.5 for x in hv):
            raise _Reject
        f = {"tanh": math.tanh, "sigmoid": _sigmoid,
             "softplus": lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0),
             "relu": lambda x: max(x, 0 * x), "abs": abs,
             "leaky_relu": lambda x: x if x > 0 else Fraction(1, 8) * x}[fn]
        value = _ew(f, hv)
        return _call(fn, h, "0.125"), self.check(value, kink_args=hv if fn in _KINK_FNS else ())

    def t_combine(self):
        h, hv = self.pick_vector()
        g, gv = self.pick_vector(size=len(hv))
        kind = self.r.choice(("mul", "sub", "max", "min", "scalar"))
        if kind == "mul":
            return f"{h} * {g}", self.check(_ew(lambda a, b: a * b, hv, gv))
        if kind == "sub":
            return f"{h} - 0.5 * {g}", self.check(_ew(lambda a, b: a - b / 2, hv, gv))
        if kind == "scalar":
            if not self.scalars:
                raise _Reject
            s, sv = self.r.choice(self.scalars[-3:])
            return f"{h} - {s}", self.check(_ew(lambda a: a - sv, hv))
        if h == g:
            raise _Reject
        pick = max if kind == "max" else min
        value = _ew(pick, hv, gv)
        return _call(kind, h, g), self.check(value, contests=list(zip(hv, gv)))

    def t_softmax(self):
        h, hv = self.pick_vector()
        if any(abs(x) > 6 for x in hv):
            raise _Reject
        top = max(hv)
        e = [math.exp(x - top) for x in hv]
        fn = self.r.choice(("softmax", "log_softmax"))
        value = [x / sum(e) for x in e] if fn == "softmax" else \
            [x - top - math.log(sum(e)) for x in hv]
        return _call(fn, h), self.check(value)

    def t_reduce(self):
        h, hv = self.pick_vector()
        fn = self.r.choice(("sum", "mean", "dot", "max", "min"))
        if fn == "mean" and self.kinks and len(hv) == 3:
            raise _Reject  # keeps every exact value dyadic (exact in float64 as well)
        if fn == "dot":
            g, gv = self.pick_vector(size=len(hv))
            return _call("dot", h, g), self.check(sum(a * b for a, b in zip(hv, gv)))
        if fn in ("max", "min"):
            return f"{fn}({h})", self.check((max if fn == "max" else min)(hv),
                                            contests=[hv])
        value = sum(hv) / (len(hv) if fn == "mean" else 1)
        return _call(fn, h), self.check(value)

    def t_matrix(self):
        """transpose, outer, conv2d and indexing: a matrix node, or a matrix used inline."""
        if self.matrices and self.r.random() < 0.4:
            return self._matmul()
        kind = self.r.choice(("transpose", "outer", "conv", "conv_stride", "use"))
        if kind == "use" and self.matrices:
            m, mv = self.r.choice(self.matrices)
            if self.r.random() < 0.5:
                i = self.r.randint(1, len(mv))
                return f"{m}[{i}] + {m}[{i}, 1]", self.check([x + mv[i - 1][0]
                                                              for x in mv[i - 1]])
            v = [self.num(-0.5, 0.5) for _ in mv[0]]
            return f"{m} @ {self.param('v', v)}", self.check(_matvec(mv, v))
        h, hv = self.pick_vector()
        if kind == "transpose":
            W = self.matrix(len(hv), self.r.randint(2, 4), 0.6)
            value = [sum((W[i][j] * hv[i] for i in range(len(hv))), Fraction(0))
                     for j in range(len(W[0]))]
            return f"transpose({self.param('W', W)}) @ {h}", self.check(value)
        if kind == "outer":
            g, gv = self.pick_vector()
            return f"outer({h}, {g})", self.check([[a * b for b in gv] for a in hv])
        X = self.matrix(4, 4)
        K = self.matrix(2, 2, 0.5)
        name = self.name("X")
        self.inputs.append((name, X))
        k = self.param("K", K)
        stride, pad = (2, 1) if kind == "conv_stride" else (1, 0)
        P = [[0] * (4 + 2 * pad) for _ in range(4 + 2 * pad)]
        for i in range(4):
            for j in range(4):
                P[i + pad][j + pad] = X[i][j]
        size = (4 + 2 * pad - 2) // stride + 1
        value = [[sum((P[i * stride + a][j * stride + b] * K[a][b] for a in range(2)
                       for b in range(2)), Fraction(0)) for j in range(size)]
                 for i in range(size)]
        text = f"conv2d({name}, {k}, 2, 1)" if stride == 2 else f"conv2d({name}, {k})"
        return text, self.check(value)

    def _matmul(self):
        """matrix @ matrix with a matrix node M (p×q) on either side of a new param W, never
        square where it could be (issue 21: B read transposed went unnoticed)."""
        m, mv = self.r.choice(self.matrices)
        p, q = len(mv), len(mv[0])
        c = self.r.choice([k for k in (2, 3, 4) if k not in (p, q)])
        zero = Fraction(0)
        if self.r.random() < 0.5:
            W = self.matrix(c, p, 0.5)
            value = [[sum((W[i][k] * mv[k][j] for k in range(p)), zero) for j in range(q)]
                     for i in range(c)]
            return f"{self.param('W', W)} @ {m}", self.check(value)
        W = self.matrix(q, c, 0.5)
        value = [[sum((mv[i][k] * W[k][j] for k in range(q)), zero) for j in range(c)]
                 for i in range(p)]
        return f"{m} @ {self.param('W', W)}", self.check(value)

    def t_literal(self):
        h, hv = self.pick_vector()
        parts = [(f"{h}[{i}]", hv[i - 1]) for i in range(1, len(hv) + 1)]
        self.r.shuffle(parts)
        parts = parts[:self.r.randint(2, max(2, len(parts)))]
        if self.scalars:
            parts.append(self.r.choice(self.scalars[-3:]))
        return "[" + ", ".join(t for t, _ in parts) + "]", self.check([v for _, v in parts])

    TEMPLATES = (("t_affine", 5), ("t_function", 6), ("t_combine", 4), ("t_softmax", 1),
                 ("t_reduce", 2), ("t_matrix", 2), ("t_literal", 1), ("t_layer", 6))

    # ------------------------------------------------------------------ exact kinks
    def plant(self):
        """A node with an exact kink of an exact vector: (text, value)."""
        h, hv = self.pick_vector(exact=True)
        kind = self.r.choice(("relu", "abs", "leaky_relu", "tie2", "tie3"))
        i = self.r.randrange(len(hv))
        if kind in ("relu", "abs", "leaky_relu"):
            m = self.r.randint(2, 4)
            W, b = self.matrix(m, len(hv), 0.6), [self.num(-0.5, 0.5) for _ in range(m)]
            pre = _matvec(W, hv)
            j = self.r.randrange(m)
            b[j] = -pre[j]  # exactly 0 before the function
            w = self.param("W", W)
            self.weights.append(w)
            arg = f"{w} @ {h} + {self.param('b', b)}"
            value = [a + c for a, c in zip(pre, b)]
            f = {"relu": lambda x: max(x, 0 * x), "abs": abs,
                 "leaky_relu": lambda x: x if x > 0 else x / 8}[kind]
            text = _call(kind, arg, "0.125")
            self.planted.add(kind)
            return text, self.check(_ew(f, value))
        tied = [hv[i] if j == i else self.num(-1, 1) for j in range(len(hv))]
        extra = [self.constant(tied)]
        if kind == "tie3":
            extra.append(self.constant([x if j == i else self.num(-1, 1)
                                        for j, x in enumerate(tied)]))
        fn = self.r.choice(("max", "min"))
        columns = [hv] + [dict(self.constants)[k] for k in extra]
        value = [(max if fn == "max" else min)(entries) for entries in zip(*columns)]
        self.planted.add(kind)
        return f"{fn}({h}, {', '.join(extra)})", self.check(value)

    # ------------------------------------------------------------------ building
    def node(self, kink=False):
        names = [t for t, _ in self.TEMPLATES]
        weights = [w for _, w in self.TEMPLATES]
        for _ in range(40):
            try:
                if kink:
                    return self.plant()
                template = self.r.choices(names, weights)[0]
                return getattr(self, template)()
            except _Reject:
                continue
        return self.t_fallback()

    def t_fallback(self):
        h, hv = self.vectors[-1]
        return f"tanh({h} / 8)", [math.tanh(x / 8) for x in hv]
