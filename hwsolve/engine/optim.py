"""The update step of every optimizer, following ``torch.optim``'s update rules exactly.

Every optimizer works entry by entry on the params (constants are never trained) with the
solver's exact arithmetic.  The formulas (g is the gradient of the batch loss, p the param, t the
step number from 1) are PyTorch's:

* weight decay first, in every optimizer but adamw: g ← g + λ·p
* ``sgd``:      p ← p − η·g
* ``momentum``: b ← g at t = 1, else b ← μ·b + g;  p ← p − η·b
* ``nesterov``: b as for momentum;  p ← p − η·(g + μ·b)
* ``rmsprop``:  v ← α·v + (1 − α)·g²;  p ← p − η·g / (√v + ε)   (with μ > 0: b ← μ·b + g/(√v + ε),
  p ← p − η·b)
* ``adagrad``:  s ← s + g²;  p ← p − η·g / (√s + ε)
* ``adam``:     m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
  p ← p − (η / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
* ``adamw``:    p ← p·(1 − η·λ) (decoupled weight decay, not added to g), then adam's rule.

**Growth.**  A rational run stays exact while its numbers are small; after each step every
param, every state entry and β₁ᵗ, β₂ᵗ (kept as running products, never recomputed as powers)
go through :func:`hwsolve.num.bounded`, which rounds a rational past its size cap to the
working precision.  So no number grows from step to step, and every step costs the same.

**Division by zero.**  A denominator √v + ε (√s + ε) that is exactly 0 (ε = 0 and a zero
second moment: rmsprop with α = 1, adam with β₂ = 0 and a zero gradient) is an error naming the
param entry, the step and the division; torch.optim would write NaN into the param.
"""

from __future__ import annotations

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.num import ONE, ZERO
from hwsolve.spec.shapes import indices, label as entry_label, nest
from hwsolve.spec.trainconfig import TrainConfig


