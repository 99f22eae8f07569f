"""Issue 19's ops against PyTorch float64 autograd on 200 seeded instances each, ties and zeros
included: the value and every local derivative of the registry's rule beside torch autograd of
the registry's PyTorch equivalent (test_registry.py's harness), to 1e-12 relative (1e-12
absolute where the torch value is below 1e-3 in magnitude, since float64 itself is only that
close to an exact value near 0)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from test_registry import _rule_partials, _torch_partials

# every test of this file compares with PyTorch: the whole module needs the verify extra
torch = pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")

from hwsolve import num
from hwsolve.ops.registry import REGISTRY
from hwsolve.ops.rules import RULES

REL, ABS = 1e-12, 1e-12
N = 200
NEW_OPS = ("masked_softmax", "var", "layer_norm", "batch_norm", "gelu", "gelu_tanh",
           "dropout", "max_pool", "loss_huber", "loss_smooth_l1", "loss_l1", "loss_mse_mean",
           "loss_sse")


def _q(r: random.Random, lo=-3, hi=3, zero=0.15) -> Fraction:
    """A decimal with three places, exactly 0 with probability ``zero``."""
    if r.random() < zero:
        return Fraction(0)
    return Fraction(round(r.uniform(lo, hi) * 1000), 1000)


def _vector(r, n, tie=0.3):
    v = [_q(r) for _ in range(n)]
    if n > 1 and r.random() < tie:  # a tie with the largest (max-pool) or any entry
        i, j = r.sample(range(n), 2)
        v[j] = max(v) if r.random() < 0.5 else v[i]
    return v


def _instance(op: str, r: random.Random):
    n = r.randint(2, 6)
    if op == "masked_softmax":
        v = _vector(r, n)
        mask = [Fraction(r.random() < 0.7) for _ in range(n)]
        mask[r.randrange(n)] = Fraction(1)
        return v + mask, r.randint(1, n)
    if op in ("var", "max_pool"):
        return _vector(r, n), None
    if op in ("layer_norm", "batch_norm"):
        x = _vector(r, n)
        eps = r.choice((Fraction(1, 100000), Fraction(1, 1000), Fraction(0)))
        if eps == 0 and len(set(x)) == 1:
            x[0] += 1
        return x + [_q(r), _q(r), eps], (r.randint(1, n), 0)
    if op in ("gelu", "gelu_tanh"):
        return [_q(r, -5, 5)], None
    if op == "dropout":
        return [_q(r), Fraction(r.random() < 0.6), Fraction(r.choice((0, 1, 2, 5, 9)), 10)], None
    k = r.randint(1, 4)
    act = r.choice(("identity", "sigmoid", "tanh"))
    z = [_q(r) for _ in range(k)]
    y = [_q(r, -1, 1) for _ in range(k)]
    extra = r.choice((Fraction(1), Fraction(1, 2), Fraction(2)))
    if act == "identity" and r.random() < 0.4:  # a residual exactly 0 or exactly ±extra
        t = r.randrange(k)
        y[t] = z[t] - r.choice((Fraction(0), extra, -extra))
    from test_registry import _act
    return _act(act, z) + z + y, (act, k, extra)


def _torch_value(op, args, payload) -> float:
    facts = REGISTRY[op]
    xs = [torch.tensor(num.to_float(a), dtype=torch.float64) for a in args]
    if facts.flat == "scalars":
        return facts.torch(*xs).item()
    if facts.flat == "vector":
        return facts.torch(torch.stack(xs)).item()
    if facts.flat == "masked_entry":
        n = len(xs) // 2
        return facts.torch(torch.stack(xs[:n]), torch.stack(xs[n:]))[payload - 1].item()
    if facts.flat == "norm_entry":
        i, _ = payload
        x, eps = torch.stack(xs[:-3]), xs[-1]
        if op == "batch_norm":
            out = facts.torch(x[:, None], xs[-3].reshape(1), xs[-2].reshape(1), eps)[i - 1, 0]
        else:
            g = torch.ones(len(x), dtype=torch.float64)
            g[i - 1] = xs[-3]
            b = torch.zeros(len(x), dtype=torch.float64)
            b[i - 1] = xs[-2]
            out = facts.torch(x, g, b, eps)[i - 1]
        return out.item()
    k = payload[1]
    yhat, z, y = (torch.stack(xs[i * k:(i + 1) * k]) for i in range(3))
    return facts.torch(yhat, z, y, payload).item()


def _agree(ours: float, theirs: float, scale: float = 0.0) -> bool:
    """Within 1e-12 of the torch value, relative to it or to ``scale``, the largest partial
    of the same instance: a small partial that float64 forms by cancellation (batch norm's
    (δᵢⱼ − 1/n − x̂ᵢx̂ⱼ/n)/σ) carries the rounding of the large terms it cancelled."""
    d = abs(ours - theirs)
    return d <= REL * max(abs(theirs), scale) or (abs(theirs) < 1e-3 and d <= ABS)


def _has_tie(args) -> bool:
    """Two equal arguments. A ball (a sigmoid or tanh activation) is not hashable (FLINT will
    not hash a non-exact arb), so it is keyed by its printed midpoint and radius: two balls with
    the same key came from the same exact input through the same rule."""
    keys = [num.to_fraction(a) if num.is_exact(a) else ("ball", str(a)) for a in args]
    return len(set(keys)) < len(keys)


@pytest.mark.parametrize("op", NEW_OPS)
def test_200_seeded_instances_agree_with_torch_autograd(op):
    r = random.Random(f"issue19-{op}")
    ties = zeros = 0
    for _ in range(N):
        args, payload = _instance(op, r)
        ties += _has_tie(args)
        zeros += any(a == 0 for a in args)
        rule = RULES[op]
        value = rule.forward(args) if payload is None else rule.forward(args, payload)
        assert _agree(num.to_float(value), _torch_value(op, args, payload)), (op, args, payload)
        ours = _rule_partials(op, args, payload)
        theirs = _torch_partials(torch, op, args, payload)
        scale = max(abs(b) for b in theirs)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if a is None:
                continue
            assert _agree(num.to_float(a), b, scale), (op, [str(x) for x in args], payload, i,
                                                num.to_float(a), b)
    assert zeros >= 10 and (ties >= 10 or op in ("gelu", "gelu_tanh")), (ties, zeros)
