"""Registry entries (:class:`hwsolve.ops.registry.OpFacts`) of the ops of :mod:`hwsolve.ops.nn`
and :mod:`hwsolve.ops.losses`: PyTorch equivalents (float64, as ``torch.nn.functional`` computes
them), SymPy forms in elementary functions (the shown work differentiates them), shape rules,
kink/tie prose and generator templates.

Two more flats than :mod:`hwsolve.ops.registry` knows: ``masked_entry`` (v1..vn, m1..mn with
the 1-based entry as payload) and ``norm_entry`` (x1..xn, γᵢ, βᵢ, eps with the payload
``(i, ddof)``).
"""

from __future__ import annotations

FLATS = ("masked_entry", "norm_entry")


def _t():
    import torch
    return torch


def _f():
    return _t().nn.functional


# ----------------------------------------------------------------------------- PyTorch

def masked_softmax(v, m):
    return _t().softmax(v.masked_fill(m == 0, float("-inf")), -1)


def var(x):
    return x.var(dim=-1, unbiased=False)


def _variable(eps) -> bool:
    return bool(getattr(eps, "requires_grad", False))


def layer_norm(x, gamma, beta, eps):
    """F.layer_norm over the last axis; written out where eps carries a gradient."""
    if _variable(eps):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, unbiased=False, keepdim=True)
        return gamma * (x - mean) / (var + eps).sqrt() + beta
    return _f().layer_norm(x, (x.shape[-1],), gamma, beta, float(eps))


def batch_norm(x, gamma, beta, eps):
    """Training mode: each column normalised with the batch mean and biased variance
    (F.batch_norm refuses eps 0, which a hand-worked example may use, and takes eps as a
    float: written out then)."""
    if _variable(eps) or not float(eps):
        mean = x.mean(dim=0)
        return gamma * (x - mean) / (x.var(dim=0, unbiased=False) + eps).sqrt() + beta
    return _f().batch_norm(x, None, None, gamma, beta, training=True, eps=float(eps))


def max_pool_window(x):
    """The largest entry of one window, as max_pool2d takes it (first maximum on a tie)."""
    return _f().max_pool1d(x.reshape(1, 1, -1), x.numel()).reshape(())


def _huber(yhat, z, y, payload):
    return _f().huber_loss(yhat, y, delta=float(payload[2]))


def _smooth_l1(yhat, z, y, payload):
    return _f().smooth_l1_loss(yhat, y, beta=float(payload[2]))


def _l1(yhat, z, y, payload):
    return _f().l1_loss(yhat, y)


def _mse_mean(yhat, z, y, payload):
    return _f().mse_loss(yhat, y)


def _sse(yhat, z, y, payload):
    return _f().mse_loss(yhat, y, reduction="sum")


# ----------------------------------------------------------------------------- SymPy

def _sp_masked(sp, f, a, p, ev):
    n = len(a) // 2
    v, m = a[:n], a[n:]
    top = sp.Mul(m[p - 1], sp.exp(v[p - 1], evaluate=ev), evaluate=ev)
    total = sp.Add(*(sp.Mul(mj, sp.exp(vj, evaluate=ev), evaluate=ev) for vj, mj in zip(v, m)),
                   evaluate=ev)
    return sp.Mul(top, sp.Pow(total, -1, evaluate=ev), evaluate=ev)


def _sp_mean(sp, xs, ev):
    return sp.Mul(sp.Add(*xs, evaluate=ev), sp.Rational(1, len(xs)), evaluate=ev)


def _sp_var(sp, f, a, p, ev, ddof=0):
    mu = _sp_mean(sp, a, ev)
    return sp.Mul(sp.Add(*(sp.Pow(sp.Add(x, sp.Mul(-1, mu, evaluate=ev), evaluate=ev), 2,
                                  evaluate=ev) for x in a), evaluate=ev),
                  sp.Rational(1, len(a) - ddof), evaluate=ev)


def _sp_norm(sp, f, a, p, ev, op="layer_norm"):
    """γᵢ·x̂ᵢ + βᵢ as the shown work's named form (work/nn_forms.py), when the caller passes
    one; else written out in elementary functions."""
    if getattr(f, "norm_form", None) is not None:
        return f.norm_form(op, a, p, ev)
    index, ddof = p
    xs, gamma, beta, eps = a[:-3], a[-3], a[-2], a[-1]
    mu = _sp_mean(sp, xs, ev)
    spread = sp.sqrt(sp.Add(_sp_var(sp, f, xs, None, ev, ddof), eps, evaluate=ev),
                     evaluate=ev)
    xhat = sp.Mul(sp.Add(xs[index - 1], sp.Mul(-1, mu, evaluate=ev), evaluate=ev),
                  sp.Pow(spread, -1, evaluate=ev), evaluate=ev)
    return sp.Add(sp.Mul(gamma, xhat, evaluate=ev), beta, evaluate=ev)


