"""The layer templates of the tensor generator (issue 19): GELU, layer norm, var, dropout,
concat, masked softmax of a score matrix with a broadcast bias (attention), batch norm,
max/avg pooling of an image (with a planted tie under ``--kinks``) and a convolution over
channels.  A mixin of :class:`hwsolve.tools.generate.tensor.TensorGenerator`; every node is
evaluated while it is written, as the other templates are."""

from __future__ import annotations

import math
from fractions import Fraction

from hwsolve.tools.generate.tensor_nodes import _Reject, _call

_KINDS = ("gelu", "norm", "var", "dropout", "concat", "attention", "batch", "pool", "conv")


def _gelu(x: float) -> float:
    return 0.5 * x * (1 + math.erf(x / math.sqrt(2)))


def _gelu_tanh(x: float) -> float:
    return 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _normalise(xs: list, gamma: list, beta: list, eps: float = 1e-5) -> list:
    mu = sum(xs) / len(xs)
    var = sum((x - mu) ** 2 for x in xs) / len(xs)
    return [g * (x - mu) / math.sqrt(var + eps) + b for x, g, b in zip(xs, gamma, beta)]


def _masked_softmax(row: list, mask: list) -> list:
    top = max(x for x, m in zip(row, mask) if m)
    e = [math.exp(x - top) if m else 0.0 for x, m in zip(row, mask)]
    return [v / sum(e) for v in e]


class TensorLayers:
    """The layer templates; a mixin of TensorGenerator (its ``r``, ``num``, ``param`` ...)."""

    def t_layer(self):
        kind = self.r.choice(_KINDS)
        return getattr(self, f"_layer_{kind}")()

    def _layer_gelu(self):
        h, hv = self.pick_vector()
        fn = self.r.choice(("gelu", "gelu_tanh"))
        f = _gelu if fn == "gelu" else _gelu_tanh
        return _call(fn, h), self.check([f(float(x)) for x in hv])

    def _layer_norm_vector(self):
        h, hv = self.pick_vector()
        if len(hv) < 2 or max(hv) - min(hv) < 0.1:
            raise _Reject
        return h, hv

    def _layer_norm(self):
        h, hv = self._layer_norm_vector()
        n = len(hv)
        gamma = [self.num(0.5, 1.5) for _ in range(n)]
        beta = [self.num(-0.5, 0.5) for _ in range(n)]
        value = _normalise([float(x) for x in hv], gamma, beta)
        return _call("layer_norm", h, self.param("g", gamma), self.param("be", beta)), \
            self.check(value)

    def _layer_var(self):
        h, hv = self._layer_norm_vector()
        mu = sum(hv) / len(hv)
        return _call("var", h), self.check(sum((x - mu) ** 2 for x in hv) / len(hv))

    def _layer_dropout(self):
        h, hv = self.pick_vector()
        mask = [Fraction(self.r.random() < 0.6) for _ in hv]
        k = self.constant(mask)
        return _call("dropout", h, k, "0.5"), self.check([2 * x * m for x, m in zip(hv, mask)])

    def _layer_concat(self):
        h, hv = self.pick_vector()
        g, gv = self.pick_vector()
        if len(hv) + len(gv) > 8:
            raise _Reject
        return f"concat({h}, {g})", self.check(list(hv) + list(gv))

    def _scores(self):
        """outer(h, g) + b: a score matrix, a bias vector broadcast over its rows."""
        h, hv = self.pick_vector()
        g, gv = self.pick_vector()
        if len(hv) < 2:
            raise _Reject
        b = [self.num(-0.5, 0.5) for _ in gv]
        scores = [[x * y + c for y, c in zip(gv, b)] for x in hv]
        return f"outer({h}, {g}) + {self.param('b', b)}", scores

    def _layer_attention(self):
        text, scores = self._scores()
        if any(abs(x) > 6 for row in scores for x in row):
            raise _Reject
        n, m = len(scores), len(scores[0])
        mask = [[Fraction(int(j <= i or self.r.random() < 0.3)) for j in range(m)]
                for i in range(n)]
        value = [_masked_softmax([float(x) for x in row], mrow)
                 for row, mrow in zip(scores, mask)]
        return f"softmax({text}, {self.constant(mask)})", self.check(value)

    def _layer_batch(self):
        text, scores = self._scores()
        columns = list(zip(*scores))
        if any(max(c) - min(c) < 0.1 for c in columns):
            raise _Reject
        gamma = [self.num(0.5, 1.5) for _ in columns]
        beta = [self.num(-0.5, 0.5) for _ in columns]
        normed = [_normalise([float(x) for x in c], [g] * len(c), [b] * len(c))
                  for c, g, b in zip(columns, gamma, beta)]
        value = [list(row) for row in zip(*normed)]
        return (f"batch_norm({text}, {self.param('g', gamma)}, {self.param('be', beta)})",
                self.check(value))

    def _image(self, channels: int = 0):
        shape = (channels, 4, 4) if channels else (4, 4)
        image = self.matrix(4, 4) if not channels else [self.matrix(4, 4)
                                                        for _ in range(channels)]
        name = self.name("X")
        self.inputs.append((name, image))
        return name, image, shape

    def _layer_pool(self):
        name, X, _ = self._image()
        fn = self.r.choice(("max_pool2d", "avg_pool2d"))
        windows = [[[X[2 * i + a][2 * j + b] for a in (0, 1) for b in (0, 1)]
                    for j in (0, 1)] for i in (0, 1)]
        if fn == "max_pool2d" and self.kinks:  # a tie: two equal maxima in one window
            i, j = self.r.randrange(2), self.r.randrange(2)
            w = windows[i][j]
            top = max(w)
            a = w.index(top)
            other = (a + 1 + self.r.randrange(3)) % 4
            X[2 * i + other // 2][2 * j + other % 2] = top
            windows[i][j][other] = top
            self.planted.add("pool_tie")
        if fn == "max_pool2d":
            contests = [w for row in windows for w in row] if not self.kinks else ()
            value = [[max(w) for w in row] for row in windows]
            return f"{fn}({name}, 2)", self.check(value, contests=contests)
        return f"{fn}({name}, 2)", self.check([[sum(w) / 4 for w in row] for row in windows])

    def _layer_conv(self):
        name, X, _ = self._image(channels=2)
        K = [self.matrix(2, 2, 0.5) for _ in range(2)]
        k = self.param("K", K)
        value = [[sum((X[c][i + a][j + b] * K[c][a][b] for c in range(2) for a in range(2)
                       for b in range(2)), Fraction(0)) for j in range(3)] for i in range(3)]
        return f"conv2d({name}, {k})", self.check(value)
