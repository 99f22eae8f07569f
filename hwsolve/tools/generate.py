"""Seeded random problem generator (spec v1), for stress tests and cross-checks.

``generate_problem(n_nodes, seed)`` returns the YAML text of a random but realistic
computational graph: dot products of vector params with input vectors, constant vectors and
vector literals of earlier nodes, every function of the format, fan-out (nodes reused by many
later nodes) and depth (long chains).  The generator evaluates every candidate node in floats
and keeps it only if its value is moderate (``|v| <= VMAX``) and every relu / leaky_relu / abs
argument and every min / max contest is at least ``KINK_EPS`` away from a kink.  It also keeps
purely rational sub-expressions small (an exact solver would otherwise see numerators double
with every product) by estimating their digit count.

With ``kinks=True`` it additionally plants exact kinks built from short dyadic decimals, so
that they are exact in float64 as well as in exact arithmetic: relu / leaky_relu / abs at
exactly 0 and 2-way and 3-way ties in min / max (of scalars and over a vector).

Names are short (x1 inputs, u1 input vectors, p1 params, w1 param vectors, c1 constants,
k1 constant vectors, n1 nodes) so that 20,000 nodes stay well under 4 MiB.

Command line: ``hwsolve generate N --seed S [--kinks] [-o FILE]``.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from itertools import accumulate

from hwsolve.spec.vocab import ACTIVATIONS, LOSSES
from hwsolve.spec.yamlread import MAX_BYTES

VMAX = 8.0
"""Largest magnitude a node value may take."""

SQUASH_MAX = 3.5
"""Largest magnitude of a tanh / sigmoid argument (keeps gradients from vanishing)."""

KINK_EPS = 1e-3
"""Smallest distance of a relu/leaky_relu/abs argument from 0 and of a min/max winner from
the runner-up (outside the deliberate kinks of ``kinks=True``)."""

RCAP = 60
"""Largest estimated digit count (numerator + denominator) of an exactly rational node."""

PREACT_RANGE = {"sigmoid": 4.0, "tanh": 2.5, "identity": 5.0}


_SLOPES = ("0.1", "0.2", "0.05", "0.3", "1e-2", "0.02")


_NODE_REF = re.compile(r"\bn[0-9]+\b")


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _dec(m: int, d: int) -> str:
    """The decimal text of m / 10**d, shortest form (``-0.37``, ``1.2``, ``2``)."""
    sign = "-" if m < 0 else ""
    m = abs(m)
    whole, frac = divmod(m, 10 ** d)
    if frac == 0:
        return f"{sign}{whole}"
    digits = str(frac).rjust(d, "0").rstrip("0")
    return f"{sign}{whole}.{digits}"


def _size(*sizes):
    """Estimated digit count of an exact result built from parts (None = irrational)."""
    total = 0
    for s in sizes:
        if s is None:
            return None
        total += s
    return total


class _Op:
    """An operand: its text (atomic: a name, ``w3[2]`` or a non-negative literal),
    float value, estimated exact size (None when irrational) and node index (or None)."""

    __slots__ = ("text", "value", "size", "node")

    def __init__(self, text, value, size, node=None):
        self.text = text
        self.value = value
        self.size = size
        self.node = node


class _Vec:
    __slots__ = ("text", "values", "size")

    def __init__(self, text, values, size):
        self.text = text
        self.values = values
        self.size = size


class _Reject(Exception):
    pass


class _Generator:
    def __init__(self, n_nodes, seed, kinks, activation, loss):
        if n_nodes < 1:
            raise ValueError("n_nodes must be at least 1")
        self.r = random.Random(seed)
        self.n = n_nodes
        self.seed = seed
        self.kinks = kinks
        self.activation, self.loss = self._pick_heads(activation, loss)
        self.inputs = []       # (name, text) in file order
        self.params = []
        self.constants = []
        self.scalars = []      # _Op leaves usable as operands (incl. vector entries)
        self.param_scalars = []
        self.vectors = []      # _Vec of params, inputs and constants
        self.param_vectors = []
        self.nodes = []        # (name, expression text)
        self.node_ops = []     # _Op of each node
        self.unused_nodes = deque()
        self.used = set()
        self.force = None      # operand the next _pick returns
        self.gated = set()     # node names the template being tried passes no gradient to
        self.unused_leaves = deque()
        self.kinds = set()     # deliberate kinks planted
        self._make_leaves()

    # ------------------------------------------------------------------ heads
    def _pick_heads(self, activation, loss):
        r = self.r
        if activation is not None and activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}")
        if loss is not None and loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}")
        if activation is None and loss is None:
            x = r.random()
            if x < 0.5:
                return "sigmoid", "bce"
            if x < 0.65:
                return "sigmoid", "mse"
            if x < 0.85:
                return "tanh", "mse"
            return "identity", "mse"
        if activation is None:
            activation = "sigmoid" if loss == "bce" else r.choice(ACTIVATIONS)
        if loss is None:
            loss = r.choice(LOSSES) if activation == "sigmoid" else "mse"
        if loss == "bce" and activation != "sigmoid":
            raise ValueError("loss bce requires activation sigmoid")
        return activation, loss

    # ----------------------------------------------------------------- leaves
    def _rand_dec(self, lo_m, hi_m, d, avoid_small=True):
        r = self.r
        smallest = (5 * 10 ** (d - 2) if d >= 2 else 1) if avoid_small else 0
        while True:
            m = r.randint(lo_m, hi_m)
            if abs(m) >= smallest:
                return _dec(m, d)

    def _leaf_value(self):
        """A short decimal such as 0.37, -1.2 or 0.05."""
        r = self.r
        if r.random() < 0.35:
            return self._rand_dec(-15, 15, 1)
        return self._rand_dec(-150, 150, 2)

    def _add_scalar(self, section, name, text):
        section.append((name, text))
        op = _Op(name, float(text), len(text))
        self.scalars.append(op)
        if section is self.params:
            self.param_scalars.append(op)
        self.unused_leaves.append(op)
        return op

    def _add_vector(self, section, name, texts):
        section.append((name, "[" + ", ".join(texts) + "]"))
        vals = [float(t) for t in texts]
        vec = _Vec(name, vals, max(len(t) for t in texts))
        self.vectors.append(vec)
        if section is self.params:
            self.param_vectors.append(vec)
        for i, t in enumerate(texts):
            op = _Op(f"{name}[{i + 1}]", vals[i], len(t))
            self.scalars.append(op)
            self.unused_leaves.append(op)
        return vec

    def _distinct_entries(self, k):
        texts = []
        seen = set()
        while len(texts) < k:
            t = self._leaf_value()
            if float(t) not in seen:
                seen.add(float(t))
                texts.append(t)
        return texts

    def _make_leaves(self):
        r, n = self.r, self.n
        for i in range(r.randint(1, 3) + n // 40):
            self._add_scalar(self.inputs, f"x{i + 1}", self._rand_dec(-30, 30, 1))
        self.n_vin = r.randint(0, 2) + n // 200
        for i in range(self.n_vin):
            k = r.randint(2, 8)
            self._add_vector(self.inputs, f"u{i + 1}",
                             [self._rand_dec(-30, 30, 1) for _ in range(k)])
        # Leaf counts are proportional to n (no random spread), so that a graph twice as large
        # is twice the work: the benchmark's linear-cost target compares N and 2N.
        self.n_p = max(2, n // 5)
        for i in range(self.n_p):
            self._add_scalar(self.params, f"p{i + 1}", self._leaf_value())
        self.n_w = max(1, n // 13)
        for i in range(self.n_w):
            self._add_vector(self.params, f"w{i + 1}", self._distinct_entries(r.randint(2, 8)))
        for i in range(r.randint(1, 2) + n // 100):
            self._add_scalar(self.constants, f"c{i + 1}",
                             r.choice(("2", "0.5", "3", "-1", "1.5", "0.25", "-0.5", "4")))
        self.n_k = r.randint(0, 1) + n // 300
        for i in range(self.n_k):
            k = r.randint(2, 8)
            self._add_vector(self.constants, f"k{i + 1}",
                             [self._rand_dec(-20, 20, 1) for _ in range(k)])
        self.next_p = self.n_p + 1
        self.next_w = self.n_w + 1
        self.next_x = len([1 for name, _ in self.inputs if name[0] == "x"]) + 1

    # --------------------------------------------------------------- operands
    def _oldest_unused(self):
        q = self.unused_nodes
        while q and q[0] in self.used:
            q.popleft()
        return self.node_ops[q[0]] if q else None

    def _pick(self):
        """An operand: the oldest node nobody uses yet (first pick of every node, so that
        every node ends up an ancestor of the output), a recent node (depth), any node
        (fan-out) or a leaf."""
        r = self.r
        if self.force is not None:
            op, self.force = self.force, None
            return op
        nn = len(self.node_ops)
        x = r.random()
        if nn and x < 0.62:
            if r.random() < 0.7:
                i = nn - 1 - min(nn - 1, int(r.expovariate(0.7)))
            else:
                i = r.randrange(nn)
            return self.node_ops[i]
        if x < 0.8 and self.unused_leaves:
            return self.unused_leaves.popleft()
        return r.choice(self.scalars)

    def _picks(self, k):
        """k operands with distinct texts (fewer if the pool is too small)."""
        out, seen = [], set()
        for _ in range(4 * k):
            op = self._pick()
            if op.text not in seen:
                seen.add(op.text)
                out.append(op)
                if len(out) == k:
                    break
        if not out:
            raise _Reject
        return out

    def _coef(self):
        r = self.r
        if r.random() < 0.3:
            return r.choice(("-2", "-1.5", "-1", "-0.5", "0.5", "1", "1.5", "2"))
        m = r.randint(20, 200)
        return _dec(m if r.random() < 0.5 else -m, 2)

    def _lin(self, k=None, bias=None):
        """A linear combination ``0.37*n4 - 1.2*x1 + p3*n7 + 0.5``: (text, value, size)."""
        r = self.r
        if k is None:
            k = r.choice((1, 2, 2, 2, 3, 3, 4))
        ops = self._picks(k)
        parts, value, sizes = [], 0.0, []
        for j, op in enumerate(ops):
            if j == 0 and r.random() < 0.25 and self.param_scalars:
                p = r.choice(self.param_scalars)
                term, v, s = f"{p.text}*{op.text}", p.value * op.value, _size(p.size, op.size)
                parts.append(("+", term))
            else:
                c = self._coef()
                cv = float(c)
                sign = "-" if c.startswith("-") else "+"
                ac = c.lstrip("-")
                term = op.text if ac == "1" else f"{ac}*{op.text}"
                v, s = cv * op.value, _size(len(c), op.size)
                parts.append((sign, term))
            value += v
            sizes.append(s)
        if bias is None:
            bias = r.random() < 0.4
        if bias:
            if r.random() < 0.5 and self.param_scalars:
                b = r.choice(self.param_scalars)
                parts.append(("+", b.text))
                value += b.value
                sizes.append(b.size)
            else:
                c = self._rand_dec(-20, 20, 1)
                parts.append(("-" if c.startswith("-") else "+", c.lstrip("-")))
                value += float(c)
                sizes.append(len(c))
        text = ("-" if parts[0][0] == "-" else "") + parts[0][1]
        for sign, term in parts[1:]:
            text += f" {sign} {term}"
        return text, value, _size(*sizes)

    def _vector_operand(self, k=None):
        """A vector: a param / input / constant vector, or a literal of k operands."""
        r = self.r
        if self.vectors and r.random() < (0.5 if k is None else 0.6):
            cands = self.vectors if k is None else [v for v in self.vectors
                                                    if len(v.values) == k]
            if cands:
                v = r.choice(cands)
                return v.text, v.values, v.size
        if k is None:
            k = r.randint(2, 5)
        ops = self._picks(k)
        if len(ops) < 2:
            raise _Reject
        return ("[" + ", ".join(o.text for o in ops) + "]", [o.value for o in ops],
                _size(*(o.size for o in ops)))

    # -------------------------------------------------------------- templates
    def t_lin(self):
        return self._lin(k=self.r.choice((2, 2, 3, 4)))

    def _squash_arg(self):
        """A linear combination in the unsaturated range of tanh / sigmoid."""
        t, v, s = self._lin()
        if abs(v) > SQUASH_MAX:
            raise _Reject
        return t, v, s

    def t_tanh(self):
        t, v, _ = self._squash_arg()
        return f"tanh({t})", math.tanh(v), None

    def t_sigmoid(self):
        t, v, _ = self._squash_arg()
        return f"sigmoid({t})", _sigmoid(v), None

    def t_relu(self):
        t, v, s = self._lin()
        self._away(v)
        if v < 0:
            if self.r.random() < 0.85:  # mostly active units: gradients flow
                raise _Reject
            self.gated.update(_NODE_REF.findall(t))
        return f"relu({t})", max(v, 0.0), s

    def t_leaky(self):
        t, v, s = self._lin()
        self._away(v)
        if v < 0 and self.r.random() < 0.6:
            raise _Reject
        if self.r.random() < 0.5:
            return f"leaky_relu({t})", v if v > 0 else 0.01 * v, _size(s, 3)
        sl = self.r.choice(_SLOPES)
        return f"leaky_relu({t}, {sl})", v if v > 0 else float(sl) * v, _size(s, 3)

    def t_abs(self):
        if self.r.random() < 0.5:
            ops = self._picks(2)
            if len(ops) < 2:
                raise _Reject
            a, b = ops
            self._away(a.value - b.value)
            return f"abs({a.text} - {b.text})", abs(a.value - b.value), _size(a.size, b.size)
        t, v, s = self._lin()
        self._away(v)
        return f"abs({t})", abs(v), s

    def t_dot(self):
        r = self.r
        x = r.random()
        if x < 0.6:
            w = r.choice(self.param_vectors)
            k = len(w.values)
            other = self._vector_operand(k)
            first, fv, fs = w.text, w.values, w.size
        else:
            first, fv, fs = self._vector_operand()
            k = len(fv)
            other = self._vector_operand(k)
        ot, ov, os_ = other
        if len(ov) != k:
            raise _Reject
        v = sum(a * b for a, b in zip(fv, ov))
        s = _size(fs, os_, k)
        text = f"dot({first}, {ot})" if r.random() < 0.5 else f"dot({ot}, {first})"
        if r.random() < 0.5:
            b = r.choice(self.param_scalars)
            text += f" + {b.text}"
            v += b.value
            s = _size(s, b.size)
        y = r.random() if abs(v) <= SQUASH_MAX else 1.0
        if y < 0.2:
            return f"tanh({text})", math.tanh(v), None
        if y < 0.35:
            return f"sigmoid({text})", _sigmoid(v), None
        return text, v, s

    def t_minmax(self):
        r = self.r
        fn = r.choice(("min", "max"))
        if r.random() < 0.35:
            t, vals, s = self._vector_operand()
            arg = t
        else:
            ops = self._picks(r.choice((2, 2, 3)))
            if len(ops) < 2:
                raise _Reject
            arg = ", ".join(o.text for o in ops)
            vals = [o.value for o in ops]
            s = _size(*(o.size for o in ops))
            s = None if s is None else max(o.size for o in ops)
        srt = sorted(vals)
        if fn == "max":
            self._away(srt[-1] - srt[-2])
            v = srt[-1]
        else:
            self._away(srt[1] - srt[0])
            v = srt[0]
        if "," in arg:  # the losers get no gradient from here
            self.gated.update(item for item, val in zip(arg.strip("[]").split(", "), vals)
                              if val != v)
        text = f"{fn}({arg})"
        if r.random() < 0.3:
            c = self._coef()
            text = f"{c}*{text}"
            v *= float(c)
            s = _size(s, len(c))
        return text, v, s

    def t_exp(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.3:
            return f"exp(-{a.text}*{a.text})", math.exp(-a.value * a.value), None
        if x < 0.55:
            return f"exp(tanh({a.text}))", math.exp(math.tanh(a.value)), None
        if x < 0.75:
            c = self._coef()
            return f"exp({c}*sigmoid({a.text}))", math.exp(float(c) * _sigmoid(a.value)), None
        t, v, _ = self._lin()
        if not -4.0 <= v <= 2.0:
            raise _Reject
        return f"exp({t})", math.exp(v), None

    def t_log(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.35:
            return f"log(1 + {a.text}*{a.text})", math.log1p(a.value * a.value), None
        if x < 0.55:
            return f"log(sigmoid({a.text}))", math.log(_sigmoid(a.value)), None
        if x < 0.75:
            return f"log(2 + tanh({a.text}))", math.log(2 + math.tanh(a.value)), None
        b = self._pick()
        return (f"log({a.text}*{a.text} + {b.text}*{b.text} + 0.5)",
                math.log(a.value ** 2 + b.value ** 2 + 0.5), None)

    def t_sqrt(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.4:
            return f"sqrt(1 + {a.text}*{a.text})", math.sqrt(1 + a.value * a.value), None
        if x < 0.6:
            return f"sqrt(sigmoid({a.text}))", math.sqrt(_sigmoid(a.value)), None
        if x < 0.8:
            b = self._pick()
            return (f"sqrt({a.text}*{a.text} + {b.text}*{b.text} + 0.25)",
                    math.sqrt(a.value ** 2 + b.value ** 2 + 0.25), None)
        if a.value < 0.05:
            raise _Reject
        return f"sqrt({a.text})", math.sqrt(a.value), None

    def t_div(self):
        r = self.r
        a, b = self._pick(), self._pick()
        x = r.random()
        if x < 0.3:
            return (f"{a.text} / (1 + {b.text}*{b.text})", a.value / (1 + b.value * b.value),
                    _size(a.size, b.size, b.size, 1))
        if x < 0.45:
            if abs(b.value) > 3:
                raise _Reject
            return f"{a.text} / exp({b.text})", a.value / math.exp(b.value), None
        if x < 0.6:
            if a.text == b.text:
                raise _Reject
            c = self._pick()
            return (f"({a.text} - {b.text}) / (2 + tanh({c.text}))",
                    (a.value - b.value) / (2 + math.tanh(c.value)), None)
        if x < 0.8:
            d = r.choice(("2", "3", "4", "0.5", "1.5", "10"))
            if self.constants and r.random() < 0.5:
                name, ctext = r.choice(self.constants)
                if ctext.startswith("["):
                    raise _Reject
                d = name
                dv = float(ctext)
            else:
                dv = float(d)
            t, v, s = self._lin(k=r.choice((1, 2)), bias=False)
            return f"({t}) / {d}", v / dv, _size(s, 2)
        return (f"{a.text} / sqrt(1 + {b.text}*{b.text})",
                a.value / math.sqrt(1 + b.value * b.value), None)

    def t_pow(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.25:
            return f"{a.text}**2", a.value ** 2, _size(a.size, a.size)
        if x < 0.4:
            b = self._pick()
            if a.text == b.text:
                raise _Reject
            d = a.value - b.value
            return f"({a.text} - {b.text})**2", d * d, _size(a.size, b.size, a.size, b.size)
        if x < 0.5:
            if abs(a.value) > 2:
                raise _Reject
            return f"{a.text}**3", a.value ** 3, _size(a.size, a.size, a.size)
        if x < 0.65:
            return (f"(1 + {a.text}*{a.text})**0.5", math.sqrt(1 + a.value * a.value), None)
        if x < 0.78:
            return (f"(1 + {a.text}*{a.text})**-1", 1 / (1 + a.value * a.value),
                    _size(a.size, a.size, 1))
        if x < 0.9:
            return f"sigmoid({a.text})**2", _sigmoid(a.value) ** 2, None
        if a.value < 0.05:
            raise _Reject
        return f"{a.text}**0.5", math.sqrt(a.value), None

    def t_prod(self):
        r = self.r
        x = r.random()
        if x < 0.4:
            a, b = self._gate_zero(self._pick(), self._pick())
            return f"{a.text}*{b.text}", a.value * b.value, _size(a.size, b.size)
        if x < 0.7:
            a, b = self._gate_zero(self._pick(), self._pick())
            c = self._coef().lstrip("-")
            if c == "1":
                raise _Reject
            return (f"{c}*{a.text}*{b.text}", float(c) * a.value * b.value,
                    _size(len(c), a.size, b.size))
        a, b, c = self._gate_zero(self._pick(), self._pick(), self._pick())
        return (f"{a.text}*{b.text}*{c.text}", a.value * b.value * c.value,
                _size(a.size, b.size, c.size))

    def t_sum(self):
        r = self.r
        t, vals, s = self._vector_operand()
        text, v = f"sum({t})", sum(vals)
        s = _size(s, len(vals))
        if r.random() < 0.4:
            c = self._coef().lstrip("-")
            text, v, s = f"{c}*{text}", float(c) * v, _size(s, len(c))
        return text, v, s

    def t_neg(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.35:
            a, b = self._gate_zero(a, self._pick())
            return f"-{a.text}*{b.text}", -a.value * b.value, _size(a.size, b.size)
        if x < 0.65:
            t, v, s = self._lin()
            return f"-({t})", -v, s
        if x < 0.85:
            return f"tanh(-{a.text})", math.tanh(-a.value), None
        b = self._pick()
        return f"-sigmoid({a.text}) + {b.text}", -_sigmoid(a.value) + b.value, None

    def t_index(self):
        """A product or sum built around explicitly indexed vector entries."""
        r = self.r
        w = r.choice(self.vectors)
        i = r.randrange(len(w.values))
        a = self._pick()
        e = f"{w.text}[{i + 1}]"
        if r.random() < 0.5 or abs(w.values[i] * (a.value + 1)) > SQUASH_MAX:
            return f"{e}*{a.text}", w.values[i] * a.value, _size(w.size, a.size)
        return (f"tanh({e}*{a.text} + {e})", math.tanh(w.values[i] * (a.value + 1)), None)

    def t_residual(self):
        """A skip connection ``a + c*tanh(...)``: keeps gradients alive in deep chains."""
        a = self._pick()
        t, v, _ = self._squash_arg()
        c = self._coef()
        return (f"{a.text} {'-' if c.startswith('-') else '+'} {c.lstrip('-')}*tanh({t})",
                a.value + float(c) * math.tanh(v), None)

    TEMPLATES = (
        ("t_residual", 16), ("t_lin", 8), ("t_tanh", 12), ("t_sigmoid", 8), ("t_relu", 7),
        ("t_leaky", 6), ("t_dot", 10), ("t_minmax", 8), ("t_abs", 4), ("t_exp", 5), ("t_log", 5),
        ("t_sqrt", 4), ("t_div", 6), ("t_pow", 6), ("t_prod", 7), ("t_sum", 4),
        ("t_neg", 3), ("t_index", 3),
    )

    _NAMES = [t for t, _ in TEMPLATES]
    _CUM = list(accumulate(w for _, w in TEMPLATES))

    def _gate_zero(self, *ops):
        """Factors of a product: one whose co-factors multiply to 0 gets no gradient."""
        for i, op in enumerate(ops):
            if any(o.value == 0.0 for j, o in enumerate(ops) if j != i):
                self.gated.add(op.text)
        return ops

    @staticmethod
    def _away(v):
        if abs(v) < KINK_EPS:
            raise _Reject

    # ------------------------------------------------------------------ kinks
    def _new_param(self, text):
        name = f"p{self.next_p}"
        self.next_p += 1
        self.params.append((name, text))
        op = _Op(name, float(text), len(text))
        self.param_scalars.append(op)
        self.scalars.append(op)
        return op

    def _new_input(self, text):
        name = f"x{self.next_x}"
        self.next_x += 1
        self.inputs.append((name, text))
        op = _Op(name, float(text), len(text))
        self.scalars.append(op)
        return op

    def _dyadic(self, lo=-12, hi=12):
        """k for a short decimal k/8 (exact in binary floating point), k != 0."""
        k = 0
        while k == 0:
            k = self.r.randint(lo, hi)
        return k

    KINDS = ("relu0", "leaky0", "leaky0s", "abs0", "tie2", "tie3", "tievec")

    def _kink(self, kind):
        """A node with an exact kink of the given kind: (text, value, size)."""
        r = self.r
        if kind in ("relu0", "leaky0", "leaky0s", "abs0"):
            k = self._dyadic()
            t = _dec(k * 125, 3)
            x = r.random()
            if x < 0.4:
                a, b = self._new_param(t), self._new_param(t)
                arg = f"{a.text} - {b.text}"
            elif x < 0.7:
                a, b = self._new_input(t), self._new_param(t)
                arg = f"{a.text} - {b.text}" if r.random() < 0.5 else f"{b.text} - {a.text}"
            else:  # 0.5*p + ... with dyadic values: exact in floats too
                a, b = self._new_param(_dec(k * 250, 3)), self._new_param(t)
                arg = f"0.5*{a.text} - {b.text}"
            if kind == "relu0":
                return f"relu({arg})", 0.0, 4
            if kind == "leaky0":
                return f"leaky_relu({arg})", 0.0, 4
            if kind == "leaky0s":
                return f"leaky_relu({arg}, {r.choice(_SLOPES)})", 0.0, 4
            return f"abs({arg})", 0.0, 4
        fn = r.choice(("min", "max"))
        sign = 1 if fn == "max" else -1
        kt = self._dyadic(-8, 8)
        t = _dec(kt * 125, 3)
        tv = float(t)
        if kind == "tievec":
            ties = r.choice((2, 2, 3))
            others = [_dec((kt - sign * r.randint(1, 12)) * 125, 3)
                      for _ in range(r.randint(ties, 6) - ties)]
            entries = [t] * ties + others
            r.shuffle(entries)
            if r.random() < 0.6:
                name = f"w{self.next_w}"
                self.next_w += 1
                self.params.append((name, "[" + ", ".join(entries) + "]"))
                vec = _Vec(name, [float(e) for e in entries], 6)
                self.param_vectors.append(vec)
                return f"{fn}({name})", tv, 4
            ops = [self._new_param(e) for e in entries]
            return f"{fn}([{', '.join(o.text for o in ops)}])", tv, 4
        ties = 2 if kind == "tie2" else 3
        args = []
        for _ in range(ties):
            if r.random() < 0.3:
                args.append(f"0.5*{self._new_param(_dec(kt * 250, 3)).text}")
            else:
                args.append(self._new_param(t).text)
        if r.random() < 0.5:  # a loser that is a real earlier node or leaf
            op = self._pick()
            if sign * (tv - op.value) >= 0.1:
                args.insert(r.randrange(len(args) + 1), op.text)
        return f"{fn}({', '.join(args)})", tv, 4

    # ------------------------------------------------------------------- main
    def _node(self, kink_kind=None):
        r = self.r
        if kink_kind is not None:
            self.force = None
            return self._kink(kink_kind)
        oldest = self._oldest_unused()
        for _ in range(30):
            tname = r.choices(self._NAMES, cum_weights=self._CUM)[0]
            self.force, self.gated = oldest, set()
            try:
                text, v, s = getattr(self, tname)()
            except _Reject:
                continue
            refs = _NODE_REF.findall(text)
            if oldest is not None and oldest.text not in refs:  # add the oldest unused node
                c = self._coef()
                v += float(c) * oldest.value
                text += f" {'-' if c.startswith('-') else '+'} {c.lstrip('-')}*{oldest.text}"
                s = _size(s, len(c), oldest.size)
                refs.append(oldest.text)
            if not (abs(v) <= VMAX) or (s is not None and s > RCAP):
                continue
            self.used.update(int(ref[1:]) - 1 for ref in refs if ref not in self.gated)
            self.force = None
            return text, v, s
        self.force = oldest
        a = self._pick()
        if a.node is not None:
            self.used.add(a.node)
        self.force = None
        return f"tanh(0.5*{a.text})", math.tanh(0.5 * a.value), None

    def _output_node(self):
        """The output node: a combination of the last node and every node nobody uses yet
        (up to 8), with its value inside the activation's moderate range."""
        r = self.r
        lim = PREACT_RANGE[self.activation]
        ops = []
        if self.node_ops:
            ops.append(self.node_ops[-1])
            self.used.add(len(self.node_ops) - 1)
        while len(ops) < 8 and self._oldest_unused() is not None:
            op = self._oldest_unused()
            self.used.add(op.node)
            ops.append(op)
        nn = len(self.node_ops)
        for _ in range(r.randint(1, 2) if nn > 2 else 0):  # more paths into the output
            op = self.node_ops[nn - 1 - min(nn - 1, int(r.expovariate(0.3)))]
            if op not in ops:
                ops.append(op)
        if not ops:
            ops = self._picks(2)
        for _ in range(40):
            coefs = [self._coef() for _ in ops]
            v = sum(float(c) * op.value for c, op in zip(coefs, ops))
            if 0.05 <= abs(v) <= lim:
                break
        else:  # small coefficients that cannot leave the range
            coefs = [_dec(r.choice((-1, 1))
                          * max(1, int(100 * lim / (len(ops) * (abs(op.value) + 1)))), 2)
                     for op in ops]
            v = sum(float(c) * op.value for c, op in zip(coefs, ops))
        parts = [("-" if c.startswith("-") else "+", f"{c.lstrip('-')}*{op.text}")
                 for c, op in zip(coefs, ops)]
        if r.random() < 0.5:
            b = r.choice(self.param_scalars)
            if abs(v + b.value) <= lim:
                parts.append(("+", b.text))
                v += b.value
        text = ("-" if parts[0][0] == "-" else "") + parts[0][1]
        for sign, term in parts[1:]:
            text += f" {sign} {term}"
        return text, v, None

    def build(self):
        r, n = self.r, self.n
        trailing = 1 if (n >= 4 and r.random() < 0.1) else 0
        body = n - 1 - trailing  # nodes before the output node
        plan = {}
        if self.kinks and body >= 1:
            kinds = list(self.KINDS)
            r.shuffle(kinds)
            slots = r.sample(range(body), min(body, len(kinds)))
            for slot, kind in zip(slots, kinds):
                plan[slot] = kind
            for i in range(body):
                if i not in plan and r.random() < 0.05:
                    plan[i] = r.choice(self.KINDS)
        for i in range(body):
            kind = plan.get(i)
            text, v, s = self._node(kind)
            if kind:
                self.kinds.add(kind)
            self._append(text, v, s)
        text, v, s = self._output_node()
        self._append(text, v, s)
        self.output = self.nodes[-1][0]
        for _ in range(trailing):
            text, v, s = self._node()
            self._append(text, v, s)
        return self._yaml(bool(trailing))

    def _append(self, text, v, s):
        idx = len(self.nodes)
        name = f"n{idx + 1}"
        self.nodes.append((name, text))
        self.node_ops.append(_Op(name, v, s, idx))
        self.unused_nodes.append(idx)

    def _label(self):
        r = self.r
        if self.activation == "sigmoid":
            return r.choice(("0", "1", "1", "0", "0.25", "0.8"))
        if self.activation == "tanh":
            return r.choice(("-1", "0", "1", "0.5"))
        return self._rand_dec(-20, 20, 1)

    def _yaml(self, explicit_output):
        r = self.r
        out = [f"title: Random graph ({self.n} nodes, seed {self.seed}"
               f"{', kinks' if self.kinks else ''})",
               "description: Generated by hwsolve.tools.generate.",
               "inputs:"]
        out += [f"  {k}: {v}" for k, v in self.inputs]
        out.append("params:")
        out += [f"  {k}: {v}" for k, v in self.params]
        if self.constants:
            out.append("constants:")
            out += [f"  {k}: {v}" for k, v in self.constants]
        out.append("nodes:")
        out += [f"  {k}: {v}" for k, v in self.nodes]
        if explicit_output or r.random() < 0.3:
            out.append(f"output: {self.output}")
        default = self.activation == "sigmoid" and self.loss == "bce"
        if not default or r.random() < 0.5:
            out.append(f"activation: {self.activation}")
            out.append(f"loss: {self.loss}")
        out.append(f"label: {self._label()}")
        return "\n".join(out) + "\n"


def generate_problem(n_nodes: int, seed: int, *, kinks: bool = False, activation=None,
                     loss=None) -> str:
    """The YAML text of a random problem with ``n_nodes`` nodes, deterministic in ``seed``.

    ``activation`` / ``loss`` fix the head (otherwise a seeded random valid combination);
    ``kinks=True`` plants exact kinks (relu/leaky_relu/abs at 0, 2- and 3-way min/max ties).
    """
    text = _Generator(n_nodes, seed, kinks, activation, loss).build()
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:  # never write what hwsolve would refuse to read
        fits = max(1, int(n_nodes * MAX_BYTES / size * 0.98))
        raise ValueError(f"{n_nodes:,} nodes make a {size / 1024 / 1024:.2f} MiB problem, more "
                         f"than the {MAX_BYTES // (1024 * 1024)} MiB hwsolve reads; ask for at "
                         f"most about {fits:,} nodes")
    return text

