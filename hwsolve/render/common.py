"""Text renderers: a solved problem in, Markdown, CSV or the JSON document out, plus the
pieces every renderer shares.  Nothing here computes a value; it only selects, rounds and lays
out what the solver produced.  (Rich renderables live in :mod:`hwsolve.render.table`, so that JSON,
Markdown and CSV output and the Python API never pay for importing rich.)"""

from __future__ import annotations

import csv
import io

from hwsolve import num
from hwsolve.engine.solve import Solution

HEADERS = {"Yhat": "Ŷ", "L": "L"}


# ----------------------------------------------------------------------------- shared pieces

def fmt(value, digits: int) -> str:
    """A scalar, or a vector as ``[-0.138, 1.38]``."""
    if isinstance(value, list):
        return "[" + ", ".join(num.fmt_sig(x, digits) for x in value) + "]"
    return num.fmt_sig(value, digits)


def column_value(solution: Solution, column: str):
    if column == "Yhat":
        return solution.head.yhat
    if column == "L":
        return solution.head.loss
    return solution.grad[column]


def header(column: str) -> str:
    return HEADERS.get(column, f"∇{column}")


def head_summary(solution: Solution) -> str:
    setup = solution.setup
    parts = [f"{setup.activation} output", f"{setup.loss} loss", f"Y = {num.fmt_sig(setup.label, 12)}"]
    if setup.variant:
        parts.insert(0, f"variant {setup.variant}")
    return ", ".join(parts)


# ----------------------------------------------------------------------------- text formats

def markdown(solution: Solution, digits: int = 3) -> str:
    columns = solution.problem.columns
    lines = [f"### {solution.problem.title}", "",
             "| " + " | ".join(header(c) for c in columns) + " |",
             "|" + "|".join("---:" for _ in columns) + "|",
             "| " + " | ".join(fmt(column_value(solution, c), digits) for c in columns) + " |",
             "", f"*{head_summary(solution)}*"]
    lines += [f"\n> **Note:** {warning}" for warning in solution.warnings]
    return "\n".join(lines) + "\n"


def csv_text(solution: Solution, notes: list | None = None) -> str:
    """One header row and one row of full-precision numbers; vectors take one column per entry.
    A value beyond float range is written in exponent form (a sentence is added to ``notes``)."""
    names, row = [], []
    for column in solution.problem.columns:
        value = column_value(solution, column)
        label = column if column in HEADERS else f"dL/d{column}"
        if isinstance(value, list):
            names += [f"{label}[{i}]" for i in range(1, len(value) + 1)]
            row += [_csv_number(x, f"{label}[{i}]", notes) for i, x in enumerate(value, 1)]
        else:
            names.append(label)
            row.append(_csv_number(value, label, notes))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerow(row)
    return out.getvalue()


def _csv_number(x, where: str, notes: list | None) -> str:
    text, note = num.csv_token(x)
    if note and notes is not None:
        notes.append(f"{where}: {note}")
    return text


def _json_number(x, where: str, notes: list):
    token, note = num.json_token(x)  # beyond float range: exponent form, and a note
    if note:
        notes.append(f"{where}: {note}")
    return token


def _json_value(value, where: str, notes: list):
    if isinstance(value, list):
        return [_json_number(x, f"{where}[{i}]", notes) for i, x in enumerate(value, 1)]
    return _json_number(value, where, notes)


def to_json(solution: Solution) -> dict:
    """The ``--format json`` document (see the README for its fields)."""
    label = solution.setup.label
    notes: list = []
    return {
        "problem": solution.problem.name,
        "title": solution.problem.title,
        "activation": solution.setup.activation,
        "loss": solution.setup.loss,
        "label": int(label) if label.denominator == 1 else _json_number(label, "label", notes),
        "values": {name: _json_value(v, name, notes) for name, v in solution.values.items()},
        "grad": {name: _json_value(v, f"grad {name}", notes)
                 for name, v in solution.grad.items()},
        "warnings": list(solution.warnings) + notes,
    }
