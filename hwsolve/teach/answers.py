"""Student submissions: a YAML file in the ``answers`` shape, a folder of them, or a CSV
gradebook (one student per row).

A YAML submission has the keys of a problem's ``answers`` (``Yhat``, ``L``, ``grad``, ``values``;
entries such as ``'W1[2]'``), plus ``local`` for the local derivatives of the work (``'H3/X1': 1``
is ∂H3/∂X1), an optional ``student`` name and an optional ``variant`` number (the exam variant
it answers).  A CSV gradebook has a header of the answer table's column names (``Yhat``,
``Yhat[1]``, ``L``, ``X1`` or ``dL/dX1`` or ``∇X1``, ``W1[2]``, and also ``value H1`` or
``H3/X1``; an optional ``variant`` column) and one student per row, the first column being the
student's id; its delimiter (comma, semicolon or tab) is read from the header row.

Every number is read exactly from its text; a quoted fraction ``'8/3'`` is an exact answer.
Nothing is evaluated.  A class is never stopped by one bad file: :func:`read` gives a
:class:`Submission` for each readable one and a :class:`Flagged` (with the reason) for each
unreadable or malformed one — a non-number, the same entry written twice (a matrix as a list and
one of its entries by index), a bad key.  Lengths are checked against the problem when graded.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from hwsolve import fileio, num
from hwsolve.errors import HwsolveError
from hwsolve.spec.shapes import entry_name, label
from hwsolve.spec.yamlread import Mapping, Scalar, Sequence, parse_text
from hwsolve.teach.roster import DELIMITER_NAMES, normal_id, sniff_delimiter

_FRACTION = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?) */ *([0-9]+(?:\.[0-9]+)?)")
_DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]+")
_KEYS = ("student", "variant", "Yhat", "L", "grad", "values", "local", "derive")  # derive: issue 18
MAX_STUDENTS = 100_000
MAX_SUBMISSION_BYTES = 1024 * 1024
MAX_GRADEBOOK_BYTES = 64 * 1024 * 1024


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
    variant: int | None = None
    lists: dict = field(default_factory=dict)     # entry base -> (shape given, where, line)
    line: int | None = None                       # the CSV row
    forms: dict = field(default_factory=dict)     # issue 18: derive: {W: (closed form, line)}

    def by_entry(self) -> dict:
        return {w.entry: w for w in self.entries}


@dataclass
class Flagged:
    """A submission that could not be graded: 0 points and "needs review" in the gradebook."""
    student: str
    file: str
    reason: str
    line: int | None = None
    where: str | None = None

    @classmethod
    def from_error(cls, student: str, exc: HwsolveError, file: str | None = None) -> "Flagged":
        return cls(student, exc.file or file or "", exc.message, exc.line, exc.where)


def number(text: str, file: str, where: str, line: int | None,
           quoted: bool = False) -> tuple:
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
        hint = " (a decimal comma? write a decimal point: 0.69, not 0,69)" if \
            _DECIMAL_COMMA.fullmatch(text) else ""
        raise HwsolveError(str(exc) + hint, file=file, where=where, line=line) from None


def normal_entry(entry: str) -> str:
    """``∇W1[1,2]`` and ``∇W1[1, 2]`` are one entry: the index written as the table writes it."""
    prefix = ""
    for mark in ("∇", "value "):
        if entry.startswith(mark):
            prefix, entry = mark, entry[len(mark):]
    if "/" in entry:
        return prefix + entry.replace(" ", "")
    base, index = entry_name(entry.strip())
    return prefix + label(base, index)


# ----------------------------------------------------------------------------- YAML

def read_yaml(path: Path) -> Submission:
    file = str(path)
    text = fileio.read_text(path, limit=MAX_SUBMISSION_BYTES, what="submission", display=file)
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise HwsolveError("the submission is empty: it answers nothing", file=file)
    tree = parse_text(text, file)
    if isinstance(tree, Scalar) and tree.is_null:
        raise HwsolveError("the submission is empty: it answers nothing", file=file)
    if not isinstance(tree, Mapping):
        raise HwsolveError("a submission must be a mapping with keys such as Yhat, L, grad, "
                           "values and local", file=file, line=getattr(tree, "line", None))
    submission = Submission(path.stem, file)
    seen: dict = {}
    for key, node in tree.values.items():
        line = tree.key_lines[key]
        if key not in _KEYS:
            if key in ("title", "inputs", "nodes", "params", "kind", "curves"):
                raise HwsolveError(f"has the key {key!r} of a problem file: this is a problem, "
                                   "not a submission (grade PROBLEM ANSWERS)", file=file,
                                   where=key, line=line)
            raise HwsolveError(f"unknown key {key!r}; a submission has the keys "
                               f"{', '.join(_KEYS)}", file=file, where=key, line=line)
        if key == "student":
            if not isinstance(node, Scalar) or node.is_null or not node.text.strip():
                raise HwsolveError("student must be a name", file=file, where=key, line=line)
            submission.student = normal_id(node.text)
        elif key == "derive":  # issue 18: closed forms, graded by derive/grade_form
            from hwsolve.derive.grade_form import read_forms
            submission.forms = read_forms(node, file)
        elif key == "variant":
            if not isinstance(node, Scalar) or not node.text.strip().isdigit() or \
                    int(node.text.strip()) < 1:
                raise HwsolveError("variant is the number of the exam variant answered (1, 2, "
                                   "...)", file=file, where=key, line=line)
            submission.variant = int(node.text.strip())
        elif key in ("Yhat", "L"):
            _add(submission, key, node, key, seen)
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
                _add(submission, normal_entry(entry), value, where, seen)
    if not submission.entries and not submission.forms:
        raise HwsolveError("the submission is empty: it answers nothing", file=file)
    return submission


def _add(submission: Submission, entry: str, node, where: str, seen: dict,
         in_list: str | None = None) -> None:
    """A number, or a vector/matrix of numbers (one Written per entry, row-major)."""
    file = submission.file
    if isinstance(node, Sequence):
        rows = node.items
        if rows and isinstance(rows[0], Sequence):
            lengths = {len(getattr(r, "items", [r])) for r in rows}
            if len(lengths) != 1 or not all(isinstance(r, Sequence) for r in rows):
                raise HwsolveError("the rows of this matrix have different lengths", file=file,
                                   where=where, line=node.line)
            shape = (len(rows), lengths.pop())
            flat = [(item, (i, j)) for i, row in enumerate(rows, 1)
                    for j, item in enumerate(row.items, 1)]
        else:
            shape = (len(rows),)
            flat = [(item, i) for i, item in enumerate(rows, 1)]
        if not flat:
            raise HwsolveError("an empty list is not an answer", file=file, where=where,
                               line=node.line)
        submission.lists[entry] = (shape, where, node.line)
        for item, index in flat:
            _add(submission, label(entry, index), item, f"{where}[{index}]" if isinstance(
                index, int) else f"{where}[{index[0]}, {index[1]}]", seen, in_list=where)
        return
    if not isinstance(node, Scalar) or node.is_null:
        raise HwsolveError("an answer is a number (or a list of numbers)", file=file,
                           where=where, line=getattr(node, "line", None))
    how = f"in the list {in_list}" if in_list else f"as {where}"
    if entry in seen:
        before, line = seen[entry]
        raise HwsolveError(f"{entry} is written twice ({before}, line {line}, and {how}, line "
                           f"{node.line}); write each entry once", file=file, where=where,
                           line=node.line)
    seen[entry] = (how, node.line)
    text, value, exact = number(node.text, file, where, node.line, quoted=not node.plain)
    submission.entries.append(Written(entry, text, value, exact, node.line))


# ----------------------------------------------------------------------------- CSV

def column_entry(header: str) -> str:
    """A gradebook column name as an entry name: ``Yhat``/``Ŷ`` and ``Yhat[1]`` are the
    output's entries, ``L`` the loss, ``dL/dX1``, ``∇X1`` and a bare ``X1`` gradients."""
    header = header.strip()
    if header.startswith("Ŷ"):
        header = "Yhat" + header[1:]
    base, _ = entry_name(header)
    if header == "L" or base == "Yhat":
        return normal_entry(header)
    if header.startswith("dL/d"):
        return normal_entry("∇" + header[4:])
    if header.startswith(("∇", "value ")) or "/" in header:
        return normal_entry(header)
    return normal_entry("∇" + header)


