"""Shapes and entry names: the one place that knows how a tensor's entries are numbered.

A shape is ``()`` (a scalar), ``(n,)`` (a vector) or ``(m, n)`` (a matrix, rows first).  Entries
are numbered from 1 and listed row-major; an entry is named ``W[2]`` or ``M[1, 2]``.
"""

from __future__ import annotations

import re

_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[ *([0-9]{1,6}) *(?:, *([0-9]{1,6}) *)?\]")


def describe(shape: tuple) -> str:
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def entries_of(shape: tuple) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def indices(shape: tuple) -> list:
    """Every entry's index, row-major: [1, 2, ...] for a vector, [(1, 1), (1, 2), ...] for a
    matrix, [None] for a scalar."""
    if not shape:
        return [None]
    if len(shape) == 1:
        return list(range(1, shape[0] + 1))
    return [(i, j) for i in range(1, shape[0] + 1) for j in range(1, shape[1] + 1)]


def label(name: str, index) -> str:
    if index is None:
        return name
    if isinstance(index, tuple):
        return f"{name}[{', '.join(map(str, index))}]"
    return f"{name}[{index}]"


def flat_position(shape: tuple, index) -> int:
    """The row-major position (0-based) of a 1-based index in a tensor of ``shape``."""
    if index is None:
        return 0
    if isinstance(index, int):
        return index - 1
    i, j = index
    return (i - 1) * shape[1] + (j - 1)


def in_range(shape: tuple, index) -> bool:
    if index is None:
        return not shape
    parts = (index,) if isinstance(index, int) else index
    return len(parts) == len(shape) and all(1 <= p <= s for p, s in zip(parts, shape))


def entry_name(text: str) -> tuple:
    """``W1[2]`` -> ("W1", 2), ``M[1, 2]`` -> ("M", (1, 2)); anything else -> (text, None)."""
    match = _ENTRY.fullmatch(text)
    if not match:
        return text, None
    if match[3] is None:
        return match[1], int(match[2])
    return match[1], (int(match[2]), int(match[3]))


def nest(flat: list, shape: tuple):
    """Row-major entries as a value of ``shape``: the entry, a list, or a list of rows."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    n = shape[1]
    return [list(flat[i * n:(i + 1) * n]) for i in range(shape[0])]


def flatten(value) -> list:
    """A scalar, vector (tuple/list) or matrix (rows) as its row-major list of entries."""
    if isinstance(value, (tuple, list)):
        if value and isinstance(value[0], (tuple, list)):
            return [x for row in value for x in row]
        return list(value)
    return [value]


def shape_of(value) -> tuple:
    if isinstance(value, (tuple, list)):
        if value and isinstance(value[0], (tuple, list)):
            return (len(value), len(value[0]))
        return (len(value),)
    return ()
