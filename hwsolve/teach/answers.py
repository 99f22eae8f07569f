"""Student submissions: a YAML file in the ``answers`` shape, a folder of them, or a CSV
gradebook (one student per row).

A YAML submission has the keys of a problem's ``answers`` (``Yhat``, ``L``, ``grad``, ``values``;
entries such as ``'W1[2]'``), plus ``local`` for the local derivatives of the work (``'H3/X1': 1``
is ∂H3/∂X1) and an optional ``student`` name.  A CSV gradebook has a header of the answer
table's column names (``Yhat``, ``L``, ``X1`` or ``dL/dX1`` or ``∇X1``, ``W1[2]``, and also
``value H1`` or ``H3/X1``) and one student per row, the first column being the student's id.
Every number is read exactly from its text; a quoted fraction ``'8/3'`` is an exact answer.
Nothing is evaluated: a bad file is a :class:`HwsolveError` naming the file, line and key.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.spec.shapes import label
from hwsolve.spec.yamlread import Mapping, Scalar, Sequence, read_file

_FRACTION = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?) */ *([0-9]+(?:\.[0-9]+)?)")
_KEYS = ("student", "Yhat", "L", "grad", "values", "local", "derive")  # derive: issue 18
MAX_STUDENTS = 100_000


@dataclass(frozen=True)
class Written:
    """One number a student wrote: its text (for the decimal places), its exact value."""
    entry: str          # "Yhat", "L", "∇X1", "∇W1[2]", "value H1" or "H3/X1"
    text: str
    value: Fraction
    exact: Fraction | None
    line: int | None


@dataclass
class Submission:
    student: str
    file: str
    entries: list = field(default_factory=list)   # Written, in the order written
    forms: dict = field(default_factory=dict)     # issue 18: derive: {W: (closed form, line)}

    def by_entry(self) -> dict:
        return {w.entry: w for w in self.entries}


def number(text: str, file: str, where: str, line: int | None,
           quoted: bool = False) -> Written | tuple:
    """(text, value, exact) of one written number; HwsolveError otherwise."""
    text = text.strip()
    match = _FRACTION.fullmatch(text)
    if match and (quoted or "/" in text):
        try:
            exact = num.parse_decimal(match[1]) / num.parse_decimal(match[2])
        except (ValueError, ZeroDivisionError) as exc:
            raise HwsolveError(f"{text!r} is not an exact fraction ({exc})", file=file,
                               where=where, line=line) from None
        return text, exact, exact
    try:
        return text, num.parse_decimal(text), None
    except ValueError as exc:
        raise HwsolveError(str(exc), file=file, where=where, line=line) from None


# ----------------------------------------------------------------------------- YAML

def read_yaml(path: Path) -> Submission:
    tree = read_file(path, str(path))
    file = str(path)
    if not isinstance(tree, Mapping):
        raise HwsolveError("a submission must be a mapping with keys such as Yhat, L, grad, "
                           "values and local", file=file, line=getattr(tree, "line", None))
    submission = Submission(path.stem, file)
    for key, node in tree.values.items():
        line = tree.key_lines[key]
        if key not in _KEYS:
            raise HwsolveError(f"unknown key {key!r}; a submission has the keys "
                               f"{', '.join(_KEYS)}", file=file, where=key, line=line)
        if key == "student":
            if not isinstance(node, Scalar) or node.is_null:
                raise HwsolveError("student must be a name", file=file, where=key, line=line)
            submission.student = node.text
        elif key in ("Yhat", "L"):
            _add(submission, key, node, key)
        elif key == "derive":  # issue 18 (h18derive): closed forms, graded by derive/grade_form
            from hwsolve.derive.grade_form import read_forms
            submission.forms = read_forms(node, file)
        else:
            if not isinstance(node, Mapping):
                raise HwsolveError(f"{key} must be a mapping of names to numbers", file=file,
                                   where=key, line=node.line)
            for name, value in node.values.items():
                where = f"{key}.{name}"
                if key == "local" and name.count("/") != 1:
                    raise HwsolveError(f"a local derivative is keyed 'OF/WRT' (such as "
                                       f"'H3/X1' for ∂H3/∂X1), not {name!r}", file=file,
                                       where=where, line=node.key_lines[name])
                entry = {"grad": f"∇{name}", "values": f"value {name}",
                         "local": name.replace(" ", "")}[key]
                _add(submission, entry, value, where)
    return submission


def _add(submission: Submission, entry: str, node, where: str) -> None:
    """A number, or a vector/matrix of numbers (one Written per entry, row-major)."""
    file = submission.file
    if isinstance(node, Sequence):
        rows = node.items
        if rows and isinstance(rows[0], Sequence):
            flat = [(item, (i, j)) for i, row in enumerate(rows, 1)
                    for j, item in enumerate(getattr(row, "items", [row]), 1)]
        else:
            flat = [(item, i) for i, item in enumerate(rows, 1)]
        if not flat:
            raise HwsolveError("an empty list is not an answer", file=file, where=where,
                               line=node.line)
        for item, index in flat:
            _add(submission, label(entry, index), item, f"{where}[{index}]" if isinstance(
                index, int) else f"{where}[{index[0]}, {index[1]}]")
        return
    if not isinstance(node, Scalar) or node.is_null:
        raise HwsolveError("an answer is a number (or a list of numbers)", file=file,
                           where=where, line=getattr(node, "line", None))
    text, value, exact = number(node.text, file, where, node.line, quoted=not node.plain)
    submission.entries.append(Written(entry, text, value, exact, node.line))


# ----------------------------------------------------------------------------- CSV

def column_entry(header: str) -> str:
    """A gradebook column name as an entry name."""
    header = header.strip()
    if header in ("Yhat", "Ŷ", "L"):
        return "Yhat" if header == "Ŷ" else header
    if header.startswith("dL/d"):
        return "∇" + header[4:]
    if header.startswith(("∇", "value ")) or "/" in header:
        return header.replace(" ", "") if "/" in header else header
    return "∇" + header


def read_csv(path: Path) -> list:
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HwsolveError("the gradebook is not UTF-8 text", file=file) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or len(rows[0]) < 2:
        raise HwsolveError("a gradebook needs a header row: the student id, then the table's "
                           "column names (Yhat, L, X1, W1[2], ...)", file=file, line=1)
    entries = [column_entry(h) for h in rows[0][1:]]
    seen: set = set()
    for column, entry in enumerate(entries, start=2):
        if not entry.strip("∇") or entry in seen:
            raise HwsolveError(f"column {column} is {'empty' if entry not in seen else 'a repeat'}"
                               f" in the header", file=file, line=1)
        seen.add(entry)
    if len(rows) - 1 > MAX_STUDENTS:
        raise HwsolveError(f"a gradebook may have at most {MAX_STUDENTS} rows", file=file)
    submissions = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(entries) + 1:
            raise HwsolveError(f"the row has {len(row)} cells but the header has "
                               f"{len(entries) + 1}", file=file, line=line)
        submission = Submission(row[0].strip() or f"row {line}", file)
        for entry, cell in zip(entries, row[1:]):
            if cell.strip():
                text, value, exact = number(cell, file, entry, line)
                submission.entries.append(Written(entry, text, value, exact, line))
        submissions.append(submission)
    return submissions


def read(path: str | Path) -> list:
    """Every submission in a YAML file, a CSV gradebook or a folder of YAML files."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.suffix in (".yaml", ".yml", ".csv") and p.is_file())
        if not files:
            raise HwsolveError("the folder has no .yaml, .yml or .csv submissions", file=str(path))
        found: list = []
        for p in files:
            found += read(p)
        return found
    if not path.exists():
        raise HwsolveError("no such file or folder", file=str(path))
    if path.suffix == ".csv":
        return read_csv(path)
    return [read_yaml(path)]

