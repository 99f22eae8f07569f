"""Grade reports as text: a graded submission (or a gradebook) in; rich table, JSON, CSV or
Markdown out.  Nothing here computes: the statuses, roots and scores come from
:mod:`hwsolve.teach.grade` and :mod:`hwsolve.teach.gradebook`; this module only rounds and lays
them out, linearly in their size.  Text from a submission (a student id, a file name, a number
as written) is inert in every format: control characters escaped, Rich markup printed
literally, Markdown/HTML metacharacters escaped, spreadsheet formulas defused with a ``'``.
"""

from __future__ import annotations

import csv
import io

from hwsolve import num
from hwsolve.render import usertext
from hwsolve.errors import printable
from hwsolve.teach.answers import Flagged
from hwsolve.words import plural

MARK = {"right": "✓", "wrong": "✗", "follows": "→", "missing": "–"}
FLAG = "needs review"


def _n(x, digits: int = 4) -> str:
    if isinstance(x, str):  # issue 18: a closed form's correct answer is a form
        return x
    return num.fmt_sig(x, digits)


def _json_number(x, notes: list | None = None):
    if isinstance(x, str):  # issue 18: a closed form's correct answer is a form
        return x
    token, note = num.json_token(x)
    if note and notes is not None and note not in notes:
        notes.append(note)
    return token


def _csv_number(x, notes: list | None = None) -> str:
    if isinstance(x, str):  # issue 18: a closed form's correct answer is a form
        return x
    token, note = num.csv_token(x)
    if note and notes is not None and note not in notes:
        notes.append(note)
    return token


def _score(report) -> str:
    return f"{_n(report.credit, 6)}/{report.total}"


def _reason(e) -> str:
    if e.status == "right":
        return ""
    root = f"[root {e.root + 1}] " if e.root is not None else ""
    return root + e.text


def safe_cell(text: str, number_ok: bool = True) -> str:
    """A CSV cell a spreadsheet shows as text (usertext.csv_cell: OWASP's CSV-injection rule,
    control characters escaped).  A plain number is left alone where ``number_ok`` (a
    student's -0.069), never in an id."""
    if number_ok:
        try:
            float(str(text))
            return printable(str(text))
        except ValueError:
            pass
    return usertext.csv_cell(text)


def md(text: str) -> str:
    """User text for a Markdown table cell or heading: one line, no structure (usertext)."""
    return usertext.markdown(text)


def _text(text: str, style: str | None = None):
    return usertext.rich_text(text, style or "")


# ----------------------------------------------------------------------------- one submission

def table(report):
    from rich import box
    from rich.console import Group
    from rich.table import Table

    title = _text(f"{report.student} ({report.file})" + (f", {report.variant}"
                                                          if report.variant else ""))
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=title)
    for column, justify in (("entry", "left"), ("student", "right"), ("correct", "right"),
                            ("", "center"), ("reason", "left")):
        grid.add_column(column, justify=justify, no_wrap=column != "reason")
    for e in report.entries:
        style = None if e.status == "right" else ("yellow" if e.status == "follows" else "red")
        entry = e.entry + ("" if e.counted else " (not counted)")
        grid.add_row(_text(entry), _text(e.written.text if e.written else ""),
                     _n(e.correct, report.digits), MARK[e.status], _text(_reason(e)),
                     style=style)
    from hwsolve.render.titles import titled
    parts = [titled(grid)]
    for i, root in enumerate(report.roots, start=1):
        parts.append(_text(f"root {i}: {root.kind} at {root.where}: {root.explanation} "
                           f"({len(root.entries)} entr{'y' if len(root.entries) == 1 else 'ies'}"
                           ")"))
    parts += [_text(note) for note in report.notes]
    follows = report.count("follows")
    note = (f" ({plural(follows, 'follows', 'follow')} from a root, each worth "
            f"{_n(report.follow_through)})") if follows else ""
    parts.append(_text(f"score {_score(report)}{note}; rule: {report.rule}", "bold"))
    return Group(*parts)