def _sp_gelu(sp, f, a, p, ev):
    x = a[0]
    return sp.Mul(sp.Rational(1, 2), x, sp.Add(1, sp.erf(sp.Mul(x, sp.Pow(sp.sqrt(2), -1)),
                                                         evaluate=ev), evaluate=ev),
                  evaluate=ev)


def _sp_gelu_tanh(sp, f, a, p, ev):
    x = a[0]
    u = sp.Mul(sp.sqrt(2 / sp.pi), sp.Add(x, sp.Mul(sp.Rational(44715, 1000000),
                                                    sp.Pow(x, 3, evaluate=ev), evaluate=ev),
                                          evaluate=ev), evaluate=ev)
    return sp.Mul(sp.Rational(1, 2), x, sp.Add(1, sp.tanh(u, evaluate=ev), evaluate=ev),
                  evaluate=ev)


def _sp_dropout(sp, f, a, p, ev):
    x, m, q = a
    return sp.Mul(x, m, sp.Pow(sp.Add(1, sp.Mul(-1, q, evaluate=ev), evaluate=ev), -1,
                               evaluate=ev), evaluate=ev)


def _sp_max_pool(sp, f, a, p, ev):
    return f.KINKED["max_pool"](*a, evaluate=ev)


def _residuals(sp, a, p, ev):
    k = p[1]
    return [sp.Add(u, sp.Mul(-1, y, evaluate=ev), evaluate=ev)
            for u, y in zip(a[:k], a[2 * k:3 * k])], k


def _sp_huber(sp, f, a, p, ev):
    rs, k = _residuals(sp, a, p, ev)
    d = sp.Rational(p[2].numerator, p[2].denominator)
    terms = [sp.Piecewise((r ** 2 / 2, sp.Abs(r) <= d), (d * (sp.Abs(r) - d / 2), True))
             for r in rs]
    return sp.Mul(sp.Add(*terms, evaluate=ev), sp.Rational(1, k), evaluate=ev)


def _sp_smooth_l1(sp, f, a, p, ev):
    rs, k = _residuals(sp, a, p, ev)
    b = sp.Rational(p[2].numerator, p[2].denominator)
    terms = [sp.Piecewise((r ** 2 / (2 * b), sp.Abs(r) < b), (sp.Abs(r) - b / 2, True))
             for r in rs]
    return sp.Mul(sp.Add(*terms, evaluate=ev), sp.Rational(1, k), evaluate=ev)


def _sp_l1(sp, f, a, p, ev):
    rs, k = _residuals(sp, a, p, ev)
    return sp.Mul(sp.Add(*(sp.Abs(r) for r in rs), evaluate=ev), sp.Rational(1, k), evaluate=ev)


def _sp_mse_mean(sp, f, a, p, ev):
    rs, k = _residuals(sp, a, p, ev)
    return sp.Mul(sp.Add(*(sp.Pow(r, 2, evaluate=ev) for r in rs), evaluate=ev),
                  sp.Rational(1, k), evaluate=ev)


def _sp_sse(sp, f, a, p, ev):
    rs, k = _residuals(sp, a, p, ev)
    return sp.Add(*(sp.Pow(r, 2, evaluate=ev) for r in rs), evaluate=ev)


SYMPY = {
    "masked_softmax": _sp_masked, "var": _sp_var, "layer_norm": _sp_norm,
    "batch_norm": lambda sp, f, a, p, ev: _sp_norm(sp, f, a, p, ev, "batch_norm"), "gelu": _sp_gelu, "gelu_tanh": _sp_gelu_tanh,
    "dropout": _sp_dropout, "max_pool": _sp_max_pool, "loss_huber": _sp_huber,
    "loss_smooth_l1": _sp_smooth_l1, "loss_l1": _sp_l1, "loss_mse_mean": _sp_mse_mean,
    "loss_sse": _sp_sse,
}
# the ops whose SymPy form needs the tape payload (the shown work passes it)
PAYLOAD_OPS = ("masked_softmax", "layer_norm", "batch_norm", "loss_huber", "loss_smooth_l1",
               "loss_l1", "loss_mse_mean", "loss_sse")


