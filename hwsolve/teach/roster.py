"""Who sat which variant: the per-student seed function and the roster file.

``variant_seed(student_id, course_seed)`` is the one function from which a student's own variant
is drawn — ``hwsolve vary --roster`` writes it and ``hwsolve grade`` regenerates it from the id,
so both must call this function and nothing else.  It is SHA-256 of a fixed text form of the id
and the course seed: the same on every run, every machine and every supported Python (no
``hash()``, whose value is salted per process, and no ``random`` state).

A roster is a CSV file with a header row naming the columns ``student`` and ``variant`` (the
variant number in the folder ``vary -o`` wrote); other columns are ignored.  For per-student
variants the ``variant`` column may be left out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from pathlib import Path

from hwsolve import fileio
from hwsolve.errors import HwsolveError, printable

MAX_BYTES = 16 * 1024 * 1024
SEED_BITS = 63


def normal_id(student_id: str) -> str:
    """A student id as compared and hashed: NFC, surrounding blanks dropped (so a roster
    typed on another system gives the same variant)."""
    return unicodedata.normalize("NFC", student_id).strip()


def variant_seed(student_id: str, course_seed: int) -> int:
    """The seed of ``student_id``'s own variant in the course seeded ``course_seed``: a whole
    number from 0 to 2**63 - 1, the same on every run and every Python."""
    if isinstance(course_seed, bool) or not isinstance(course_seed, int):
        raise TypeError("course_seed must be an int")
    text = f"hwsolve-variant-v1\0{course_seed}\0{normal_id(student_id)}"
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


def sniff_delimiter(text: str, file: str, single: tuple = ()) -> str:
    """The delimiter of a CSV file's header line: a comma, a semicolon or a tab (the ones
    spreadsheets write).  A header with none of them gets a sentence naming what was expected,
    unless ``single`` names the one column such a file may have (a roster of student ids
    alone): then it is read as one column, and the caller judges its header."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if not counts[best] and single:
        return ","  # a file of one column: its header is judged by the caller
    if not counts[best]:
        raise HwsolveError("the header row has no comma, semicolon or tab between its column "
                           "names; a CSV file separates its columns with one of them",
                           file=file, line=1)
    return best


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def read_csv_rows(path: str | Path, what: str, single: tuple = ()) -> tuple:
    """(rows, delimiter) of a CSV file read through fileio (regular files only, bounded); a
    header that is one of the ``single`` column names may stand alone."""
    file = str(path)
    text = fileio.read_text(path, limit=MAX_BYTES, what=what, display=file)
    if not text.strip():
        raise HwsolveError(f"the {what} is empty", file=file)
    delimiter = sniff_delimiter(text, file, single)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter)), delimiter


def read_roster(path: str | Path, need_variant: bool = True) -> dict:
    """student id -> variant number (an int), or -> None when ``need_variant`` is False and the
    roster has no variant column.  A bad roster is an HwsolveError naming the line."""
    file = str(path)
    rows, delimiter = read_csv_rows(path, "roster", () if need_variant else ("student",))
    header = [h.strip().lower() for h in rows[0]]
    if "student" not in header:
        raise HwsolveError(f"the header row (read with a {DELIMITER_NAMES[delimiter]} between "
                           "columns) has no 'student' column; a roster has the columns "
                           "student,variant", file=file, line=1)
    s_col = header.index("student")
    v_col = header.index("variant") if "variant" in header else None
    if v_col is None and need_variant:
        raise HwsolveError("the header row has no 'variant' column; a roster has the columns "
                           "student,variant", file=file, line=1)
    found: dict = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        student = normal_id(row[s_col]) if s_col < len(row) else ""
        if not student:
            raise HwsolveError("the student id is empty", file=file, line=line)
        if student in found:
            raise HwsolveError(f"student {printable(student)!r} is listed twice", file=file,
                               line=line)
        variant = None
        if v_col is not None:
            cell = row[v_col].strip() if v_col < len(row) else ""
            if not cell.isdigit() or int(cell) < 1:
                raise HwsolveError(f"the variant of {printable(student)!r} must be a variant "
                                   f"number (1, 2, ...), not {printable(cell)!r}", file=file,
                                   line=line)
            variant = int(cell)
        found[student] = variant
    if not found:
        raise HwsolveError("the roster lists no students", file=file)
    return found


def student_variant(problem, student_id: str, course_seed: int, grids: list | None = None,
                    kinks: bool = False):
    """``student_id``'s own variant of ``problem`` (a hwsolve.teach.vary.Variant): the one
    ``hwsolve vary --roster`` writes and ``hwsolve grade --per-student`` grades against."""
    from hwsolve.teach import vary
    return vary.vary(problem, 1, variant_seed(student_id, course_seed), grids, kinks)[0]
