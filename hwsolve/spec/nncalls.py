"""Parsing the calls of current courses' layers into shaped trees (issue 19): softmax and
log_softmax over the last axis (with an optional 0/1 mask), var, layer_norm, batch_norm,
dropout, concat, conv2d over channels, max_pool2d and avg_pool2d.  gelu and gelu_tanh are
plain element-wise functions (spec/expr.py).

Each function takes the converter (for its ``expr`` and ``ExprError``) and the call's ``ast``
argument nodes, checks arities and shapes with a sentence that names the shapes, and returns a
:class:`Tensor` that :mod:`hwsolve.spec.lower_nn` writes entry by entry.
"""

from __future__ import annotations

import ast
from fractions import Fraction

from hwsolve.spec.exprtree import Num, Tensor
from hwsolve.spec.shapes import broadcast, describe

DEFAULT_EPS = Fraction(1, 100000)
MAX_WINDOW = 64  # kernel size, stride and padding of conv2d and the pools
CALLS = ("softmax", "log_softmax", "var", "layer_norm", "batch_norm", "dropout", "concat",
         "conv2d", "max_pool2d", "avg_pool2d")
KEYWORDS = {  # keyword -> its position among the format's arguments
    "layer_norm": {"eps": 3}, "batch_norm": {"eps": 3}, "dropout": {"p": 2},
    "softmax": {"mask": 1}, "conv2d": {"stride": 2, "padding": 3},
    "max_pool2d": {"kernel_size": 1, "stride": 2}, "avg_pool2d": {"kernel_size": 1, "stride": 2},
}
DEFAULTS = {("conv2d", 2): 1}  # padding= alone: the stride before it is 1