class Optimizer:
    """The state of one optimizer over flat entry lists, one per param name."""

    def __init__(self, config: TrainConfig, shapes: dict | None = None):
        self.config = config.resolved()
        self.shapes = shapes or {}
        self.t = 0
        self.state: dict = {}    # param name -> {state name: [entries]}
        self.used: dict = {}     # param name -> the gradient the last step used (after decay)
        self.decayed: dict = {}  # adamw: param name -> p·(1 − η·λ) of the last step
        self.powers = (ONE, ONE)  # β₁ᵗ and β₂ᵗ (adam, adamw)
        betas = self.config.betas
        self._keep = (num.sub(ONE, betas[0]), num.sub(ONE, betas[1])) if betas else None
        self._rounded: dict = {}  # the rule's constants rounded once (see _constants)
        alpha = self.config.alpha
        self._alpha_keep = num.sub(ONE, alpha) if alpha is not None else None
        self._name = ""

    def step(self, params: dict, grads: dict) -> dict:
        """New params (name -> flat list) from params and gradients (name -> flat list)."""
        self.t += 1
        c = self.config
        if c.optimizer in ("adam", "adamw"):
            b1, b2 = c.betas
            self.powers = (num.bounded(num.mul(self.powers[0], b1)),
                           num.bounded(num.mul(self.powers[1], b2)))
        rule = getattr(self, "_" + c.optimizer)
        coupled = bool(num.sign(c.weight_decay)) and c.optimizer != "adamw"
        out = {}
        for name, p in params.items():  # num works at its own precision: no context needed
            g = grads[name]
            if coupled:
                g = [num.add(gi, num.mul(c.weight_decay, pi)) for gi, pi in zip(g, p)]
            self.used[name] = g
            self._name = name
            state = self.state.setdefault(name, {})
            out[name] = [num.bounded(x) for x in rule(p, g, state)]
            for key, values in state.items():
                state[key] = [num.bounded(x) for x in values]
        return out

    # ------------------------------------------------------------------------- the rules

    def _sgd(self, p, g, state):
        lr = self.config.lr
        return [num.sub(pi, num.mul(lr, gi)) for pi, gi in zip(p, g)]

    def _momentum(self, p, g, state, nesterov=False):
        c = self.config
        mu = c.momentum
        if "b" not in state:
            b = list(g)
        else:
            b = [num.add(num.mul(mu, bi), gi) for bi, gi in zip(state["b"], g)]
        state["b"] = b
        d = [num.add(gi, num.mul(mu, bi)) for gi, bi in zip(g, b)] if nesterov else b
        return [num.sub(pi, num.mul(c.lr, di)) for pi, di in zip(p, d)]

    def _nesterov(self, p, g, state):
        return self._momentum(p, g, state, nesterov=True)

    def _rmsprop(self, p, g, state):
        c = self.config
        v = state.get("v", [ZERO] * len(p))
        alpha, keep = self._constants(g, "alpha", c.alpha, self._alpha_keep)
        v = [num.moment(alpha, keep, vi, gi, square=True) for vi, gi in zip(v, g)]
        state["v"] = v
        if not num.sign(c.momentum):
            return self._scaled(p, c.lr, g, v, None, "v", "√v + ε")
        ratio = [self._ratio(gi, vi, i, "v") for i, (gi, vi) in enumerate(zip(g, v))]
        b = state.get("b", [ZERO] * len(p))
        b = [num.add(num.mul(c.momentum, bi), ri) for bi, ri in zip(b, ratio)]
        state["b"] = b
        return [num.sub(pi, num.mul(c.lr, bi)) for pi, bi in zip(p, b)]

    def _adagrad(self, p, g, state):
        c = self.config
        s = state.get("s", [ZERO] * len(p))
        s = [num.add(si, num.mul(gi, gi)) for si, gi in zip(s, g)]
        state["s"] = s
        return self._scaled(p, c.lr, g, s, None, "s", "√s + ε")

    def _adam(self, p, g, state):
        c = self.config
        m = state.get("m", [ZERO] * len(p))
        v = state.get("v", [ZERO] * len(p))
        step_size = num.div(c.lr, num.sub(ONE, self.powers[0]))
        root = num.sqrt(num.sub(ONE, self.powers[1]))
        b1, keep1, b2, keep2, eps = self._constants(
            g, "adam", c.betas[0], self._keep[0], c.betas[1], self._keep[1], c.eps)
        out, m2, v2 = [], [], []
        for i, (pi, mi, vi, gi) in enumerate(zip(p, m, v, g)):
            new, mi, vi = num.adam_entry(pi, mi, vi, gi, b1, keep1, b2, keep2, step_size,
                                         root, eps)
            if new is None:
                raise self._by_zero(i, "√v/√(1 − β₂ᵗ) + ε", "v", vi)
            out.append(new)
            m2.append(mi)
            v2.append(vi)
        state["m"], state["v"] = m2, v2
        return out

    def _adamw(self, p, g, state):
        c = self.config
        if num.sign(c.weight_decay):
            (shrink,) = self._constants(g, "shrink",
                                        num.sub(ONE, num.mul(c.lr, c.weight_decay)))
            p = [num.mul(pi, shrink) for pi in p]
        self.decayed[self._name] = p
        return self._adam(p, g, state)

    # ------------------------------------------------------------------------- helpers

    def _constants(self, g, key: str, *values) -> tuple:
        """A rule's constants (β, 1 − β, ε, ...) as given while the gradients are exact (a
        rational step stays rational), else rounded once for the whole run: converting a
        rational at every use costs as much as the operation."""
        if all(num.is_exact(x) for x in g):
            return values
        if key not in self._rounded:
            self._rounded[key] = tuple(num.bounded(x, 0) for x in values)
        return self._rounded[key]

    def _scaled(self, p, rate, top, second, scale, name: str, division: str) -> list:
        """p − rate·top/(√second/scale + ε) per entry, refusing a zero denominator."""
        (eps,) = self._constants(top, "eps", self.config.eps)
        out = []
        for i, (pi, ti, si) in enumerate(zip(p, top, second)):
            new = num.scaled_step(pi, rate, ti, si, scale, eps)
            if new is None:
                raise self._by_zero(i, division, name, si)
            out.append(new)
        return out

    def _ratio(self, g, second, i: int, name: str):
        """g / (√second + ε), refusing a zero denominator (0/0 included: torch gives NaN)."""
        denominator = num.add(num.sqrt(second), self.config.eps)
        if not num.sign(denominator):
            raise self._by_zero(i, f"√{name} + ε", name, second)
        return num.div(g, denominator) if num.sign(g) else ZERO

    def _by_zero(self, i: int, division: str, name: str, value) -> HwsolveError:
        c = self.config
        shape = self.shapes.get(self._name)
        entry = entry_label(self._name, indices(shape)[i]) if shape is not None \
            else f"{self._name} (entry {i + 1})"
        why = {"rmsprop": "α = 1 keeps v at 0" if c.alpha == 1 else "the gradient is 0",
               "adagrad": "every gradient so far is 0"}.get(
            c.optimizer, "the gradient is 0 and β₂ = 0" if c.betas and c.betas[1] == 0
            else "every gradient so far is 0")
        return HwsolveError(
            f"{c.optimizer} divides by zero at step {self.t} in the update of {entry}: "
            f"{division} = 0 ({name} = {num.fmt_sig(value, 6)} because {why}, and ε = 0); "
            "torch.optim would write NaN into the param. Give eps > 0")

    def state_of(self, name: str, shape: tuple) -> dict:
        """The optimizer's state for one param, nested like the param."""
        return {key: nest(values, shape) for key, values in self.state.get(name, {}).items()}
