"""Shared pieces of the random generators: limits, decimal text, operand records."""

from __future__ import annotations

import math
import re


# The scalar heads of format v1 (the tensor heads of v2 have their own templates).
ACTIVATIONS = ("sigmoid", "tanh", "identity")
LOSSES = ("bce", "mse")

VMAX = 8.0
"""Largest magnitude a node value may take."""

SQUASH_MAX = 3.5
"""Largest magnitude of a tanh / sigmoid argument (keeps gradients from vanishing)."""

KINK_EPS = 1e-3
"""Smallest distance of a relu/leaky_relu/abs argument from 0 and of a min/max winner from
the runner-up (outside the deliberate kinks of ``kinks=True``)."""

RCAP = 60
"""Largest estimated digit count (numerator + denominator) of an exactly rational node."""

PREACT_RANGE = {"sigmoid": 4.0, "tanh": 2.5, "identity": 5.0}


_SLOPES = ("0.1", "0.2", "0.05", "0.3", "1e-2", "0.02")


_NODE_REF = re.compile(r"\bn[0-9]+\b")


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _dec(m: int, d: int) -> str:
    """The decimal text of m / 10**d, shortest form (``-0.37``, ``1.2``, ``2``)."""
    sign = "-" if m < 0 else ""
    m = abs(m)
    whole, frac = divmod(m, 10 ** d)
    if frac == 0:
        return f"{sign}{whole}"
    digits = str(frac).rjust(d, "0").rstrip("0")
    return f"{sign}{whole}.{digits}"


def _size(*sizes):
    """Estimated digit count of an exact result built from parts (None = irrational)."""
    total = 0
    for s in sizes:
        if s is None:
            return None
        total += s
    return total



class _Op:
    """An operand: its text (atomic: a name, ``w3[2]`` or a non-negative literal),
    float value, estimated exact size (None when irrational) and node index (or None)."""

    __slots__ = ("text", "value", "size", "node")

    def __init__(self, text, value, size, node=None):
        self.text = text
        self.value = value
        self.size = size
        self.node = node


class _Vec:
    __slots__ = ("text", "values", "size")

    def __init__(self, text, values, size):
        self.text = text
        self.values = values
        self.size = size


class _Reject(Exception):
    pass