def entries(OpFacts, Template, RULES) -> dict:
    """The registry entries, built with the registry's own classes (no import cycle)."""
    smooth = "smooth wherever it is defined"
    same = "element-wise: same shape as its argument"
    return {
        "masked_softmax": OpFacts(
            RULES["masked_softmax"], masked_softmax, "masked_entry",
            "softmax(S, mask): S and a 0/1 mask of one shape; each row (last axis) of S: a row "
            "of probabilities, 0 wherever the mask is 0 (a row whose mask is all 0 is an error)",
            smooth + " in S; the mask takes no gradient (as masked_fill with -inf)",
            Template("softmax({0}, {1})", "a score matrix with entries of at most 6 in "
                     "magnitude and a causal (lower-triangular) 0/1 mask")),
        "var": OpFacts(RULES["var"], var, "vector",
                       "a vector: a scalar; a matrix: a vector, the variance of each row "
                       "(biased, Σ(x − μ)²/n, as torch.var(unbiased=False))", smooth,
                       Template("var({0})", "any real")),
        "layer_norm": OpFacts(
            RULES["layer_norm"], layer_norm, "norm_entry",
            "layer_norm(x, gamma, beta, eps): x a vector of n or an m×n matrix (each row), "
            "gamma and beta vectors of n (or scalars), eps a scalar (default 1e-5): x's shape",
            smooth + " (σ² + eps > 0)",
            Template("layer_norm({0}, {1}, {2})", "rows of two or more distinct entries; "
                     "gamma, beta vectors of the row length")),
        "batch_norm": OpFacts(
            RULES["batch_norm"], batch_norm, "norm_entry",
            "batch_norm(X, gamma, beta, eps): X an N×D matrix, each column normalised with the "
            "batch mean and biased variance (training mode); gamma, beta vectors of D",
            smooth + " (σ² + eps > 0)",
            Template("batch_norm({0}, {1}, {2})", "an N×D batch with N ≥ 2; gamma, beta "
                     "vectors of D")),
        "gelu": OpFacts(RULES["gelu"], lambda x: _f().gelu(x), "scalars", same, smooth,
                        Template("gelu({0})", "an argument of at most 4 in magnitude")),
        "gelu_tanh": OpFacts(RULES["gelu_tanh"], lambda x: _f().gelu(x, approximate="tanh"),
                             "scalars", same, smooth,
                             Template("gelu_tanh({0})", "an argument of at most 4 in "
                                      "magnitude")),
        "dropout": OpFacts(RULES["dropout"], lambda x, m, p: x * m / (1 - p), "scalars",
                           "dropout(x, mask, p): x and mask of one shape (they broadcast), p a "
                           "scalar in [0, 1): x ⊙ mask / (1 − p), inverted dropout",
                           smooth + " (p < 1)",
                           Template("dropout({0}, {1}, {2})", "a 0/1 mask and p = 0.5")),
        "max_pool": OpFacts(
            RULES["max_pool"], max_pool_window, "vector",
            "max_pool2d(X, k, stride): X an H×W matrix or C×H×W tensor, k and stride whole "
            "numbers (stride defaults to k): each k×k window's largest entry",
            "a tie in a window: the gradient goes to the first maximal entry in row-major order "
            "(PyTorch's max_pool2d), or is split equally under a convention that says so",
            Template("max_pool2d({0}, 2)", "a window winner at least 1e-3 above the "
                     "runner-up", "two equal entries in one window")),
        "loss_huber": OpFacts(
            RULES["loss_huber"], _huber, "loss",
            "Ŷ and Y of one shape: a scalar, the mean over entries of ½r² (|r| ≤ δ) or "
            "δ(|r| − ½δ) with r = Ŷ − Y; delta: top-level key, default 1",
            "smooth (C¹): both pieces have slope ±δ at |r| = δ",
            Template("loss: huber", "any activation but softmax; a label of the output's "
                     "shape")),
        "loss_smooth_l1": OpFacts(
            RULES["loss_smooth_l1"], _smooth_l1, "loss",
            "Ŷ and Y of one shape: a scalar, the mean of ½r²/β (|r| < β) or |r| − ½β; beta: "
            "top-level key, default 1", "smooth (C¹): both pieces have slope ±1 at |r| = β",
            Template("loss: smooth_l1", "any activation but softmax; a label of the output's "
                     "shape")),
        "loss_l1": OpFacts(
            RULES["loss_l1"], _l1, "loss", "Ŷ and Y of one shape: a scalar, the mean of |Ŷ − Y|",
            "a residual of exactly 0: derivative taken as 0 (PyTorch's convention, sign(0) = 0)",
            Template("loss: l1", "every residual at least 1e-3 away from 0",
                     "an output equal to its label")),
        "loss_mse_mean": OpFacts(
            RULES["loss_mse_mean"], _mse_mean, "loss",
            "Ŷ and Y of one shape: a scalar, the mean of (Ŷ − Y)² (the mse of the pytorch and "
            "cmu11785 conventions)", smooth,
            Template("loss: mse\nconventions: pytorch", "a label of the output's shape")),
        "loss_sse": OpFacts(
            RULES["loss_sse"], _sse, "loss",
            "Ŷ and Y of one shape: a scalar Σ (Ŷ − Y)² (the mse of the cs231n convention, the "
            "squared L2 norm)", smooth,
            Template("loss: mse\nconventions: cs231n", "a label of the output's shape")),
    }
