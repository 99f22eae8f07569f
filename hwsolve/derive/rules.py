"""The matrix-calculus rules: reverse accumulation over a shaped expression tree, each step the
rule a course writes (z = W x  gives  ∂L/∂W = δ xᵀ and ∂L/∂x = Wᵀ δ), in the layout "the
gradient has the shape of the variable".

:class:`Deriver` walks a tree from its root with the adjoint ``g`` (a form of the root's shape)
and hands each subtree its own adjoint; the adjoints that reach a name are collected per name
(whole, or per entry for ``W[1]`` and ``[X1, X2]``).  A form that would repeat a large piece
(an adjoint used by two arguments, a softmax used twice) names it in the ``where`` list
(:class:`Where`), so that every printed form stays linear in the size of the problem.  An
operation with no closed form in the syntax is a :class:`Refusal` with the reason.
"""

from __future__ import annotations

from hwsolve.derive import form as F
from hwsolve.spec.exprtree import Tensor


class Refusal(ValueError):
    """No closed form (the message says why)."""


class Where:
    """The named intermediates, in an order in which each can be evaluated."""

    def __init__(self, taken: set):
        self.taken = set(taken)
        self.entries: list = []      # (name, form)
        self.by_key: dict = {}
        self.counter = {"g": 0, "a": 0}

    def fresh(self, hint: str) -> str:
        if hint in ("g", "a"):
            while True:
                self.counter[hint] += 1
                candidate = f"{hint}{self.counter[hint]}"
                if candidate not in self.taken:
                    break
        else:
            candidate, k = hint, 1
            while candidate in self.taken:
                k += 1
                candidate = f"{hint}_{k}"
        self.taken.add(candidate)
        return candidate

    def bind(self, t: Tensor, hint: str = "g", force: bool = False) -> Tensor:
        if t.kind == "fill" and not force:  # a broadcast scalar: name the scalar
            return F.fill(self.bind(t.args[0], hint), t.shape)
        if F.simple(t) and not (force and t.kind != "name"):
            return t
        k = F.key(t)
        if k in self.by_key:
            return self.by_key[k]
        name = self.fresh(hint)
        self.entries.append((name, t))
        ref = F.name(name, t.shape)
        self.by_key[k] = ref
        return ref