def read_csv(path: Path) -> list:
    """Submission or Flagged per row (a bad header is an HwsolveError: nothing can be read)."""
    file = str(path)
    text = fileio.read_text(path, limit=MAX_GRADEBOOK_BYTES, what="gradebook", display=file)
    if not text.strip():
        raise HwsolveError("the gradebook is empty", file=file)
    delimiter = sniff_delimiter(text, file)
    named = DELIMITER_NAMES[delimiter]
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows[0]) < 2:
        raise HwsolveError(f"a gradebook needs a header row (read with a {named} between "
                           "columns): the student id, then the table's column names (Yhat, L, "
                           "X1, W1[2], ...)", file=file, line=1)
    entries: list = []
    variant_column = None
    for column, header in enumerate(rows[0][1:], start=2):
        if header.strip().lower() == "variant" and variant_column is None:
            variant_column = column - 1
            entries.append(None)
            continue
        entry = column_entry(header)
        if not entry.strip("∇") or entry in entries:
            raise HwsolveError(f"column {column} ({header.strip()!r}) is "
                               f"{'empty' if entry not in entries else 'a repeat'} in the "
                               f"header (read with a {named} between columns)", file=file,
                               line=1)
        entries.append(entry)
    if len(rows) - 1 > MAX_STUDENTS:
        raise HwsolveError(f"a gradebook may have at most {MAX_STUDENTS} rows", file=file)
    found: list = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        student = normal_id(row[0]) or f"row {line}"
        try:
            found.append(_row(student, row, entries, variant_column, file, line, named))
        except HwsolveError as exc:
            found.append(Flagged.from_error(student, exc, file))
    return found


