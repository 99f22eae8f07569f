"""Shapes and entry names: the one place that knows how a tensor's entries are numbered.

A shape is ``()`` (a scalar), ``(n,)`` (a vector), ``(m, n)`` (a matrix, rows first) or a tensor
of rank 3 or 4 (``(c, h, w)``, channels first).  Entries are numbered from 1 and listed row-major;
an entry is named ``W[2]``, ``M[1, 2]`` or ``X[1, 2, 3]``.
"""

from __future__ import annotations

import re

_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[ *([0-9]{1,6}(?: *, *[0-9]{1,6}){0,3}) *\]")
MAX_RANK = 4


def describe(shape: tuple) -> str:
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"a {'×'.join(map(str, shape))} tensor"


def broadcast(a: tuple, b: tuple) -> tuple | None:
    """NumPy's broadcast of two shapes (aligned at the right; a size of 1 stretches), or None
    when they do not broadcast."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(reversed(out))


def broadcast_positions(shape: tuple, target: tuple) -> list:
    """For each entry of ``target`` (row-major), the row-major position of the entry of a tensor
    of ``shape`` that NumPy's broadcasting reads there."""
    if shape == target:
        return list(range(entries_of(target)))
    lead = len(target) - len(shape)
    strides, step = [0] * len(target), 1
    for k in range(len(shape) - 1, -1, -1):
        strides[lead + k] = step if shape[k] != 1 else 0
        step *= shape[k]
    positions = [0]
    for k, size in enumerate(target):
        positions = [p + i * strides[k] for p in positions for i in range(size)]
    return positions


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
    out = [()]
    for size in shape:
        out = [t + (i,) for t in out for i in range(1, size + 1)]
    return out


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
    position = 0
    for i, size in zip(index, shape):
        position = position * size + (i - 1)
    return position


def in_range(shape: tuple, index) -> bool:
    if index is None:
        return not shape
    parts = (index,) if isinstance(index, int) else index
    return len(parts) == len(shape) and all(1 <= p <= s for p, s in zip(parts, shape))


def entry_name(text: str) -> tuple:
    """``W1[2]`` -> ("W1", 2), ``M[1, 2]`` -> ("M", (1, 2)), ``X[1, 2, 3]`` -> ("X", (1, 2,
    3)); anything else -> (text, None)."""
    match = _ENTRY.fullmatch(text)
    if not match:
        return text, None
    parts = tuple(int(p) for p in match[2].split(","))
    return match[1], parts[0] if len(parts) == 1 else parts


def nest(flat: list, shape: tuple):
    """Row-major entries as a value of ``shape``: the entry, a list, or a list of rows."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    inner = entries_of(shape[1:])
    return [nest(flat[i * inner:(i + 1) * inner], shape[1:]) for i in range(shape[0])]


def flatten(value) -> list:
    """A scalar, vector (tuple/list), matrix (rows) or deeper tensor as its row-major list of
    entries."""
    if isinstance(value, (tuple, list)):
        if value and isinstance(value[0], (tuple, list)):
            return [x for row in value for x in flatten(row)]
        return list(value)
    return [value]


def shape_of(value) -> tuple:
    if isinstance(value, (tuple, list)):
        return (len(value),) + (shape_of(value[0]) if value else ())
    return ()