class Calls:
    def __init__(self, converter, error):
        self.c = converter
        self.error = error

    def __call__(self, fn: str, nodes: list, depth: int, keywords=()) -> Tensor:
        nodes = self.positional(fn, list(nodes), keywords)
        return getattr(self, fn)(nodes, depth)

    def positional(self, fn: str, nodes: list, keywords) -> list:
        """PyTorch's keyword arguments (``eps=1e-5``, ``stride=2``, ``kernel_size=2``, ``p=0.5``,
        ``dim=-1``) as the positional arguments of the format."""
        places = KEYWORDS.get(fn, {})
        for kw in keywords:
            if kw.arg is None:
                raise self.error(f"{fn}() does not take **arguments")
            if kw.arg == "dim" and fn in ("softmax", "log_softmax"):
                value = kw.value
                negative = isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub)
                value = value.operand if negative else value
                if not (isinstance(value, ast.Constant) and type(value.value) is int):
                    raise self.error(f"the dim of {fn}() must be a whole number literal")
                self.dim = -value.value if negative else value.value
                continue
            if kw.arg not in places:
                known = ", ".join(f"{k}=" for k in places) or "none"
                raise self.error(f"{fn}() has no keyword {kw.arg!r} (its keywords: {known})")
            at = places[kw.arg]
            while len(nodes) < at:
                default = DEFAULTS.get((fn, len(nodes)))
                if default is None:
                    raise self.error(f"{fn}(): give the arguments before {kw.arg}= too")
                nodes.append(ast.Constant(default))
            if len(nodes) > at:
                raise self.error(f"{fn}(): {kw.arg} is given twice")
            nodes.append(kw.value)
        return nodes

    def args(self, nodes, depth) -> tuple:
        return tuple(self.c.expr(a, depth) for a in nodes)

    def whole(self, node, what: str, fn: str, low: int, high: int) -> int:
        sign = 1
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign, node = (-sign if isinstance(node.op, ast.USub) else sign), node.operand
        if not (isinstance(node, ast.Constant) and type(node.value) is int):
            raise self.error(f"the {what} of {fn}() must be a whole number literal (from {low} "
                             f"to {high})")
        value = sign * node.value  # -1 is a literal too: the range check says why not
        if not low <= value <= high:
            raise self.error(f"the {what} of {fn}() must be from {low} to {high}, not {value}")
        return value

    # ------------------------------------------------------------------ softmax

    def _softmax(self, fn: str, nodes: list, depth: int) -> Tensor:
        if len(nodes) not in (1, 2) or (fn == "log_softmax" and len(nodes) != 1):
            raise self.error(f"{fn}(x) takes one tensor" + (", or softmax(S, mask) a tensor and "
                                                             "its 0/1 mask"
                                                             if fn == "softmax" else ""))
        args = self.args(nodes, depth)
        x = args[0]
        if not x.shape:
            raise self.error(f"{fn}() needs a vector or a matrix (row by row), not a scalar")
        dim = getattr(self, "dim", -1)
        if dim not in (-1, len(x.shape) - 1):
            raise self.error(f"{fn}() works over the last axis (dim=-1, here also dim="
                             f"{len(x.shape) - 1}), not dim={dim}; transpose for another axis")
        from hwsolve.spec.expr import MAX_SOFTMAX
        if x.shape[-1] > MAX_SOFTMAX:
            raise self.error(f"{fn}() over {x.shape[-1]:,} entries: every entry depends on "
                             f"every other, so its local derivatives grow with the square of "
                             f"the length; at most {MAX_SOFTMAX:,} entries")
        if len(args) == 1:
            return Tensor(fn, x.shape, args)
        mask = args[1]
        if broadcast(mask.shape, x.shape) != x.shape:
            raise self.error(f"softmax(S, mask) needs a mask of S's shape (or one that "
                             f"broadcasts to it): S is {describe(x.shape)}, the mask "
                             f"{describe(mask.shape)}")
        return Tensor("masked_softmax", x.shape, args)

    def softmax(self, nodes, depth):
        return self._softmax("softmax", nodes, depth)

    def log_softmax(self, nodes, depth):
        return self._softmax("log_softmax", nodes, depth)

    # ------------------------------------------------------------------ norms

    def var(self, nodes, depth):
        if len(nodes) != 1:
            raise self.error("var(x) takes one vector or matrix")
        (x,) = self.args(nodes, depth)
        if len(x.shape) not in (1, 2):
            raise self.error(f"var() needs a vector, or a matrix (the variance of each row), "
                             f"not {describe(x.shape)}")
        return Tensor("var", x.shape[:-1], (x,))

    def _norm(self, fn: str, nodes: list, depth: int) -> Tensor:
        if len(nodes) not in (3, 4):
            raise self.error(f"{fn}(x, gamma, beta) or {fn}(x, gamma, beta, eps) takes 3 or 4 "
                             "arguments")
        x, gamma, beta = self.args(nodes[:3], depth)
        if len(nodes) == 4:
            (eps,) = self.args(nodes[3:], depth)
            if eps.shape:
                raise self.error(f"the eps of {fn}() must be a scalar, not "
                                 f"{describe(eps.shape)}")
        else:
            eps = Tensor("num", (), data=Num(DEFAULT_EPS, "1e-5"))
        if fn == "batch_norm":
            if len(x.shape) != 2:
                raise self.error(f"batch_norm() needs an N×D matrix (N examples of D "
                                 f"features), not {describe(x.shape)}")
            if x.shape[0] < 2:
                raise self.error("batch_norm() in training mode needs at least 2 examples "
                                 "(rows): the variance of one value is 0 (PyTorch refuses it "
                                 "too)")
        elif len(x.shape) not in (1, 2):
            raise self.error(f"layer_norm() needs a vector or a matrix (each row), not "
                             f"{describe(x.shape)}")
        width = x.shape[-1]
        for what, arg in (("gamma", gamma), ("beta", beta)):
            if arg.shape not in ((), (width,)):
                raise self.error(f"the {what} of {fn}() must be a vector of {width} (one per "
                                 f"{'column' if fn == 'batch_norm' else 'entry of a row'}) "
                                 f"or a scalar, not {describe(arg.shape)}")
        return Tensor(fn, x.shape, (x, gamma, beta, eps), (0,))  # (ddof,): biased variance

    def layer_norm(self, nodes, depth):
        return self._norm("layer_norm", nodes, depth)

    def batch_norm(self, nodes, depth):
        return self._norm("batch_norm", nodes, depth)

    # ------------------------------------------------------------------ masks and joins

    def dropout(self, nodes, depth):
        if len(nodes) != 3:
            raise self.error("dropout(x, mask, p) takes the tensor, its 0/1 keep mask and the "
                             "drop probability p")
        x, mask, p = self.args(nodes, depth)
        if p.shape:
            raise self.error(f"the p of dropout(x, mask, p) must be a scalar, not "
                             f"{describe(p.shape)}")
        return self.c.elementwise("dropout", (x, mask, p), "dropout()")

    def concat(self, nodes, depth):
        if len(nodes) < 2:
            raise self.error("concat(u, v, ...) joins two or more vectors")
        args = self.args(nodes, depth)
        for i, arg in enumerate(args, start=1):
            if len(arg.shape) > 1:
                raise self.error(f"concat() joins vectors (and scalars); argument {i} is "
                                 f"{describe(arg.shape)}")
        size = sum(a.shape[0] if a.shape else 1 for a in args)
        return Tensor("concat", (size,), args)

    # ------------------------------------------------------------------ convolution, pooling

    def conv2d(self, nodes, depth):
        if len(nodes) not in (2, 3, 4):
            raise self.error("conv2d(X, K), conv2d(X, K, stride) or conv2d(X, K, stride, "
                             "padding) takes 2 to 4 arguments")
        x, k = self.args(nodes[:2], depth)
        if len(x.shape) not in (2, 3):
            raise self.error(f"conv2d() needs its input as an H×W matrix or a C_in×H×W tensor, "
                             f"not {describe(x.shape)}")
        if len(k.shape) not in (2, 3, 4):
            raise self.error(f"conv2d() needs its kernel as kh×kw, C_in×kh×kw or "
                             f"C_out×C_in×kh×kw, not {describe(k.shape)}")
        stride = self.whole(nodes[2], "stride", "conv2d", 1, MAX_WINDOW) if len(nodes) > 2 else 1
        padding = self.whole(nodes[3], "padding", "conv2d", 0, MAX_WINDOW) \
            if len(nodes) > 3 else 0
        c_in = x.shape[0] if len(x.shape) == 3 else 1
        k_in = k.shape[-3] if len(k.shape) >= 3 else 1
        if c_in != k_in:
            raise self.error(f"conv2d(): the input has {c_in} channel(s) ({describe(x.shape)}) "
                             f"and the kernel {k_in} ({describe(k.shape)}); they must match")
        h, w = x.shape[-2:]
        kh, kw = k.shape[-2:]
        rows = (h + 2 * padding - kh) // stride + 1
        cols = (w + 2 * padding - kw) // stride + 1
        if rows < 1 or cols < 1:
            raise self.error(f"conv2d(): the kernel ({kh}×{kw}) is larger than the padded "
                             f"input ({describe(x.shape)}, padding {padding})")
        shape = ((k.shape[0],) if len(k.shape) == 4 else ()) + (rows, cols)
        return Tensor("conv2d", shape, (x, k), (stride, padding))

    def _pool(self, fn: str, nodes: list, depth: int) -> Tensor:
        if len(nodes) not in (2, 3):
            raise self.error(f"{fn}(X, k) or {fn}(X, k, stride) takes 2 or 3 arguments")
        (x,) = self.args(nodes[:1], depth)
        if len(x.shape) not in (2, 3):
            raise self.error(f"{fn}() needs an H×W matrix or a C×H×W tensor, not "
                             f"{describe(x.shape)}")
        k = self.whole(nodes[1], "window size k", fn, 1, MAX_WINDOW)
        stride = self.whole(nodes[2], "stride", fn, 1, MAX_WINDOW) if len(nodes) == 3 else k
        h, w = x.shape[-2:]
        if k > h or k > w:
            raise self.error(f"{fn}(): the {k}×{k} window is larger than the input "
                             f"({describe(x.shape)})")
        shape = x.shape[:-2] + ((h - k) // stride + 1, (w - k) // stride + 1)
        return Tensor("pool", shape, (x,), (fn, k, stride, None))

    def max_pool2d(self, nodes, depth):
        return self._pool("max_pool2d", nodes, depth)

    def avg_pool2d(self, nodes, depth):
        return self._pool("avg_pool2d", nodes, depth)