def _row(student: str, row: list, entries: list, variant_column, file: str, line: int,
         named: str) -> Submission:
    if len(row) > len(entries) + 1:
        raise HwsolveError(f"the row has {len(row)} cells but the header has "
                           f"{len(entries) + 1} (read with a {named} between columns)",
                           file=file, line=line)
    submission = Submission(student, file, line=line)
    for column, (entry, cell) in enumerate(zip(entries, row[1:]), start=1):
        if not cell.strip():
            continue
        if column == variant_column:
            if not cell.strip().isdigit() or int(cell.strip()) < 1:
                raise HwsolveError(f"the variant must be a variant number, not {cell.strip()!r}",
                                   file=file, where="variant", line=line)
            submission.variant = int(cell.strip())
            continue
        text, value, exact = number(cell, file, entry, line)
        submission.entries.append(Written(entry, text, value, exact, line))
    if not submission.entries:
        raise HwsolveError("the row answers nothing (every cell is blank)", file=file,
                           line=line)
    return submission


def read(path: str | Path) -> list:
    """Every submission in a YAML file, a CSV gradebook or a folder of them: a Submission per
    readable one, a Flagged per unreadable or malformed one.  HwsolveError only when ``path``
    itself cannot be read (missing, not a folder of submissions, a bad gradebook header)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".csv"))
        if not files:
            raise HwsolveError("the folder has no .yaml, .yml or .csv submissions", file=str(path))
        found: list = []
        for p in files:
            try:
                found += read_one(p)
            except HwsolveError as exc:
                found.append(Flagged.from_error(p.stem, exc, str(p)))
        return found
    if not path.exists() and not path.is_symlink():
        raise HwsolveError("no such file or folder", file=str(path))
    return read_one(path)


def read_one(path: Path) -> list:
    """One file's submissions; a bad YAML file (or a bad gradebook header) raises."""
    if path.suffix == ".csv":
        return read_csv(path)
    return [read_yaml(path)]
