"""Operations over a whole vector that give one entry (softmax, log_softmax), mean, softplus,
identity, and the losses of the output head.

``forward(args, payload)`` and ``backward(args, out, needs, payload)`` take the tape payload:
the 1-based entry for softmax and log_softmax, and for a loss ``(activation, k, extra)``: the
output's activation, the number of outputs k, and the class number (hinge) or None.

A loss's arguments are ``ŷ1..ŷk, z1..zk, y1..yk``: the outputs Ŷ (the only arguments with a
gradient), the pre-activations z, passed as context so that the value and dL/dŶ are computed
without cancellation where σ(z) or tanh(z) lies close to ±1 (v1's softplus form), and the labels.
"""

from __future__ import annotations

from hwsolve import num
from hwsolve.num import HALF, ONE, ZERO

PYTORCH = "PyTorch's convention"
TWO = num.fmpq(2)


class _Last:
    """The result of the last call for the very same argument objects at the same precision.

    Safe by construction: the arguments are kept alive (so identity means the same immutable
    values: FLINT numbers never change), the key includes the precision of the computation,
    and the result is a function of the arguments and the precision only.  Calls that repeat
    with one argument list -- the entries of one softmax node, a loss's value and then its
    local derivatives -- compute once."""

    def __init__(self, compute):
        self.compute = compute
        self.args: tuple = ()
        self.bits = 0
        self.result = None

    def __call__(self, *args):
        bits = num.working_bits()
        if bits == self.bits and len(args) == len(self.args) and \
                all(x is y for x, y in zip(args, self.args)):
            return self.result
        self.result = self.compute(*args)
        self.args, self.bits = args, bits
        return self.result


def _softmax_all(v: list) -> list:
    """p = exp(v - max v) / Σ exp(v - max v): stable, and exact where v is constant.  The
    entries of one softmax node all take the very same argument objects, so p is computed once
    for the whole node, not once per entry (which would be quadratic in its length)."""
    return _softmax_memo(*v)


def _softmax_fresh(*v) -> list:
    top = v[0]
    for x in v[1:]:
        if num.larger(x, top):  # the shift: any choice is exact, the largest is stable
            top = x
    shifted = [num.exp(num.sub(x, top)) for x in v]
    total = ZERO
    for e in shifted:
        total = num.add(total, e)
    return [num.div(e, total) for e in shifted]


def _logsumexp(v: list) -> object:
    """top + log1p(Σ over the others of e^(x - top)): the top's own term is exactly 1, so the
    rest is never lost in 1 + (something tiny) (log_softmax([-2e6, 0])[2] = -e^-2e6, not 0)."""
    best = 0
    for i in range(1, len(v)):
        if num.larger(v[i], v[best]):  # the shift: any choice is exact, the largest is stable
            best = i
    top = v[best]
    total = ZERO
    for i, x in enumerate(v):
        if i != best:
            total = num.add(total, num.exp(num.sub(x, top)))
    return num.add(top, num.log1p(total))


def _complements(*v) -> list:
    """1 - p_i for every entry, as the sum of the other entries (prefix and suffix sums, linear
    in the length): 1 - p_i cancels where p_i is within 1e-868589 of 1, the others' sum does
    not."""
    p = _softmax_all(list(v))
    prefix = [ZERO]
    for x in p:
        prefix.append(num.add(prefix[-1], x))
    suffix = [ZERO]
    for x in reversed(p):
        suffix.append(num.add(suffix[-1], x))
    n = len(p)
    return [num.add(prefix[i], suffix[n - 1 - i]) for i in range(n)]


def _one_minus(a: list, i: int):
    return _complements_memo(*a)[i]


class Softmax:
    @staticmethod
    def forward(a, index):
        return _softmax_all(a)[index - 1]

    @staticmethod
    def backward(a, out, needs, index):
        p = _softmax_all(a)
        i = index - 1
        return [num.mul(out, _one_minus(a, i) if j == i else num.neg(p[j]))
                for j in range(len(a))], None


class LogSoftmax:
    @staticmethod
    def forward(a, index):
        return num.sub(a[index - 1], _logsumexp(a))

    @staticmethod
    def backward(a, out, needs, index):
        p = _softmax_all(a)
        i = index - 1
        return [_one_minus(a, i) if j == i else num.neg(p[j]) for j in range(len(a))], None


class Mean:
    @staticmethod
    def forward(a):
        total = ZERO
        for x in a:
            total = num.add(total, x)
        return num.div(total, len(a))

    @staticmethod
    def backward(a, out, needs):
        return [num.fmpq(1, len(a))] * len(a), None


class Softplus:
    @staticmethod
    def forward(a):
        return num.softplus(a[0])

    @staticmethod
    def backward(a, out, needs):
        return [num.sigmoid(a[0])], None


class Identity:
    @staticmethod
    def forward(a):
        return a[0]

    @staticmethod
    def backward(a, out, needs):
        return [ONE], None


# ----------------------------------------------------------------------------- losses

def _split(a: list, k: int) -> tuple:
    return a[:k], a[k:2 * k], a[2 * k:3 * k]


