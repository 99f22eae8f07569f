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


def csv_text(solution: Solution) -> str:
    """One header row and one row of full-precision numbers; vectors take one column per entry."""
    names, row = [], []
    for column in solution.problem.columns:
        value = column_value(solution, column)
        label = column if column in HEADERS else f"dL/d{column}"
        if isinstance(value, list):
            names += [f"{label}[{i}]" for i in range(1, len(value) + 1)]
            row += [repr(num.to_float(x)) for x in value]
        else:
            names.append(label)
            row.append(repr(num.to_float(value)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerow(row)
    return out.getvalue()


def _json_number(x):
    value = num.to_float(x)
    if value != value or value in (float("inf"), float("-inf")):
        return num.fmt_sig(x, 17)  # beyond float range: keep it readable rather than invalid JSON
    return value


def _json_value(value):
    if isinstance(value, list):
        return [_json_number(x) for x in value]
    return _json_number(value)


def to_json(solution: Solution) -> dict:
    """The ``--format json`` document (see the README for its fields)."""
    label = solution.setup.label
    return {
        "problem": solution.problem.name,
        "title": solution.problem.title,
        "activation": solution.setup.activation,
        "loss": solution.setup.loss,
        "label": int(label) if label.denominator == 1 else float(label),
        "values": {name: _json_value(v) for name, v in solution.values.items()},
        "grad": {name: _json_value(v) for name, v in solution.grad.items()},
        "warnings": list(solution.warnings),
    }
