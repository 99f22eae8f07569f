"""Losses of the output head beside those of :mod:`hwsolve.ops.vector`, each reduced as
``torch.nn.functional`` reduces it by default: the mean over the k entries of Ŷ.

Arguments and payload as every loss: ``ŷ1..ŷk, z1..zk, y1..yk`` and ``(activation, k, extra)``;
``extra`` is Huber's delta and smooth L1's beta (None for l1 and mse_mean).

- ``loss_huber``: mean of ½r² where |r| ≤ δ, else δ(|r| − ½δ) (F.huber_loss);
- ``loss_smooth_l1``: mean of ½r²/β where |r| < β, else |r| − ½β (F.smooth_l1_loss);
- ``loss_l1``: mean of |r| (F.l1_loss); at r = 0 the derivative is taken as 0 (sign(0));
- ``loss_mse_mean``: mean of r² (F.mse_loss): the pytorch and cmu11785 conventions' mse;
- ``loss_sse``: Σ r² (F.mse_loss with reduction="sum"): the cs231n convention's mse.

r = Ŷ − Y is computed from z where the activation is sigmoid or tanh (no cancellation).
"""

from __future__ import annotations

from fractions import Fraction

from hwsolve import num
from hwsolve.num import HALF, ZERO
from hwsolve.ops.vector import residuals

PYTORCH = "PyTorch's convention"


def _per_entry(a, payload) -> tuple:
    activation, k, extra = payload
    return residuals(activation, a, k), k, extra


def _mean(terms: list, k: int):
    total = ZERO
    for t in terms:
        total = num.add(total, t)
    return num.div(total, Fraction(k))


def _abs(x):
    return x if num.sign(x) >= 0 else num.neg(x)


class Huber:
    @staticmethod
    def forward(a, payload):
        rs, k, delta = _per_entry(a, payload)
        terms = []
        for r in rs:
            m = _abs(r)
            if num.cmp(m, delta) <= 0:
                terms.append(num.mul(HALF, num.mul(r, r)))
            else:
                terms.append(num.mul(delta, num.sub(m, num.mul(HALF, delta))))
        return _mean(terms, k)

    @staticmethod
    def backward(a, out, needs, payload):
        rs, k, delta = _per_entry(a, payload)
        partials = []
        for r in rs:
            if num.cmp(_abs(r), delta) <= 0:
                partials.append(num.div(r, Fraction(k)))
            else:
                partials.append(num.div(num.mul(Fraction(num.sign(r)), delta), Fraction(k)))
        return partials + [None] * (2 * k), None


class SmoothL1:
    @staticmethod
    def forward(a, payload):
        rs, k, beta = _per_entry(a, payload)
        terms = []
        for r in rs:
            m = _abs(r)
            if num.cmp(m, beta) < 0:
                terms.append(num.div(num.mul(HALF, num.mul(r, r)), beta))
            else:
                terms.append(num.sub(m, num.mul(HALF, beta)))
        return _mean(terms, k)

    @staticmethod
    def backward(a, out, needs, payload):
        rs, k, beta = _per_entry(a, payload)
        partials = []
        for r in rs:
            if num.cmp(_abs(r), beta) < 0:
                partials.append(num.div(r, num.mul(beta, Fraction(k))))
            else:
                partials.append(Fraction(num.sign(r), k))
        return partials + [None] * (2 * k), None


class L1:
    @staticmethod
    def forward(a, payload):
        rs, k, _ = _per_entry(a, payload)
        return _mean([_abs(r) for r in rs], k)

    @staticmethod
    def backward(a, out, needs, payload):
        rs, k, _ = _per_entry(a, payload)
        zeros = sum(1 for r in rs if num.sign(r) == 0)
        note = None
        if zeros:
            note = (f"l1 loss: {zeros} residual(s) exactly 0, derivative taken as 0 ({PYTORCH}, "
                    "sign(0) = 0)")
        return [Fraction(num.sign(r), k) for r in rs] + [None] * (2 * k), note


class MseMean:
    @staticmethod
    def forward(a, payload):
        rs, k, _ = _per_entry(a, payload)
        return _mean([num.mul(r, r) for r in rs], k)

    @staticmethod
    def backward(a, out, needs, payload):
        rs, k, _ = _per_entry(a, payload)
        return [num.mul(Fraction(2, k), r) for r in rs] + [None] * (2 * k), None


class Sse:
    """Σ (Ŷk − Yk)², the squared L2 norm (cs231n's convention for mse)."""

    @staticmethod
    def forward(a, payload):
        rs, k, _ = _per_entry(a, payload)
        return _mean([num.mul(r, r) for r in rs], 1)

    @staticmethod
    def backward(a, out, needs, payload):
        rs, k, _ = _per_entry(a, payload)
        return [num.mul(Fraction(2), r) for r in rs] + [None] * (2 * k), None


RULES = {"loss_huber": Huber, "loss_smooth_l1": SmoothL1, "loss_l1": L1,
         "loss_mse_mean": MseMean, "loss_sse": Sse}