class Deriver:
    """Adjoints of the names in ``targets`` (a set), intermediates in ``where``."""

    def __init__(self, targets: set, where: Where):
        self.targets = targets
        self.where = where
        self.whole: dict = {}        # name -> [contribution]
        self.entries: dict = {}      # name -> {index: [contribution]}
        self.steps: list = []        # (name, contribution, context)
        self.context = ""
        self.slip = None             # the grader plants one mistake: see SLIPS

    def needs(self, t: Tensor) -> bool:
        return bool(F.names_in(t) & self.targets)

    # ------------------------------------------------------------------ results

    def gradient(self, n: str, shape: tuple) -> Tensor:
        """Everything that reached ``n``, whole and per entry, as one form of its shape."""
        parts = list(self.whole.get(n, []))
        by_entry = self.entries.get(n)
        if by_entry:
            parts.append(self._assemble(by_entry, shape))
        return F.add(*parts) if parts else F.zero(shape)

    @staticmethod
    def _assemble(by_entry: dict, shape: tuple) -> Tensor:
        if len(shape) == 1:
            items = [F.add(*by_entry.get((i,), [])) if by_entry.get((i,)) else F.number(0)
                     for i in range(1, shape[0] + 1)]
            return F.literal(items, shape)
        rows = []
        for i in range(1, shape[0] + 1):
            row = by_entry.get((i,), [])
            cells = [F.add(*by_entry[(i, j)]) if (i, j) in by_entry else F.number(0)
                     for j in range(1, shape[1] + 1)]
            if any(not F.is_zero(c) for c in cells):
                row = row + [F.literal(cells, (shape[1],))]
            rows.append(F.add(*row) if row else F.zero((shape[1],)))
        rows = [F.literal([F.number(0)] * shape[1], (shape[1],)) if r.kind == "zero" else r
                for r in rows]
        rows = [F.literal([r.args[0]] * shape[1], (shape[1],)) if r.kind == "fill" else r
                for r in rows]
        return F.literal(rows, shape)

    # ------------------------------------------------------------------ the walk

    def back(self, t: Tensor, g: Tensor, out: Tensor | None = None) -> None:
        """Hand ``t`` its adjoint ``g``; ``out`` is a form of t's value (the node's own name at
        a node's root, else t itself)."""
        if F.is_zero(g) or not self.needs(t):
            return
        out = t if out is None else out
        k = t.kind
        if k == "name":
            self.whole.setdefault(t.data, []).append(g)
            self.steps.append((t.data, g, self.context))
            return
        if k in ("item", "row"):
            n, index = t.data
            self.entries.setdefault(n, {}).setdefault(tuple(index), []).append(g)
            self.steps.append((F.to_text(t), g, self.context))
            return
        if k == "lit":
            return self._literal(t, g)
        if k == "ew":
            return self._elementwise(t, g, out)
        if k == "reduce":
            return self._reduce(t, g, out)
        if k == "dot":
            u, v = t.args
            if self.needs(u) and self.needs(v):
                g = self.where.bind(g)
            self.back(u, F.mul(g, v))
            self.back(v, F.mul(g, u))
            return
        if k == "matmul":
            return self._matmul(t, g)
        if k == "transpose":
            return self.back(t.args[0], F.transpose(g))
        if k == "outer":
            u, v = t.args
            if self.needs(u) and self.needs(v):
                g = self.where.bind(g)
            self.back(u, F.matmul(g, v))
            self.back(v, F.matmul(F.transpose(g), u))
            return
        if k == "softmax":
            over = _over(g, out)
            if over is not None and self.slip != "softmax_diagonal":  # ∂ log softmax: h - s·sum(h)
                h = self.where.bind(over)
                return self.back(t.args[0], F.sub(h, F.mul(out, F.reduce_("sum", h))))
            s = self.where.bind(out, "a")
            g = self.where.bind(g)
            if self.slip == "softmax_diagonal":  # diag(J) = s ⊙ (1 − s) only
                return self.back(t.args[0], F.mul(g, s, F.sub(F.number(1), s)))
            return self.back(t.args[0], F.mul(s, F.sub(g, F.dot(s, g))))
        if k == "log_softmax" and self.slip == "softmax_diagonal":
            s = F.vector("softmax", t.args[0])
            return self.back(t.args[0], F.mul(g, F.sub(F.number(1), s)))
        if k == "log_softmax":
            v = t.args[0]
            return self.back(v, F.sub(g, F.mul(F.vector("softmax", v), F.reduce_("sum", g))))
        if k == "trace":
            return self.back(t.args[0], F.mul(g, F.eye(t.args[0].shape[0])))
        if k == "conv2d":
            return self._conv2d(t, g)
        raise Refusal(f"no closed form for a {k} here")

    def _literal(self, t: Tensor, g: Tensor) -> None:
        if g.kind == "fill":
            inner = g.args[0]
            for a in t.args:
                self.back(a, F.fill(inner, a.shape))
            return
        if g.kind == "lit":
            for a, ga in zip(t.args, g.args):
                self.back(a, ga)
            return
        hint = "g"  # [H1, H2] -> d_H1_H2, as a course names the adjoint of a layer's units
        if all(a.kind == "name" for a in t.args) and len(t.args) <= 4:
            hint = "d_" + "_".join(a.data for a in t.args)
        named = self.where.bind(g, hint, force=True)  # only a name can be indexed
        for i, a in enumerate(t.args, start=1):
            if self.needs(a):
                self.back(a, F.item(named.data, (i,), a.shape))

    def _elementwise(self, t: Tensor, g: Tensor, out: Tensor) -> None:
        op, args = t.data, t.args
        needing = [a for a in args if self.needs(a)]
        if op in ("add", "sub", "neg"):
            if len(needing) > 1 and any(a.shape == () for a in needing) and t.shape != ():
                g = self.where.bind(g)
            for i, a in enumerate(args):
                sign = -1 if op == "neg" or (op == "sub" and i == 1) else 1
                self.back(a, _reduce_to(a.shape, g if sign > 0 else F.neg(g)))
            return
        uses = len(needing)
        if op in ("sigmoid", "tanh", "softmax", "max", "min") or uses > 1:
            g = self.where.bind(g) if uses > 1 else g
        if op == "mul":
            for i, a in enumerate(args):
                if self.needs(a):
                    others = [b for j, b in enumerate(args) if j != i]
                    self.back(a, _reduce_to(a.shape, F.mul(g, *others)))
            return
        if op == "div":
            a, b = args
            self.back(a, _reduce_to(a.shape, F.div(g, b)))
            if self.needs(b):
                self.back(b, _reduce_to(b.shape, F.neg(F.div(F.mul(g, a),
                                                             F.pow_(b, F.number(2))))))
            return
        if op == "pow":
            return self._power(t, g, out)
        x = args[0]
        if op == "log":
            return self.back(x, F.div(g, x))
        if op == "sqrt":
            return self.back(x, F.div(g, F.mul(F.number(2), out)))
        over = _over(g, out)  # g = h / out: the out cancels (log of a sigmoid, exp)
        if op == "exp":
            return self.back(x, over if over is not None else F.mul(g, out))
        if op in ("sigmoid", "tanh") and self.slip == "missing_activation_derivative":
            return self.back(x, g)
        if op in ("sigmoid", "tanh") and self.slip == "sigma_for_sigma_prime":
            return self.back(x, F.mul(g, out))
        if op == "sigmoid" and over is not None:
            return self.back(x, F.mul(over, F.sub(F.number(1), out)))
        if op == "sigmoid":
            s = self.where.bind(out, "a") if not F.simple(out) else out
            return self.back(x, F.mul(g, s, F.sub(F.number(1), s)))
        if op == "tanh":
            return self.back(x, F.mul(g, F.sub(F.number(1), F.pow_(out, F.number(2)))))
        if op == "softplus":
            return self.back(x, F.mul(g, F.fn("sigmoid", x)))
        if op == "relu":
            return self.back(x, F.mul(g, F.fn("step", x)))
        if op == "step":
            return
        if op == "abs":
            return self.back(x, F.mul(g, F.sub(F.fn("step", x), F.fn("step", F.neg(x)))))
        if op == "leaky_relu":
            slope = args[1]
            on = F.fn("step", x)
            self.back(x, F.mul(g, F.add(on, F.mul(slope, F.sub(F.number(1), on)))))
            if self.needs(slope):
                self.back(slope, _reduce_to((), F.mul(g, x, F.sub(F.number(1), on))))
            return
        if op in ("max", "min"):
            for i, a in enumerate(args):
                if not self.needs(a):
                    continue
                wins = []
                for j, b in enumerate(args):
                    if j != i:
                        wins.append(F.fn("step", F.sub(a, b) if op == "max" else F.sub(b, a)))
                self.back(a, _reduce_to(a.shape, F.mul(g, *wins)))
            return
        raise Refusal(f"no closed form for {op}() here")

    def _power(self, t: Tensor, g: Tensor, out: Tensor) -> None:
        a, p = t.args
        if self.needs(a):
            if p.kind == "num":
                value = F.num_value(p)
                slope = F.mul(F.number(value), F.pow_(a, F.number(value - 1)))
            else:
                slope = F.mul(p, F.pow_(a, F.sub(p, F.number(1))))
            self.back(a, _reduce_to(a.shape, F.mul(g, slope)))
        if self.needs(p):
            self.back(p, _reduce_to(p.shape, F.mul(g, out, F.fn("log", a))))

    def _reduce(self, t: Tensor, g: Tensor, out: Tensor) -> None:
        op, x = t.data, t.args[0]
        size = 1
        for n in x.shape:
            size *= n
        if op == "sum":
            return self.back(x, F.fill(g, x.shape))
        if op == "mean" and self.slip != "dropped_mean":
            return self.back(x, F.fill(F.div(g, F.number(size)), x.shape))
        if op == "mean":
            return self.back(x, F.fill(g, x.shape))
        # max(v) / min(v): the indicator of the winning entries (sample points avoid ties)
        gap = F.sub(out, x) if op == "max" else F.sub(x, out)
        return self.back(x, F.mul(g, F.sub(F.number(1), F.fn("step", gap))))

    def _matmul(self, t: Tensor, g: Tensor) -> None:
        a, b = t.args
        if self.needs(a) and self.needs(b):
            g = self.where.bind(g)
        ra, rb = len(a.shape), len(b.shape)
        if ra == 1 and rb == 1:
            self.back(a, F.mul(g, b))
            self.back(b, F.mul(g, a))
        elif ra == 2 and rb == 1:
            self.back(a, F.outer(g, b))
            self.back(b, F.matmul(F.transpose(a), g))
        elif ra == 1 and rb == 2:
            self.back(a, F.matmul(b, g))
            self.back(b, F.outer(a, g))
        else:
            self.back(a, F.matmul(g, F.transpose(b)))
            self.back(b, F.matmul(F.transpose(a), g))

    def _conv2d(self, t: Tensor, g: Tensor) -> None:
        """C = conv2d(X, K) (a valid cross-correlation, stride 1, padding p): ∂L/∂K is the
        correlation of X with G, ∂L/∂X the correlation of G, padded by k - 1 - p, with the
        kernel flipped (rotated 180°)."""
        x, k = t.args
        stride, padding = t.data
        kr, kc = k.shape
        if stride != 1:
            raise Refusal("conv2d with a stride above 1: its input gradient is a correlation "
                          "of the dilated upstream gradient, which the syntax cannot write")
        if self.needs(x) and (kr != kc or kr - 1 - padding < 0):
            raise Refusal("conv2d with a non-square kernel or a padding of at least the "
                          "kernel size: its input gradient needs a padding per axis, which "
                          "conv2d(X, K, stride, padding) cannot write")
        if g.kind in ("fill", "zero"):
            g = F.literal([F.literal([g.args[0] if g.kind == "fill" else F.number(0)]
                                     * t.shape[1], (t.shape[1],))] * t.shape[0], t.shape)
        if self.needs(x) and self.needs(k):
            g = self.where.bind(g)
        if self.needs(k):
            self.back(k, Tensor("conv2d", k.shape, (x, g), (1, padding)))
        if self.needs(x):
            kk = self.where.bind(k, "a") if k.kind != "name" else k
            if kk.kind != "name":
                raise Refusal("conv2d: the kernel must be a name to be flipped")
            flipped = F.literal([F.literal([F.item(kk.data, (kr - i, kc - j), ())
                                            for j in range(kc)], (kc,)) for i in range(kr)],
                                (kr, kc))
            self.back(x, Tensor("conv2d", x.shape, (g, flipped), (1, kr - 1 - padding)))


def _over(g: Tensor, out: Tensor):
    """h if ``g`` is h / out (the adjoint a log hands to its argument), else None."""
    if g.kind == "ew" and g.data == "div" and F.key(g.args[1]) == F.key(out):
        return g.args[0]
    if g.kind == "ew" and g.data == "neg":
        inner = _over(g.args[0], out)
        return None if inner is None else F.neg(inner)
    if g.kind == "ew" and g.data == "mul":
        for i, f in enumerate(g.args):
            inner = _over(f, out)
            if inner is not None:
                return F.mul(*g.args[:i], inner, *g.args[i + 1:])
    return None


def _reduce_to(shape: tuple, g: Tensor) -> Tensor:
    """A scalar argument broadcast over a tensor: its adjoint is the sum."""
    if shape == () and g.shape != ():
        return F.reduce_("sum", g)
    return g
