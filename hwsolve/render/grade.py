"""Grade reports as text: a graded submission (or many) in, rich table, JSON, CSV or Markdown
out.  Nothing here computes: the verdicts, diagnoses and scores come from
:mod:`hwsolve.teach.grade`; this module only rounds and lays them out, linearly in their size."""

from __future__ import annotations

import csv
import io

from hwsolve import num

_MARK = {"right": "✓", "wrong": "✗", "carried": "→"}


def _n(x, digits: int = 4) -> str:
    if isinstance(x, str):  # issue 18: a closed form's correct answer is a form
        return x
    return num.fmt_sig(x, digits)


def _json_number(x):
    if isinstance(x, str):  # issue 18: a closed form's correct answer is a form
        return x
    value = num.to_float(x)
    return value if value == value and abs(value) != float("inf") else num.fmt_sig(x, 17)


def _reason(v, rule: str) -> str:
    if v.verdict == "right":
        return ""
    return f"{v.text} (rule: {rule})" if v.verdict == "wrong" else v.text


def _score(report) -> str:
    total = len(report.verdicts)
    return f"{_n(report.credit, 6)}/{total}"


# ----------------------------------------------------------------------------- one submission

def table(report, width: int = 100):
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"{report.student} ({report.file})")
    for column, justify in (("entry", "left"), ("student", "right"), ("correct", "right"),
                            ("", "center"), ("reason", "left")):
        grid.add_column(column, justify=justify, no_wrap=column != "reason")
    for v in report.verdicts:
        grid.add_row(v.entry, v.written.text, _n(v.correct), _MARK[v.verdict],
                     _reason(v, report.rule), style=None if v.verdict == "right" else "red")
    carried = sum(v.verdict == "carried" for v in report.verdicts)
    note = f" (an error carried forward counts {_n(report.follow_through)})" if carried else ""
    return Group(grid, Text(f"score {_score(report)}{note}; rule: {report.rule}",
                            style="bold"))


def entry_json(v) -> dict:
    document = {"entry": v.entry, "student": v.written.text, "correct": _json_number(v.correct),
                "verdict": v.verdict}
    if v.verdict != "right":
        document["diagnosis"] = {"kind": v.kind, "text": v.text}
        if v.roots:
            document["diagnosis"]["roots"] = list(v.roots)
    return document


def to_json(report) -> dict:
    return {"student": report.student, "file": report.file,
            "score": num.to_float(report.score), "credit": num.to_float(report.credit),
            "total": len(report.verdicts), "rule": report.rule,
            "entries": [entry_json(v) for v in report.verdicts]}


def markdown(report) -> str:
    lines = [f"### {report.student}", "", "| entry | student | correct | | reason |",
             "|---|---:|---:|:-:|---|"]
    for v in report.verdicts:
        reason = _reason(v, report.rule).replace("|", "\\|")
        lines.append(f"| {v.entry} | {v.written.text} | {_n(v.correct)} | {_MARK[v.verdict]} | "
                     f"{reason} |")
    lines += ["", f"**Score:** {_score(report)} (rule: {report.rule})", ""]
    return "\n".join(lines)


def csv_text(report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["entry", "student", "correct", "verdict", "diagnosis", "text"])
    for v in report.verdicts:
        writer.writerow([v.entry, v.written.text, (v.correct if isinstance(v.correct, str) else repr(num.to_float(v.correct))), v.verdict,
                         v.kind or "", v.text])
    return out.getvalue()


# ----------------------------------------------------------------------------- many students

def _counts(report) -> tuple:
    verdicts = [v.verdict for v in report.verdicts]
    return verdicts.count("right"), verdicts.count("carried"), verdicts.count("wrong")


def _first_problem(report) -> str:
    for v in report.verdicts:
        if v.verdict == "wrong":
            return f"{v.entry}: {v.kind}"
    for v in report.verdicts:
        if v.verdict == "carried":
            return f"{v.entry}: carried"
    return ""


def summary_lines(summary) -> list:
    lines = []
    if summary.most_wrong:
        lines.append("most often wrong: " + ", ".join(f"{entry} ({count})"
                                                      for entry, count in summary.most_wrong[:5]))
    if summary.diagnoses:
        kind, count = summary.diagnoses[0]
        lines.append(f"most common diagnosis: {kind} ({count})")
    if not lines:
        lines.append("every entry of every submission is right")
    return lines


def class_table(summary, rule: str):
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("student", "score", "right", "carried", "wrong", "first error"):
        grid.add_column(column, justify="left" if column in ("student", "first error")
                        else "right")
    for report in summary.reports:
        right, carried, wrong = _counts(report)
        grid.add_row(report.student, _score(report), str(right), str(carried), str(wrong),
                     _first_problem(report), style=None if report.all_right else "red")
    parts = [grid, Text(f"{len(summary.reports)} submission(s); rule: {rule}", style="bold")]
    parts += [Text(line) for line in summary_lines(summary)]
    return Group(*parts)


def class_json(summary, rule: str) -> dict:
    return {"rule": rule, "students": [to_json(r) for r in summary.reports],
            "summary": {"most_wrong": [{"entry": e, "count": c} for e, c in summary.most_wrong],
                        "diagnoses": [{"kind": k, "count": c} for k, c in summary.diagnoses]}}


def class_markdown(summary, rule: str) -> str:
    lines = ["| student | score | right | carried | wrong | first error |",
             "|---|---:|---:|---:|---:|---|"]
    for report in summary.reports:
        right, carried, wrong = _counts(report)
        lines.append(f"| {report.student} | {_score(report)} | {right} | {carried} | {wrong} | "
                     f"{_first_problem(report)} |")
    lines += ["", f"*{len(summary.reports)} submission(s); rule: {rule}*", ""]
    lines += [f"- {line}" for line in summary_lines(summary)]
    return "\n".join(lines) + "\n"


def gradebook(summary) -> str:
    """One row per student: id, score, counts, then each entry's verdict (and diagnosis)."""
    entries: list = []
    for report in summary.reports:
        for v in report.verdicts:
            if v.entry not in entries:
                entries.append(v.entry)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "score", "right", "carried", "wrong", *entries])
    for report in summary.reports:
        by_entry = {v.entry: v for v in report.verdicts}
        cells = []
        for entry in entries:
            v = by_entry.get(entry)
            cells.append("" if v is None else v.verdict if v.verdict == "right"
                         else f"{v.verdict}: {v.kind}")
        writer.writerow([report.student, f"{num.to_float(report.score):.4f}",
                         *_counts(report), *cells])
    return out.getvalue()