def residuals(activation: str, a: list, k: int) -> list:
    """Ŷk - Yk for every output, remembered for the loss call that follows with the very same
    argument objects (its value, then its local derivatives): the residual of a sigmoid or tanh
    output costs an exponential, and a training run evaluates the loss every step."""
    return _residuals_memo(activation, k, *a)


def _residuals_fresh(activation: str, k: int, *a) -> list:
    yhat, z, y = _split(list(a), k)
    return [residual(activation, yhat[t], z[t], y[t]) for t in range(k)]


def residual(activation: str, yhat, z, y):
    """Ŷ - Y without cancellation: from z where the activation is sigmoid or tanh."""
    if activation == "sigmoid":
        return num.sub(num.mul(num.sub(ONE, y), yhat), num.mul(y, num.sigmoid(num.neg(z))))
    if activation == "tanh":
        if y == 1:
            return num.mul(-TWO, num.sigmoid(num.mul(-TWO, z)))
        if y == -1:
            return num.mul(TWO, num.sigmoid(num.mul(TWO, z)))
    return num.sub(yhat, y)


class Mse:
    """½ Σ (Ŷk - Yk)²."""

    @staticmethod
    def forward(a, payload):
        activation, k, _ = payload
        total = ZERO
        for r in residuals(activation, a, k):
            total = num.add(total, num.mul(r, r))
        return num.mul(HALF, total)

    @staticmethod
    def backward(a, out, needs, payload):
        activation, k, _ = payload
        return list(residuals(activation, a, k)) + [None] * (2 * k), None


class Bce:
    """-Σ [Yk log Ŷk + (1 - Yk) log(1 - Ŷk)], from z as Y·softplus(-z) + (1 - Y)·softplus(z)."""

    @staticmethod
    def forward(a, payload):
        _, k, _ = payload
        _, z, y = _split(a, k)
        total = ZERO
        for t in range(k):
            total = num.add(total, num.add(num.mul(y[t], num.softplus(num.neg(z[t]))),
                                           num.mul(num.sub(ONE, y[t]), num.softplus(z[t]))))
        return total

    @staticmethod
    def backward(a, out, needs, payload):
        _, k, _ = payload
        yhat, z, y = _split(a, k)
        partials = []
        for t in range(k):
            r = residual("sigmoid", yhat[t], z[t], y[t])
            partials.append(num.div(r, num.mul(yhat[t], num.sigmoid(num.neg(z[t])))))
        return partials + [None] * (2 * k), None


class CrossEntropy:
    """-Σ Yk log Ŷk with Ŷ = softmax(z), computed from log_softmax(z)."""

    @staticmethod
    def forward(a, payload):
        _, k, _ = payload
        _, z, y = _split(a, k)
        lse = _logsumexp(z)
        total = ZERO
        for t in range(k):
            if y[t]:
                total = num.sub(total, num.mul(y[t], num.sub(z[t], lse)))
        return total

    @staticmethod
    def backward(a, out, needs, payload):
        _, k, _ = payload
        yhat, _, y = _split(a, k)
        partials = [num.neg(num.div(y[t], yhat[t])) if y[t] else ZERO for t in range(k)]
        return partials + [None] * (2 * k), None


class Hinge:
    """Multiclass SVM loss Σ_{j≠c} max(0, s_j - s_c + 1) on the scores s = Ŷ; for one output and
    a label of ±1, max(0, 1 - y·s).  At a margin of exactly 0 the derivative is taken as 0."""

    @staticmethod
    def _margins(a, payload):
        _, k, c = payload
        s, _, y = _split(a, k)
        if k == 1:
            return [num.sub(ONE, num.mul(y[0], s[0]))]
        return [ZERO if j == c - 1 else num.add(num.sub(s[j], s[c - 1]), ONE)
                for j in range(k)]

    @classmethod
    def forward(cls, a, payload):
        total = ZERO
        for m in cls._margins(a, payload):
            if num.sign(m) > 0:
                total = num.add(total, m)
        return total

    @classmethod
    def backward(cls, a, out, needs, payload):
        _, k, c = payload
        margins = cls._margins(a, payload)
        at_kink = [j for j, m in enumerate(margins) if num.sign(m) == 0 and (k == 1 or j != c - 1)]
        note = None
        if at_kink:
            note = (f"hinge margin exactly 0 for {len(at_kink)} class(es): derivative taken as 0 "
                    f"({PYTORCH})")
        if k == 1:
            y = a[2]
            return [num.neg(y) if num.sign(margins[0]) > 0 else ZERO, None, None], note
        partials = [ZERO] * k
        for j, m in enumerate(margins):
            if j != c - 1 and num.sign(m) > 0:
                partials[j] = ONE
                partials[c - 1] = num.sub(partials[c - 1], ONE)
        return partials + [None] * (2 * k), note


_softmax_memo = _Last(_softmax_fresh)
_residuals_memo = _Last(_residuals_fresh)
_complements_memo = _Last(_complements)

RULES = {
    "softmax": Softmax, "log_softmax": LogSoftmax, "mean": Mean, "softplus": Softplus,
    "identity": Identity, "loss_mse": Mse, "loss_bce": Bce, "loss_cross_entropy": CrossEntropy,
    "loss_hinge": Hinge,
}
