"""The one place a solved value becomes JSON or CSV text.

Every writer of JSON or CSV (a single problem, a batch, a training run, the ``--history`` file,
the shown work as JSON) takes its tokens from here.  A value inside float range is written as
the shortest float that reads back to it; a nonzero value beyond it (below 2.2e-308 or above
1.8e308 in magnitude) is never written as 0.0, ``inf`` or ``Infinity``: it is written in exponent
form with 17 significant digits (valid JSON, and a decimal parser reads it back), and a sentence
naming the entry goes into ``notes`` (JSON: in the document; CSV: on stderr).
:func:`dumps` is the only JSON serializer of documents holding such numbers.
"""

from __future__ import annotations

from hwsolve import num
from hwsolve.numtext import WideNumber
from hwsolve.spec.shapes import flatten, indices, label as entry_label, shape_of

WIDE = "is beyond the range of a float: written in exponent form with 17 significant digits"
"""The end of every note :func:`num.json_token` writes (how :func:`summarized` finds them)."""
MAX_NOTES = 12
"""More notes than this about values beyond float range are summarized: the first three, then
one sentence for the rest (a diverging run of 10,000 steps has 10,000 of them)."""


def json_number(x, where: str, notes: list | None):
    """One value as a JSON token: a float, or a WideNumber (exponent form) with a note."""
    token, note = num.json_token(x)
    if note and notes is not None:
        notes.append(f"{where}: {note}")
    return token


def json_value(value, where: str, notes: list | None, suffix: str = "", index: tuple = ()):
    """A scalar or a tensor of any rank (nested lists or tuples) as JSON tokens; entries are
    named ``where[i]``, ``where[i, j]``, ... and then ``suffix`` (``@2``) in the notes."""
    if isinstance(value, (list, tuple)):
        return [json_value(x, where, notes, suffix, (*index, i)) for i, x in enumerate(value, 1)]
    name = f"{where}[{', '.join(map(str, index))}]" if index else where
    return json_number(value, name + suffix, notes)


def json_label(value, where: str, notes: list | None):
    """A label: whole numbers as JSON integers (class numbers), others as :func:`json_number`."""
    if isinstance(value, (list, tuple)):
        return [json_label(v, f"{where}[{i}]", notes) for i, v in enumerate(value, 1)]
    if getattr(value, "denominator", None) == 1:
        return int(value)
    return json_number(value, where, notes)


def csv_number(x, where: str, notes: list | None) -> str:
    """One value as a CSV cell: ``repr`` of the float, or the exponent form with a note."""
    text, note = num.csv_token(x)
    if note and notes is not None:
        notes.append(f"{where}: {note}")
    return text


def csv_cells(value, where: str, notes: list | None, suffix: str = "") -> list:
    """Every entry of a scalar, vector or matrix as a CSV cell, row-major; an entry beyond
    float range is named like its column (``where[1, 2]``, then ``suffix``) in its note."""
    if not isinstance(value, (list, tuple)):
        return [csv_number(value, where + suffix, notes)]
    return [csv_number(x, entry_label(where, index) + suffix, notes)
            for index, x in zip(indices(shape_of(value)), flatten(value))]


def count_wide(document) -> int:
    """How many values beyond float range (exponent-form tokens) ``document`` holds."""
    count, stack = 0, [document]
    while stack:
        item = stack.pop()
        if type(item) is WideNumber:
            count += 1
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return count


def dumps(document, indent: int = 2) -> str:
    """``json.dumps`` that writes every WideNumber in exponent form."""
    return num.json_dumps(document, indent=indent)


def summarized(notes: list) -> list:
    """``notes`` with a long run of values beyond float range shortened to three and a count."""
    wide = [note for note in notes if note.endswith(WIDE)]
    if len(wide) <= MAX_NOTES:
        return list(notes)
    kept, rest = wide[:3], wide[3:]
    first, last = (note[:-len(WIDE) - 1].rsplit(": ", 1)[0] for note in (rest[0], rest[-1]))
    others = [note for note in notes if not note.endswith(WIDE)]
    return others + kept + [f"{len(rest):,} more values ({first} … {last}) are beyond the range "
                            "of a float: each is written in exponent form with 17 significant "
                            "digits"]
