"""Seeded random tensor problems (format v2): small networks of matrices and vectors.

A problem starts from an input vector (and sometimes an input image for ``conv2d``) and adds
nodes from the templates of :data:`hwsolve.ops.registry.REGISTRY`: affine layers ``W @ h + b``,
element-wise functions, element-wise products and min/max of two nodes, ``softmax`` and
``log_softmax``, reductions to a scalar that later nodes broadcast, ``transpose``, ``outer``,
``conv2d`` with and without stride and padding, indexing and vector literals.  The output is an
affine layer, so its pre-activation stays in the head's moderate range.  Heads: softmax with
cross-entropy (a class number or a probability label), multiclass hinge, ``loss: none`` (a vector
output with ``output_grad``, or a scalar), mse, bce, and loss expressions with an L2 term.

Every node is evaluated while it is written (Fractions for exact operations, floats after a
transcendental one); a candidate is kept only if every entry is moderate (``|v| <= VMAX``) and, in
a kink-free problem, every relu/leaky_relu/abs argument, min/max contest and hinge margin is at
least ``KINK_EPS`` away from its kink.  With ``kinks=True`` all numbers are dyadic (k/8), so that
float64 is exact too, and the generator plants exact kinks: relu/leaky_relu/abs at 0, 2-way and
3-way element-wise max/min ties, and a hinge margin of exactly 0.
"""

from __future__ import annotations

import random
from fractions import Fraction

from hwsolve.tools.generate.common import KINK_EPS, VMAX
from hwsolve.tools.generate.tensor_layers import TensorLayers
from hwsolve.tools.generate.tensor_nodes import (TensorNodes, VectorPool, _Reject, _flat,
                                                 _matvec, _shape, _text)

HEADS = {  # name: (activation, loss)
    "softmax_ce": ("softmax", "cross_entropy"), "hinge": ("identity", "hinge"),
    "none": ("identity", "none"), "mse": ("identity", "mse"), "tanh_mse": ("tanh", "mse"),
    "bce": ("sigmoid", "bce"), "ce_l2": ("softmax", "expression"),
    "mse_l2": ("identity", "expression"), "huber": ("identity", "huber"),
    "l1": ("tanh", "l1"), "smooth_l1": ("sigmoid", "smooth_l1"),
}
PREACT = {"softmax": 4.0, "sigmoid": 4.0, "tanh": 2.5, "identity": 5.0}


