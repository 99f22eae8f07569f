"""The operations of current courses' layers: masked softmax (attention), variance, layer and
batch norm, GELU (erf and tanh forms), inverted dropout and the max of a pooling window.

Each is one entry of a node on the tape, like softmax: ``forward(args[, payload])`` and
``backward(args, out, needs[, payload])`` as in :mod:`hwsolve.ops.rules`.  Exact where the op is
rational (var, dropout, max_pool; a norm whose variance + eps is a perfect square).

- ``masked_softmax``: arguments v1..vn, m1..mn (a row and its 0/1 mask), payload the 1-based
  entry; pᵢ = mᵢ e^(vᵢ) / Σⱼ mⱼ e^(vⱼ).  The mask takes no gradient (as masked_fill).
- ``var``: the biased variance Σ(xᵢ − μ)²/n of the arguments.
- ``layer_norm`` and ``batch_norm``: arguments x1..xn, γᵢ, βᵢ, eps; payload ``(i, ddof)``:
  γᵢ·(xᵢ − μ)/√(σ² + eps) + βᵢ with σ² = Σ(x − μ)²/(n − ddof) over the row (layer norm) or the
  column (batch norm, training mode).
- ``gelu`` = x·Φ(x), ``gelu_tanh`` = x/2·(1 + tanh(√(2/π)(x + 0.044715 x³))).
- ``dropout``: arguments x, mask, p: x·mask/(1 − p) (inverted dropout).
- ``max_pool``: the largest entry of one window; a tie sends the gradient to the first maximal
  entry in row-major order (PyTorch's max_pool2d), or splits it (payload ``"split"``).
"""

from __future__ import annotations

from fractions import Fraction

from hwsolve import num
from hwsolve.num import HALF, ONE, ZERO, NumericError

PYTORCH = "PyTorch's convention"
GELU_C = Fraction(44715, 1000000)


def _top(values: list):
    top = values[0]
    for x in values[1:]:
        if num.cmp(x, top) > 0:
            top = x
    return top


def _mean(xs: list):
    total = ZERO
    for x in xs:
        total = num.add(total, x)
    return num.div(total, Fraction(len(xs)))


def _sum_sq_dev(xs: list, mu):
    total = ZERO
    for x in xs:
        d = num.sub(x, mu)
        total = num.add(total, num.mul(d, d))
    return total


class MaskedSoftmax:
    @staticmethod
    def _probabilities(a: list) -> list:
        n = len(a) // 2
        v, m = a[:n], a[n:]
        for x in m:
            if x != 0 and x != 1:
                raise NumericError(f"a softmax mask holds 0 (masked) and 1 (kept), not "
                                   f"{num.fmt_sig(x, 6)}")
        kept = [x for x, keep in zip(v, m) if keep]
        if not kept:
            raise NumericError("every entry of a row of the softmax mask is 0: the row has no "
                               "entry to give probability to")
        top = _top(kept)
        shifted = [num.exp(num.sub(x, top)) if keep else ZERO for x, keep in zip(v, m)]
        total = ZERO
        for e in shifted:
            total = num.add(total, e)
        return [num.div(e, total) for e in shifted]

    @classmethod
    def forward(cls, a, index):
        return _masked_memo(*a)[index - 1]

    @classmethod
    def backward(cls, a, out, needs, index):
        p = _masked_memo(*a)
        n = len(a) // 2
        i = index - 1
        dv = [num.mul(out, num.sub(ONE if j == i else ZERO, p[j])) for j in range(n)]
        return dv + [ZERO] * n, None


class Var:
    """Biased variance Σ(xᵢ − μ)²/n."""

    @staticmethod
    def forward(a):
        return num.div(_sum_sq_dev(a, _mean(a)), Fraction(len(a)))

    @staticmethod
    def backward(a, out, needs):
        mu = _mean(a)
        scale = Fraction(2, len(a))
        return [num.mul(scale, num.sub(x, mu)) for x in a], None


class _Norm:
    """γᵢ·x̂ᵢ + βᵢ with x̂ᵢ = (xᵢ − μ)/√(σ² + eps); args x1..xn, γᵢ, βᵢ, eps; payload (i,
    ddof)."""

    @staticmethod
    def _stats(xs: list, eps, ddof: int) -> tuple:
        n = len(xs)
        if num.sign(eps) < 0:
            raise NumericError(f"the eps of a norm must be at least 0, not {num.fmt_sig(eps, 6)}")
        if n - ddof < 1:
            raise NumericError("the unbiased variance needs at least two entries")
        mu = _mean(xs)
        var = num.div(_sum_sq_dev(xs, mu), Fraction(n - ddof))
        s = num.sqrt(num.add(var, eps))
        if not s:
            raise NumericError("the variance plus eps is 0 (a constant row with eps 0): the "
                               "normalisation divides by 0")
        return mu, s

    @classmethod
    def _xhat(cls, a, payload) -> tuple:
        return _norm_memo(*a[:-3], a[-1], payload[1])

    @classmethod
    def forward(cls, a, payload):
        xhat, _ = cls._xhat(a, payload)
        i = payload[0] - 1
        n = len(a) - 3
        return num.add(num.mul(a[n], xhat[i]), a[n + 1])

    @classmethod
    def backward(cls, a, out, needs, payload):
        xhat, s = cls._xhat(a, payload)
        index, ddof = payload
        i = index - 1
        n = len(a) - 3
        gamma = a[n]
        shrink = num.div(xhat[i], Fraction(n - ddof))
        partials = []
        for j in range(n):
            d = num.sub(ONE if j == i else ZERO, Fraction(1, n))
            d = num.sub(d, num.mul(shrink, xhat[j]))
            partials.append(num.mul(gamma, num.div(d, s)) if needs[j] else None)
        d_eps = num.neg(num.div(num.mul(gamma, xhat[i]), num.mul(Fraction(2), num.mul(s, s)))) \
            if needs[-1] else None  # ∂/∂eps of γ(xᵢ − μ)(σ² + eps)^(−1/2)
        return partials + [xhat[i], ONE, d_eps], None


