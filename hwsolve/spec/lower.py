"""Lowering: a shaped expression (:class:`hwsolve.spec.expr.Tensor`) written as one scalar
expression per entry, row-major, so that every entry of a tensor is a scalar quantity with its
own tape, local derivatives and shown work: ``(W @ x)[2]`` is ``dot([W[2, 1], W[2, 2]], x)``,
an entry of ``conv2d`` the dot product of its window, ``softmax(v)[i]`` one call with the entry
number.  A scalar v1 expression lowers to exactly the tree v1 built."""

from __future__ import annotations

from fractions import Fraction

from hwsolve.spec import lower_nn
from hwsolve.spec.exprtree import Apply, Item, Name, Num, Tensor, VectorLit, VectorName
from hwsolve.spec.shapes import broadcast_positions, entries_of, indices


def lower(tree: Tensor) -> list:
    """One scalar expression per entry of ``tree``, in row-major order.

    Iterative over the tree (postorder with an explicit stack) so that deep but legal nesting
    never meets Python's recursion limit; each subtree is lowered once and shared.
    """
    done: dict = {}
    stack = [(tree, False)]
    while stack:
        t, ready = stack.pop()
        if id(t) in done:
            continue
        if not ready:
            stack.append((t, True))
            stack.extend((a, False) for a in t.args if id(a) not in done)
            continue
        done[id(t)] = _lower_one(t, [done[id(a)] for a in t.args])
    return done[id(tree)]


def _as_vector(t: Tensor, entries: list) -> VectorName | VectorLit:
    """A whole tensor as the argument of a reduction: the vector's name where it is one (so the
    shown work reads dot(W1, x)), else the literal list of its entries."""
    if t.kind == "name" and len(t.shape) == 1:
        return VectorName(t.data, t.shape[0])
    return VectorLit(tuple(entries))


def _lower_one(t: Tensor, args: list) -> list:
    kind = t.kind
    if kind == "fixed":  # a tree built by the engine (the loss presets), already scalar
        return [t.data]
    if kind == "num":
        return [t.data]
    if kind == "name":
        if t.shape == ():
            return [Name(t.data)]
        if len(t.shape) == 1:
            return [Item(t.data, i) for i in range(1, t.shape[0] + 1)]
        return [Item(t.data, ij) for ij in indices(t.shape)]
    if kind == "item":
        name, index = t.data
        return [Item(name, index[0] if len(index) == 1 else index)]
    if kind == "row":  # X[c] of a tensor: the slice, every entry named in full
        name, prefix = t.data
        return [Item(name, prefix + ((rest,) if isinstance(rest, int) else rest))
                for rest in indices(t.shape)]
    if kind == "lit":
        return [e for entries in args for e in entries]
    if kind == "ew":
        size = entries_of(t.shape)
        columns = [a if len(a) == size and x.shape == t.shape else
                   [a[p] for p in broadcast_positions(x.shape, t.shape)]
                   for x, a in zip(t.args, args)]  # NumPy's broadcasting
        return [Apply(t.data, tuple(c[k] for c in columns)) for k in range(size)]
    if kind == "reduce":
        return [Apply(t.data, (_as_vector(t.args[0], args[0]),))]
    if kind == "dot":
        return [Apply("dot", (_as_vector(t.args[0], args[0]), _as_vector(t.args[1], args[1])))]
    if kind == "matmul":
        return _matmul(t, args)
    if kind == "outer":
        return [Apply("mul", (u, v)) for u in args[0] for v in args[1]]
    if kind == "transpose":
        m, n = t.args[0].shape
        a = args[0]
        return [a[i * n + j] for j in range(n) for i in range(m)]
    if kind == "trace":  # issue 18: the sum of the diagonal
        n = t.args[0].shape[0]
        return [Apply("sum", (VectorLit(tuple(args[0][i * n + i] for i in range(n))),))]
    if kind in lower_nn.KINDS:  # softmax row by row, norms, conv2d, pools (issue 19)
        return lower_nn.lower(t, args)
    raise AssertionError(kind)


def _matmul(t: Tensor, args: list) -> list:
    (a, b), (ea, eb) = t.args, args
    if len(a.shape) == 1 and len(b.shape) == 1:
        return [Apply("dot", (_as_vector(a, ea), _as_vector(b, eb)))]
    inner = a.shape[-1]
    if len(a.shape) == 1:
        rows_a = [VectorLit(tuple(ea))] if a.kind != "name" else [_as_vector(a, ea)]
    else:
        rows_a = [VectorLit(tuple(ea[i * inner:(i + 1) * inner])) for i in range(a.shape[0])]
    if len(b.shape) == 1:
        cols_b = [_as_vector(b, eb)]
    else:
        n = b.shape[1]
        cols_b = [VectorLit(tuple(eb[k * n + j] for k in range(inner))) for j in range(n)]
    return [Apply("dot", (row, col)) for row in rows_a for col in cols_b]


def work(tree: Tensor) -> int:
    """About how many scalar operations ``tree`` lowers to, counted before lowering (so that
    ``outer(u, u)`` of a 100,000-vector or a huge matrix product is refused, not attempted)."""
    total = 0
    stack = [tree]
    while stack:
        t = stack.pop()
        size = 1
        for n in t.shape:
            size *= n
        if t.kind == "matmul":
            size *= t.args[0].shape[-1]
        elif t.kind in ("conv2d", "pool", "var", "layer_norm", "batch_norm"):
            size = lower_nn.work(t)
        # softmax/log_softmax: one normaliser per node, so linear here; their dense local
        # derivatives are bounded by MAX_SOFTMAX instead
        elif t.kind in ("reduce", "dot"):
            size = 1
            for n in t.args[0].shape:
                size *= n
        total += size
        stack.extend(t.args)
    return total