def entry_json(e, notes: list | None = None) -> dict:
    document = {"entry": e.entry, "student": e.written.text if e.written else None,
                "correct": _json_number(e.correct, notes), "status": e.status,
                "counted": e.counted}
    if e.status not in ("right", "missing"):
        document["diagnosis"] = {"kind": e.kind, "text": e.text}
    if e.root is not None:
        document["root"] = e.root
    return document


def to_json(report, warnings: list | None = None) -> dict:
    """The report as a JSON document; a value beyond float range is written in exponent form
    and its note goes to ``warnings`` (the document's own ``warnings`` when not given)."""
    own = warnings is None
    notes: list = [] if own else warnings
    document = {"student": report.student, "file": report.file, "variant": report.variant,
            "needs_review": False,
            "score": num.to_float(report.score), "credit": num.to_float(report.credit),
            "total": report.total, "rule": report.rule,
            "follow_through": num.to_float(report.follow_through),
            "roots": [{"kind": r.kind, "where": r.where, "explanation": r.explanation,
                       "entries": list(r.entries)} for r in report.roots],
            "entries": [entry_json(e, notes) for e in report.entries],
            "notes": list(report.notes)}
    if own:
        document["warnings"] = notes
    return document


def flagged_json(row) -> dict:
    return {"student": row.student, "file": row.file, "needs_review": True, "reason": row.reason,
            "line": row.line, "where": row.where, "score": 0.0, "credit": 0.0}


def markdown(report) -> str:
    lines = [f"### {md(report.student)}", "", "| entry | student | correct | | reason |",
             "|---|---:|---:|:-:|---|"]
    for e in report.entries:
        lines.append(f"| {md(e.entry)}{'' if e.counted else ' (not counted)'} | "
                     f"{md(e.written.text) if e.written else ''} | "
                     f"{_n(e.correct, report.digits)} | "
                     f"{MARK[e.status]} | {md(_reason(e))} |")
    lines.append("")
    lines += [f"- root {i}: {md(r.kind)} at {md(r.where)}: {md(r.explanation)}"
              for i, r in enumerate(report.roots, start=1)]
    lines += [f"- {md(note)}" for note in report.notes]
    lines += ["", f"**Score:** {_score(report)} (rule: {md(report.rule)})", ""]
    return "\n".join(lines)


