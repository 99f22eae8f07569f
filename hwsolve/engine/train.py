"""The update step and training runs, following ``torch.optim``'s update rules exactly.

Every optimizer works entry by entry on the params (constants are never trained) with the
solver's exact arithmetic: a rational step stays rational, otherwise the numbers carry the
solver's 203 bits (60 digits), so they do not grow from step to step.  The formulas (g is the
gradient of the batch loss, p the param, t the step number from 1) are PyTorch's:

* weight decay first, in every optimizer: g ← g + λ·p
* ``sgd``:      p ← p − η·g
* ``momentum``: b ← g at t = 1, else b ← μ·b + g;  p ← p − η·b
* ``nesterov``: b as for momentum;  p ← p − η·(g + μ·b)
* ``rmsprop``:  v ← α·v + (1 − α)·g²;  p ← p − η·g / (√v + ε)   (with μ > 0: b ← μ·b + g/(√v + ε),
  p ← p − η·b)
* ``adagrad``:  s ← s + g²;  p ← p − η·g / (√s + ε)
* ``adam``:     m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
  p ← p − (η / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
"""

from __future__ import annotations

from dataclasses import dataclass, field


from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.num import ONE, ZERO
from hwsolve.spec.shapes import flatten, nest
from hwsolve.spec.trainconfig import (DEFAULTS, OPTIMIZERS, SETTINGS,  # noqa: F401  (re-exported)
                                      TrainConfig, check_config)

class Optimizer:
    """The state of one optimizer over flat entry lists, one per param name."""

    def __init__(self, config: TrainConfig):
        self.config = config.resolved()
        self.t = 0
        self.state: dict = {}   # param name -> {state name: [entries]}
        self.used: dict = {}    # param name -> the gradient the last step used (after decay)

    def step(self, params: dict, grads: dict) -> dict:
        """New params (name -> flat list) from params and gradients (name -> flat list)."""
        self.t += 1
        c = self.config
        out = {}
        for name, p in params.items():  # num works at its own precision: no context needed
            g = grads[name]
            if c.weight_decay:
                g = [num.add(gi, num.mul(c.weight_decay, pi)) for gi, pi in zip(g, p)]
            self.used[name] = g
            state = self.state.setdefault(name, {})
            out[name] = getattr(self, "_" + c.optimizer)(p, g, state)
        return out

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
        keep = ONE - c.alpha
        v = [num.add(num.mul(c.alpha, vi), num.mul(keep, num.mul(gi, gi)))
             for vi, gi in zip(v, g)]
        state["v"] = v
        ratio = [num.div(gi, num.add(num.sqrt(vi), c.eps)) if gi else ZERO
                 for gi, vi in zip(g, v)]
        if c.momentum:
            b = state.get("b", [ZERO] * len(p))
            b = [num.add(num.mul(c.momentum, bi), ri) for bi, ri in zip(b, ratio)]
            state["b"] = b
            ratio = b
        return [num.sub(pi, num.mul(c.lr, ri)) for pi, ri in zip(p, ratio)]

    def _adagrad(self, p, g, state):
        c = self.config
        s = state.get("s", [ZERO] * len(p))
        s = [num.add(si, num.mul(gi, gi)) for si, gi in zip(s, g)]
        state["s"] = s
        return [num.sub(pi, num.mul(c.lr, num.div(gi, num.add(num.sqrt(si), c.eps))))
                if gi else pi for pi, gi, si in zip(p, g, s)]

    def _adam(self, p, g, state):
        c = self.config
        b1, b2 = c.betas
        m = state.get("m", [ZERO] * len(p))
        v = state.get("v", [ZERO] * len(p))
        m = [num.add(num.mul(b1, mi), num.mul(ONE - b1, gi)) for mi, gi in zip(m, g)]
        v = [num.add(num.mul(b2, vi), num.mul(ONE - b2, num.mul(gi, gi)))
             for vi, gi in zip(v, g)]
        state["m"], state["v"] = m, v
        step_size = num.div(c.lr, ONE - b1 ** self.t)
        root = num.sqrt(ONE - b2 ** self.t)
        return [num.sub(pi, num.mul(step_size,
                                    num.div(mi, num.add(num.div(num.sqrt(vi), root), c.eps))))
                if mi else pi for pi, mi, vi in zip(p, m, v)]

    def state_of(self, name: str, shape: tuple) -> dict:
        """The optimizer's state for one param, nested like the param."""
        return {key: nest(values, shape) for key, values in self.state.get(name, {}).items()}


@dataclass
class TrainStep:
    step: int                     # 1-based
    before: dict                  # name -> nested params before the step
    grad: dict                    # name -> nested gradient of the batch loss before the step
    after: dict                   # name -> nested params after the step
    state: dict                   # name -> {state name: nested} after the step
    state_before: dict = field(default_factory=dict)  # the same, before the step
    used: dict = field(default_factory=dict)  # name -> nested g the rule used (after decay)


@dataclass
class TrainRun:
    config: TrainConfig           # resolved
    losses: list                  # L before step 1, after step 1, ..., after step K
    yhats: list                   # per step: Ŷ per example (nested)
    first: object                 # BatchSolution before step 1
    last: object                  # BatchSolution after step K
    steps: list = field(default_factory=list)   # TrainStep for the first few steps
    params: dict = field(default_factory=dict)  # name -> nested params after step K

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.train_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render import notebook
        return notebook.train_markdown(self)


def train(batch, config: TrainConfig, keep_steps: int = 3) -> TrainRun:
    """Run ``config.steps`` steps of the optimizer on ``batch`` (a :class:`Batch`)."""
    optimizer = Optimizer(config)
    shapes = {name: batch.runners[0].graph.shapes[name] for name in batch.param_names}
    solution = batch.solve()
    first = solution
    params = {name: flatten(solution.params[name]) for name in batch.param_names}
    losses = [solution.loss]
    yhats = [[run.value_of("Yhat") for run in solution.runs]]
    steps = []
    for t in range(1, config.steps + 1):
        grads = {name: flatten(solution.grad[name]) for name in batch.param_names}
        before = {n: optimizer.state_of(n, shapes[n]) for n in shapes} if t <= keep_steps \
            else None
        new = optimizer.step(params, grads)
        if t <= keep_steps:
            steps.append(TrainStep(t, _nest(params, shapes), _nest(grads, shapes),
                                   _nest(new, shapes),
                                   {n: optimizer.state_of(n, shapes[n]) for n in shapes},
                                   before, _nest(optimizer.used, shapes)))
        params = new
        solution = batch.solve(_nest(params, shapes))
        losses.append(solution.loss)
        yhats.append([run.value_of("Yhat") for run in solution.runs])
    return TrainRun(optimizer.config, losses, yhats, first, solution, steps,
                    _nest(params, shapes))


def _nest(flat: dict, shapes: dict) -> dict:
    return {name: nest(list(values), shapes[name]) for name, values in flat.items()}


def no_params(problem) -> HwsolveError:
    return HwsolveError("training needs params to update, and this problem has none",
                        file=problem.file, where="params", line=problem.lines.get("params"))
