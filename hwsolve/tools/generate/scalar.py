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
from collections import deque

from hwsolve.tools.generate.common import (ACTIVATIONS, LOSSES, PREACT_RANGE, RCAP, VMAX, _NODE_REF,
                                           _Op, _Reject, _Vec, _dec, _size)
from hwsolve.tools.generate.scalar_nodes import NodeTemplates


class _Generator(NodeTemplates):
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