def csv_text(report, notes: list | None = None) -> str:
    """The entries as CSV; a note on each value written in exponent form goes to ``notes``
    (the command prints them on stderr)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["entry", "student", "correct", "status", "counted", "root", "diagnosis",
                     "text", "rule"])
    for e in report.entries:
        writer.writerow([safe_cell(e.entry), safe_cell(e.written.text) if e.written else "",
                         _csv_number(e.correct, notes), e.status,
                         "yes" if e.counted else "no",
                         "" if e.root is None else e.root + 1, e.kind or "",
                         safe_cell(e.text), report.rule])
    return out.getvalue()


# ----------------------------------------------------------------------------- the class

def _first_problem(report) -> str:
    if report.roots:
        r = report.roots[0]
        return f"{r.kind} at {r.where}" + (f" (+{len(report.roots) - 1} more)"
                                           if len(report.roots) > 1 else "")
    for e in report.entries:
        if e.status == "wrong" and e.counted:
            return f"{e.entry}: {e.kind}"
    return ""


def summary_lines(book) -> list:
    from collections import Counter
    wrong: Counter = Counter()
    missing: Counter = Counter()
    kinds: Counter = Counter()
    for report in book.reports:
        for e in report.entries:
            if e.counted and e.status in ("wrong", "follows"):
                wrong[e.entry] += 1
            elif e.counted and e.status == "missing":
                missing[e.entry] += 1
        for r in report.roots:
            kinds[r.kind] += 1
    lines = []
    for counter, words in ((wrong, "most often wrong"), (missing, "most often missing")):
        if counter:
            lines.append(f"{words}: " + ", ".join(f"{entry} ({count})"
                                                  for entry, count in counter.most_common(5)))
    if kinds:
        kind, count = kinds.most_common(1)[0]
        lines.append(f"most common root: {kind} ({count})")
    if book.flagged:
        lines.append(f"{plural(len(book.flagged), 'submission')} flagged for review (0 points): "
                     + ", ".join(printable(f.student) for f in book.flagged[:8])
                     + (" ..." if len(book.flagged) > 8 else ""))
    if not wrong and not missing and not book.flagged and book.reports:
        lines.append("every entry of every submission is right")
    return lines


def class_table(book):
    from rich import box
    from rich.console import Group
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("student", "score", "right", "follows", "wrong", "missing", "first root"):
        grid.add_column(column, justify="left" if column in ("student", "first root")
                        else "right")
    for row in book.rows:
        if isinstance(row, Flagged):
            grid.add_row(_text(row.student), "0", "", "", "", "", _text(f"{FLAG}: {row.reason}"),
                         style="magenta")
            continue
        grid.add_row(_text(row.student), _score(row), str(row.count("right")),
                     str(row.count("follows")), str(row.count("wrong")),
                     str(row.count("missing")), _text(_first_problem(row)),
                     style=None if row.all_right else "red")
    parts = [grid, _text(f"{len(book.reports)} graded, {len(book.flagged)} flagged; "
                         f"rule: {book.rule}", "bold")]
    parts += [_text(line) for line in summary_lines(book) + book.notes]
    return Group(*parts)


def class_json(book) -> dict:
    warnings: list = []
    students = [flagged_json(r) if isinstance(r, Flagged) else to_json(r, warnings)
                for r in book.rows]
    return {"problem": book.problem, "rule": book.rule,
            "follow_through": num.to_float(book.follow_through),
            "graded": len(book.reports), "flagged": len(book.flagged), "students": students,
            "summary": summary_lines(book), "notes": list(book.notes), "warnings": warnings}


def class_markdown(book) -> str:
    lines = ["| student | score | right | follows | wrong | missing | first root |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for row in book.rows:
        if isinstance(row, Flagged):
            lines.append(f"| {md(row.student)} | 0 | | | | | **{FLAG}:** {md(row.reason)} |")
            continue
        lines.append(f"| {md(row.student)} | {_score(row)} | {row.count('right')} | "
                     f"{row.count('follows')} | {row.count('wrong')} | {row.count('missing')} | "
                     f"{md(_first_problem(row))} |")
    lines += ["", f"*{len(book.reports)} graded, {len(book.flagged)} flagged; rule: "
                  f"{md(book.rule)}*", ""]
    lines += [f"- {md(line)}" for line in summary_lines(book) + book.notes]
    return "\n".join(lines) + "\n"


def gradebook(book) -> str:
    """One row per student: id, score, flag, counts, then each asked entry's status."""
    entries = book.entries
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "score", "needs_review", "reason", "variant", "right", "follows",
                     "wrong", "missing", "roots", "rule", *entries])
    for row in book.rows:
        if isinstance(row, Flagged):
            writer.writerow([safe_cell(row.student, False), "0.0000", "yes",
                             safe_cell(row.reason), "", "", "", "", "", "", book.rule,
                             *([""] * len(entries))])
            continue
        by_entry = {e.entry: e for e in row.entries}
        cells = []
        for entry in entries:
            e = by_entry.get(entry)
            cells.append("" if e is None else e.status if e.status in ("right", "missing")
                         else f"{e.status}: {e.kind}")
        roots = "; ".join(f"{r.kind} at {r.where}" for r in row.roots)
        writer.writerow([safe_cell(row.student, False), f"{num.to_float(row.score):.4f}", "no", "",
                         safe_cell(row.variant or ""), row.count("right"), row.count("follows"),
                         row.count("wrong"), row.count("missing"), safe_cell(roots),
                         row.rule, *[safe_cell(c) for c in cells]])
    return out.getvalue()


def flagged_lines(book) -> list:
    """One line per flagged submission, for stderr: every problem at once."""
    out = []
    for row in book.flagged:
        place = ", ".join(p for p in (row.file, f"line {row.line}" if row.line else None,
                                      f"at {row.where}" if row.where else None) if p)
        out.append(printable(f"{FLAG}: {row.student} ({place}): {row.reason}"))
    return out
