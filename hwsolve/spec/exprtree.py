"""The trees an expression parses into: scalar trees (one per entry, what tapes, the shown work
and the verifier read) and shaped :class:`Tensor` trees (what the parser builds and
:mod:`hwsolve.spec.lower` writes as scalar trees)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(slots=True)
class Num:
    value: Fraction
    text: str


@dataclass(slots=True)
class Name:
    """A scalar input, param, constant or node."""
    name: str


@dataclass(slots=True)
class Item:
    """``W[i]`` or ``M[i, j]``: one entry of a tensor, 1-based (index: int or (i, j))."""
    name: str
    index: int | tuple


@dataclass(slots=True)
class VectorName:
    name: str
    size: int


@dataclass(slots=True)
class VectorLit:
    items: tuple


@dataclass(slots=True)
class Apply:
    """An operator or function on scalars: add, mul (n-ary), sub, div, pow, neg, the functions,
    and the per-entry forms of vector functions (``softmax`` entry ``index`` of its vector)."""
    op: str
    args: tuple
    index: int | None = None


@dataclass(slots=True)
class Context:
    """A value an operation reads without a gradient flowing back to it (the pre-activation z
    that a loss reads to stay free of cancellation); only the output head uses it."""
    slot: int


Expr = Num | Name | Item | VectorName | VectorLit | Apply | Context


# ----------------------------------------------------------------------------- tensor trees

@dataclass(slots=True)
class Tensor:
    """A shaped expression.  ``kind`` is one of: num, name, item, row, lit, ew (element-wise
    ``op``), reduce (sum/mean/min/max of one tensor), dot, matmul, transpose, outer, softmax,
    log_softmax, conv2d, trace."""
    kind: str
    shape: tuple
    args: tuple = ()
    data: object = None
