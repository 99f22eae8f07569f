"""Lowering the layers of issue 19 (see :mod:`hwsolve.spec.nncalls`) to one scalar expression
per entry, row-major: softmax, log_softmax and masked softmax row by row (the last axis), var of
each row, layer norm of each row and batch norm of each column (one ``layer_norm`` /
``batch_norm`` call per entry, over its row or column), concat, conv2d over channels (the dot
product of a window across the input channels), max_pool2d (one ``max_pool`` call per window)
and avg_pool2d (the ``mean`` of each window)."""

from __future__ import annotations

from fractions import Fraction

from hwsolve.spec.exprtree import Apply, Num, Tensor, VectorLit, VectorName
from hwsolve.spec.shapes import broadcast_positions, entries_of

KINDS = ("softmax", "log_softmax", "masked_softmax", "var", "layer_norm", "batch_norm",
         "concat", "conv2d", "pool")


def _rows(t: Tensor, entries: list) -> list:
    """The rows (last axis) of a tensor's entries; a vector by name stays its name."""
    if len(t.shape) == 1:
        if t.kind == "name":
            return [VectorName(t.data, t.shape[0])]
        return [VectorLit(tuple(entries))]
    n = t.shape[-1]
    return [VectorLit(tuple(entries[i:i + n])) for i in range(0, len(entries), n)]


def _spread(arg: Tensor, entries: list, shape: tuple) -> list:
    return entries if arg.shape == shape else \
        [entries[p] for p in broadcast_positions(arg.shape, shape)]


def lower(t: Tensor, args: list) -> list:
    kind = t.kind
    if kind in ("softmax", "log_softmax"):
        n = t.shape[-1]
        return [Apply(kind, (row,), i) for row in _rows(t.args[0], args[0])
                for i in range(1, n + 1)]
    if kind == "masked_softmax":
        s, mask = t.args
        n = t.shape[-1]
        m = _spread(mask, args[1], t.shape)
        rows = _rows(s, args[0])
        masks = [VectorLit(tuple(m[r * n:(r + 1) * n])) for r in range(len(rows))]
        return [Apply("masked_softmax", (row, mrow), i) for row, mrow in zip(rows, masks)
                for i in range(1, n + 1)]
    if kind == "var":
        return [Apply("var", (row,)) for row in _rows(t.args[0], args[0])]
    if kind in ("layer_norm", "batch_norm"):
        return _norm(t, args)
    if kind == "concat":
        return [e for entries in args for e in entries]
    if kind == "conv2d":
        return _conv2d(t, args)
    return _pool(t, args)


def _norm(t: Tensor, args: list) -> list:
    x, gamma, beta, _ = t.args
    (ddof,) = t.data
    eps = args[3][0]
    width = x.shape[-1]
    g = args[1] * width if not gamma.shape else args[1]
    b = args[2] * width if not beta.shape else args[2]
    out = []
    if t.kind == "layer_norm":
        for row in _rows(x, args[0]):
            for i in range(1, width + 1):
                out.append(Apply("layer_norm", (row, g[i - 1], b[i - 1], eps), (i, ddof)))
        return out
    n = x.shape[0]
    columns = [VectorLit(tuple(args[0][r * width + c] for r in range(n))) for c in range(width)]
    for r in range(n):
        for c in range(width):
            out.append(Apply("batch_norm", (columns[c], g[c], b[c], eps), (r + 1, ddof)))
    return out


def _conv2d(t: Tensor, args: list) -> list:
    """Output channel o, entry (i, j): Σ over input channels c and the window (a, b) of
    X[c, i·s + a − p, j·s + b − p]·K[o, c, a, b]; entries in the padding are left out."""
    (x, k), (ex, ek) = t.args, args
    stride, padding = t.data
    channels = x.shape[0] if len(x.shape) == 3 else 1
    h, w = x.shape[-2:]
    kh, kw = k.shape[-2:]
    outs = k.shape[0] if len(k.shape) == 4 else 1
    rows, cols = t.shape[-2:]
    out = []
    for o in range(outs):
        for i in range(rows):
            for j in range(cols):
                xs, ks = [], []
                for c in range(channels):
                    for a in range(kh):
                        r = i * stride + a - padding
                        if not 0 <= r < h:
                            continue
                        for b in range(kw):
                            q = j * stride + b - padding
                            if 0 <= q < w:
                                xs.append(ex[(c * h + r) * w + q])
                                ks.append(ek[((o * channels + c) * kh + a) * kw + b])
                out.append(Apply("dot", (VectorLit(tuple(xs)), VectorLit(tuple(ks))))
                           if xs else Num(Fraction(0), "0"))
    return out


def _pool(t: Tensor, args: list) -> list:
    fn, k, stride, tie = t.data
    x, ex = t.args[0], args[0]
    h, w = x.shape[-2:]
    channels = entries_of(x.shape[:-2])
    rows, cols = t.shape[-2:]
    out = []
    for c in range(channels):
        for i in range(rows):
            for j in range(cols):
                window = VectorLit(tuple(ex[(c * h + i * stride + a) * w + j * stride + b]
                                         for a in range(k) for b in range(k)))
                out.append(Apply("max_pool", (window,), tie) if fn == "max_pool2d"
                           else Apply("mean", (window,)))
    return out


def work(t: Tensor) -> int:
    """Scalar operations of one of these trees (beside its entries)."""
    size = entries_of(t.shape)
    if t.kind in ("var", "layer_norm", "batch_norm"):
        return size * max(entries_of(t.args[0].shape[-1:]), t.args[0].shape[0])
    if t.kind == "conv2d":
        k = t.args[1].shape
        return size * entries_of(k[-3:] if len(k) == 4 else k)
    if t.kind == "pool":
        return size * t.data[1] ** 2
    return size