def _norm_fresh(*a):
    *xs, eps, ddof = a
    mu, s = _Norm._stats(xs, eps, ddof)
    return [num.div(num.sub(x, mu), s) for x in xs], s


class LayerNorm(_Norm):
    pass


class BatchNorm(_Norm):
    pass


class Gelu:
    """x·Φ(x), Φ(x) = ½(1 + erf(x/√2)); derivative Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)."""

    @staticmethod
    def _cdf(x):
        return num.mul(HALF, num.add(ONE, num.erf(num.div(x, num.sqrt(Fraction(2))))))

    @classmethod
    def forward(cls, a):
        return num.mul(a[0], cls._cdf(a[0]))

    @classmethod
    def backward(cls, a, out, needs):
        x = a[0]
        density = num.div(num.exp(num.neg(num.mul(HALF, num.mul(x, x)))),
                          num.sqrt(num.mul(Fraction(2), num.pi())))
        return [num.add(cls._cdf(x), num.mul(x, density))], None


class GeluTanh:
    """x/2·(1 + tanh u), u = √(2/π)(x + 0.044715 x³)."""

    @staticmethod
    def _u(x):
        c = num.sqrt(num.div(Fraction(2), num.pi()))
        return c, num.mul(c, num.add(x, num.mul(GELU_C, num.mul(x, num.mul(x, x)))))

    @classmethod
    def forward(cls, a):
        x = a[0]
        _, u = cls._u(x)
        return num.mul(num.mul(HALF, x), num.add(ONE, num.tanh(u)))

    @classmethod
    def backward(cls, a, out, needs):
        x = a[0]
        c, u = cls._u(x)
        du = num.mul(c, num.add(ONE, num.mul(3 * GELU_C, num.mul(x, x))))
        first = num.mul(HALF, num.add(ONE, num.tanh(u)))
        second = num.mul(num.mul(HALF, x), num.mul(num.tanh_slope(u), du))
        return [num.add(first, second)], None


class Dropout:
    """x·mask/(1 − p)."""

    @staticmethod
    def _keep(p):
        if num.cmp(p, ZERO) < 0 or num.cmp(p, ONE) >= 0:
            raise NumericError(f"the dropout probability p must be in [0, 1), not "
                               f"{num.fmt_sig(p, 6)}")
        return num.sub(ONE, p)

    @classmethod
    def forward(cls, a):
        x, m, p = a
        return num.div(num.mul(x, m), cls._keep(p))

    @classmethod
    def backward(cls, a, out, needs):
        x, m, p = a
        q = cls._keep(p)
        return [num.div(m, q), num.div(x, q), num.div(out, q)], None


class MaxPool:
    """The largest entry of a pooling window (payload None: first argmax; "split")."""

    @staticmethod
    def forward(a, payload=None):
        return _top(a)

    @staticmethod
    def backward(a, out, needs, payload=None):
        winners = [i for i, x in enumerate(a) if num.cmp(x, out) == 0]
        partials = [ZERO] * len(a)
        note = None
        if payload == "split":
            share = Fraction(1, len(winners))
            for i in winners:
                partials[i] = share
            if len(winners) > 1:
                note = (f"max_pool2d window has a {len(winners)}-way tie at "
                        f"{num.fmt_sig(out, 6)}: the gradient is split equally, {share} to each "
                        "(the convention in force)")
            return partials, note
        partials[winners[0]] = ONE
        if len(winners) > 1:
            note = (f"max_pool2d window has a {len(winners)}-way tie at {num.fmt_sig(out, 6)}: "
                    f"the gradient goes to the first maximal entry in row-major order, window "
                    f"entry {winners[0] + 1} ({PYTORCH})")
        return partials, note


from hwsolve.ops.vector import _Last  # noqa: E402

_masked_memo = _Last(lambda *a: MaskedSoftmax._probabilities(list(a)))
_norm_memo = _Last(_norm_fresh)

RULES = {
    "masked_softmax": MaskedSoftmax, "var": Var, "layer_norm": LayerNorm,
    "batch_norm": BatchNorm, "gelu": Gelu, "gelu_tanh": GeluTanh, "dropout": Dropout,
    "max_pool": MaxPool,
}
