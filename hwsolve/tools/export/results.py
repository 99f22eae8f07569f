"""Graded reports in the course platforms' formats: Gradescope's ``results.json``, Canvas and
Moodle gradebook CSVs, and one Markdown feedback file per student.

These read the grader's data model (:class:`hwsolve.teach.gradebook.Gradebook`, its
:class:`hwsolve.teach.grade.Report` and :class:`hwsolve.teach.answers.Flagged` rows) and
compute no verdict.  ``hide_key`` removes from everything a student sees every number that is
a rounding of a correct value (at 2 or more significant figures): the student's own right
answers and a diagnosis's intermediate numbers too, so the key cannot leak through any of them.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation, localcontext

from hwsolve import num
from hwsolve.render.grade import md, safe_cell
from hwsolve.teach.answers import Flagged

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
HIDDEN = "[hidden]"
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "Section")


# ----------------------------------------------------------------------------- the key hidden

def key_values(report) -> list:
    return [e.correct for e in report.entries]


def _is_rounding(token: str, values: list) -> bool:
    try:
        written = Decimal(token)
    except InvalidOperation:
        return False
    digits = len(written.as_tuple().digits) - (1 if written.is_zero() else 0)
    if digits < 2 and not written.is_zero():
        return False
    with localcontext() as ctx:
        ctx.prec = num.WORK_DPS + 10
        unit = Decimal(5).scaleb(written.as_tuple().exponent - 1)
        for value in values:
            if value is None:
                continue
            true = num.to_decimal(value)
            if written.is_zero() and not true.is_zero():
                continue
            if abs(true - written) <= unit:
                return True
    return False


def redact(text: str, values: list) -> str:
    """``text`` with every number that rounds a value of ``values`` replaced by [hidden]."""
    return _NUMBER.sub(lambda m: HIDDEN if _is_rounding(m[0], values) else m[0], text)


# ----------------------------------------------------------------------------- feedback text

def feedback_markdown(report, hide_key: bool = False, points: float | None = None) -> str:
    """A student's feedback: score, then each asked entry's verdict and diagnosis."""
    if isinstance(report, Flagged):
        return (f"# {md(report.student)}\n\nYour submission could not be graded automatically "
                f"and is waiting for review: {md(report.reason)}\n")
    lines = [f"# {md(report.student)}", "",
             f"**Score:** {_points(report, points)} (rule: {md(report.rule)})", ""]
    for e in report.entries:
        if e.counted:
            lines.append(f"- {entry_markdown(e, report, hide_key)}")
    for i, root in enumerate(report.roots, start=1):
        lines.append(f"- root {i} ({md(root.kind.replace('_', ' '))} at {md(root.where)}): "
                     f"{md(root.explanation)}")
    text = "\n".join(lines) + "\n"
    return redact(text, key_values(report)) if hide_key else text


def entry_markdown(e, report, hide_key: bool) -> str:
    written = f"`{md(e.written.text)}`" if e.written else "nothing"
    head = f"**{md(e.entry)}**: {e.status}"
    if e.status == "right":
        return head + ("" if hide_key else f" (you wrote {written})")
    parts = [head, f"you wrote {written}"]
    if e.text:
        parts.append(md(e.text))
    if not hide_key:
        parts.append(f"correct: {num.fmt_sig(e.correct, report.digits)}")
    return "; ".join(parts)


def _points(report, points: float | None) -> str:
    if points is None:
        return f"{num.fmt_sig(report.credit, 6)}/{report.total}"
    return f"{_scaled(report.score, points)}/{_plain(points)}"


def _scaled(fraction, points: float) -> str:
    return _plain(round(float(fraction) * points, 4))


def _plain(x: float) -> str:
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


# ----------------------------------------------------------------------------- Gradescope

def gradescope(report, *, visibility: str = "visible", hide_key: bool = False,
               points: float | None = None) -> dict:
    """Gradescope's results.json for one submission: each asked entry one test."""
    if isinstance(report, Flagged):
        return {"score": 0, "output": f"Not graded, needs review: {report.reason}",
                "output_format": "md", "visibility": visibility, "tests": []}
    counted = [e for e in report.entries if e.counted]
    each = (points if points is not None else float(len(counted))) / max(len(counted), 1)
    credit = {"right": 1.0, "follows": float(report.follow_through)}
    values = key_values(report)
    tests = []
    for number, e in enumerate(counted, start=1):
        output = entry_markdown(e, report, hide_key)
        tests.append({
            "name": e.entry,
            "number": str(number),
            "score": round(credit.get(e.status, 0.0) * each, 6),
            "max_score": round(each, 6),
            "status": "passed" if credit.get(e.status, 0.0) == 1.0 else "failed",
            "output": redact(output, values) if hide_key else output,
            "output_format": "md",
            "visibility": visibility,
            "tags": [e.kind] if e.kind else [],
        })
    summary = f"Score {_points(report, points if points is not None else len(counted))} " \
              f"(rule: {md(report.rule)})."
    if report.roots:
        summary += " " + " ".join(f"Root {i}: {md(r.explanation)}."
                                  for i, r in enumerate(report.roots, start=1))
    return {"score": round(sum(t["score"] for t in tests), 6),
            "output": redact(summary, values) if hide_key else summary,
            "output_format": "md", "visibility": visibility,
            "stdout_visibility": "hidden", "tests": tests}


# ----------------------------------------------------------------------------- LMS gradebooks

def _ascii(text: str) -> str:
    replaced = text.replace("∇", "grad ").replace("Ŷ", "Yhat").replace("∂", "d")
    return replaced.encode("ascii", "replace").decode("ascii")


def lms_csv(book, target: str, *, points: float = 100.0, column: str | None = None,
            id_column: str = "Email address") -> str:
    """A gradebook the LMS imports: UTF-8 with a byte-order mark, ASCII headers, points.

    Canvas: Student, ID, SIS User ID, Section, then the assignment column (``column``, default
    "hwsolve <problem>") in points; the hwsolve student id goes in SIS User ID (Canvas matches
    on it).  Moodle: the id column (``id_column``, mapped on import to email or ID number), then
    the grade column and a feedback column."""
    name = _ascii(column or f"hwsolve {_problem_name(book)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if target == "canvas":
        writer.writerow([*CANVAS_IDENTITY, name])
        writer.writerow(["Points Possible", "", "", "", _plain(points)])
    else:
        writer.writerow([_ascii(id_column), name, f"{name} feedback"])
    for row in book.rows:
        student = safe_cell(row.student, False)
        score = "0" if isinstance(row, Flagged) else _scaled(row.score, points)
        if target == "canvas":
            writer.writerow([student, "", student, "", score])
        else:
            note = f"needs review: {row.reason}" if isinstance(row, Flagged) else \
                f"{row.count('right')} right, {row.count('follows')} follow through, " \
                f"{row.count('wrong')} wrong, {row.count('missing')} missing"
            writer.writerow([student, score, safe_cell(note)])
    return "\ufeff" + out.getvalue()


def _problem_name(book) -> str:
    from pathlib import Path
    text = str(book.problem).split(" (")[0]
    return Path(text).stem or text


def feedback_files(book, *, hide_key: bool = False, points: float | None = None) -> dict:
    """file name -> Markdown, one per student (a name made safe for every file system)."""
    files: dict = {}
    for row in book.rows:
        base = re.sub(r"[^A-Za-z0-9._@-]+", "_", row.student).strip("._") or "student"
        name, n = f"{base}.md", 1
        while name in files:
            n += 1
            name = f"{base}-{n}.md"
        files[name] = feedback_markdown(row, hide_key, points)
    return files