class TensorGenerator(TensorNodes, TensorLayers):
    def __init__(self, n_nodes: int, seed: int, kinks: bool, activation, loss):
        if n_nodes < 1:
            raise ValueError("n_nodes must be at least 1")
        self.r = random.Random(f"tensor-{seed}")
        self.n, self.seed, self.kinks = n_nodes, seed, kinks
        self.head = self._pick_head(activation, loss)
        self.inputs, self.params, self.constants, self.nodes = [], [], [], []
        self.vectors = VectorPool()   # (name, value) of vector inputs and nodes
        self.scalars = []   # (name, value) of scalar nodes
        self.matrices = []  # (name, value) of matrix nodes
        self.counts = {}
        self.planted = set()
        self.weights = []   # names of weight matrices (for L2 terms)

    # ------------------------------------------------------------------ numbers and names
    def _pick_head(self, activation, loss) -> str:
        options = [h for h, (a, l) in HEADS.items()
                   if (activation is None or a == activation)
                   and (loss is None or l == loss or (l == "expression" and loss == "expression"))]
        if not options:
            raise ValueError(f"no tensor head with activation {activation!r} and loss {loss!r}")
        return self.r.choice(options)

    def num(self, lo=-1.0, hi=1.0):
        """A short decimal (dyadic k/8 with kinks), away from 0."""
        r = self.r
        while True:
            if self.kinks:
                x = Fraction(r.randint(int(lo * 8), int(hi * 8)), 8)
            else:
                x = Fraction(r.randint(int(lo * 100), int(hi * 100)), 100)
            if x:
                return x

    def name(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]}"

    def param(self, prefix, value) -> str:
        name = self.name(prefix)
        self.params.append((name, value))
        return name

    def constant(self, value) -> str:
        name = self.name("k" if isinstance(value, list) else "c")
        self.constants.append((name, value))
        return name

    def matrix(self, m, n, scale=1.0):
        return [[self.num(-scale, scale) for _ in range(n)] for _ in range(m)]

    # ------------------------------------------------------------------ checks
    def check(self, value, kink_args=(), contests=()):
        for x in _flat(value):
            if not abs(x) <= VMAX:
                raise _Reject
        if not self.kinks:
            for x in kink_args:
                if abs(x) < KINK_EPS:
                    raise _Reject
            for group in contests:
                ordered = sorted(group)
                if any(b - a < KINK_EPS for a, b in zip(ordered, ordered[1:])):
                    raise _Reject
        return value

    # ------------------------------------------------------------------ templates
    def add(self, text, value):
        name = self.name("h")
        self.nodes.append((name, text))
        table = {0: self.scalars, 1: self.vectors, 2: self.matrices}[len(_shape(value))]
        table.append((name, value))
        return name

    def build(self) -> str:
        r = self.r
        x = [self.num(-1, 1) for _ in range(r.randint(2, 4))]
        self.inputs.append(("x", x))
        self.vectors.append(("x", x))
        kink_at = set()
        if self.kinks:
            body = max(0, self.n - 1)
            kink_at = set(r.sample(range(body), min(body, 2))) if body else set()
        for i in range(self.n - 1):
            self.add(*self.node(kink=i in kink_at))
        act, loss = HEADS[self.head]
        k = 1 if (loss == "none" and r.random() < 0.3) else r.randint(2, 4)
        self.add(*self.output(act, k))
        return self.yaml(act, loss, k)

    def output(self, act, k):
        lim = PREACT[act]
        exact = self.kinks and self.head == "hinge"
        for _ in range(60):
            try:
                h, hv = self.pick_vector(exact=exact)
            except _Reject:
                h, hv = self.vectors[0]
            W = self.matrix(k, len(hv), 0.6)
            b = [self.num(-0.5, 0.5) for _ in range(k)]
            s = [a + c for a, c in zip(_matvec(W, hv), b)]
            if self.head == "hinge":
                self.label_class = self.r.randint(1, k)
            if exact and all(isinstance(e, Fraction) for e in s) and k > 1:
                j = self.r.choice([j for j in range(k) if j != self.label_class - 1])
                b[j] -= s[j] - s[self.label_class - 1] + 1  # a margin of exactly 0
                s = [a + c for a, c in zip(_matvec(W, hv), b)]
                self.planted.add("hinge0")
            margins = [e - s[self.label_class - 1] + 1 for j, e in enumerate(s)
                       if self.head == "hinge" and j != self.label_class - 1]
            if all(abs(e) <= lim for e in s) and (k > 1 or abs(s[0]) >= 0.05) and \
                    (exact or all(abs(m) >= KINK_EPS for m in margins)):
                break
        w = self.param("W", W)
        self.weights.append(w)
        if k == 1:
            return f"dot({w}[1], {h}) + {self.param('c', b[0])}", s[0]
        return f"{w} @ {h} + {self.param('b', b)}", s

    # ------------------------------------------------------------------ YAML
    def label(self, act, loss, k):
        r = self.r
        if loss in ("cross_entropy", "hinge") or self.head == "ce_l2":
            if loss == "cross_entropy" and r.random() < 0.4:
                parts = [Fraction(1, 8)] * k
                for _ in range(8 - k):
                    parts[r.randrange(k)] += Fraction(1, 8)
                return _text(parts)
            return str(getattr(self, "label_class", r.randint(1, k)))
        if act == "sigmoid":
            return _text([r.choice((Fraction(0), Fraction(1), Fraction(1, 4))) for _ in range(k)])
        if act == "tanh":
            return _text([r.choice((Fraction(-1), Fraction(0), Fraction(1), Fraction(1, 2)))
                          for _ in range(k)])
        return _text([self.num(-2, 2) for _ in range(k)])

    def yaml(self, act, loss, k) -> str:
        planted = f", kinks {' '.join(sorted(self.planted))}" if self.planted else ""
        out = [f"title: Random tensor problem ({self.n} nodes, seed {self.seed}, {self.head}"
               f"{planted})", "description: Generated by hwsolve.tools.generate (--tensor)."]
        for section, items in (("inputs", self.inputs), ("params", self.params),
                               ("constants", self.constants)):
            if items:
                out.append(f"{section}:")
                out += [f"  {name}: {_text(v)}" for name, v in items]
        out.append("nodes:")
        out += [f"  {name}: " + (f"'{text}'" if text.startswith("[") else text)
                for name, text in self.nodes]
        out.append(f"activation: {act}")
        if loss == "expression":
            w = self.r.choice(self.weights)
            preset = "cross_entropy" if act == "softmax" else \
                self.r.choice(("mse", "mean((Yhat - Y) ** 2)"))
            out.append(f'loss: "{preset} + 0.01 * sum({w} ** 2)"')
        else:
            out.append(f"loss: {loss}")
        if "mse" in out[-1] and self.r.random() < 0.5:  # a course's mse reduction
            out.append(f"conventions: {self.r.choice(('pytorch', 'cs231n', 'cs231n', 'cmu11785'))}")
        if loss == "none":
            if k > 1:
                out.append(f"output_grad: {_text([self.num(-1, 1) for _ in range(k)])}")
        else:
            out.append(f"label: {self.label(act, loss, k)}")
        return "\n".join(out) + "\n"


def generate_tensor_problem(n_nodes: int, seed: int, *, kinks: bool = False, activation=None,
                            loss=None) -> str:
    """The YAML text of a random tensor problem with ``n_nodes`` nodes (deterministic)."""
    return TensorGenerator(n_nodes, seed, kinks, activation, loss).build()
