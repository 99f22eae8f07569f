"""Text renderers: a solved problem in, Markdown, CSV or the JSON document out, plus the
pieces every renderer shares.  Nothing here computes a value; it only selects, rounds and lays
out what the solver produced.  (Rich renderables live in :mod:`hwsolve.render.table`, so that JSON,
Markdown and CSV output and the Python API never pay for importing rich.)"""

from __future__ import annotations

import csv
import io

from hwsolve import num
from hwsolve.render import numbers, usertext
from hwsolve.engine.solve import Solution
from hwsolve.spec.shapes import entry_name, flatten, indices, label as entry_label, shape_of
from hwsolve.spec import conventions
from hwsolve.spec.vocab import LOSSES

HEADERS = {"Yhat": "Ŷ", "L": "L"}


# ----------------------------------------------------------------------------- shared pieces

def fmt(value, digits: int) -> str:
    """A scalar, a vector as ``[-0.138, 1.38]``, a matrix as ``[[1, 2], [3, 4]]``."""
    if isinstance(value, list):
        return "[" + ", ".join(fmt(x, digits) for x in value) + "]"
    return num.fmt_sig(value, digits)


def forward_only(solution: Solution) -> bool:
    """loss: none on a vector output without output_grad: values, and no gradients."""
    return bool(getattr(solution.head_slots, "forward_only", False))


FORWARD_ONLY = ("forward only: loss: none on a vector output without output_grad, so every "
                "value is shown and no gradient is computed")


def columns(solution: Solution) -> list:
    """The answer table's columns; L only where there is a loss; the nodes' values for a
    forward-only problem."""
    if forward_only(solution):
        return ["Yhat"] + [node.name for node in solution.problem.nodes]
    return [c for c in solution.problem.columns if c != "L" or "L" in solution.values]


def column_value(solution: Solution, column: str):
    if column in ("Yhat", "L") or forward_only(solution):
        return solution.values[column]
    base, index = entry_name(column)
    value = solution.grad[base]
    if index is None:
        return value
    if isinstance(index, int):
        return value[index - 1]
    for i in index:
        value = value[i - 1]
    return value


def header(column: str, solution: Solution | None = None) -> str:
    if solution is not None and forward_only(solution):
        return HEADERS.get(column, column)
    return HEADERS.get(column, f"∇{column}")


def head_summary(solution: Solution) -> str:
    setup = solution.setup
    if forward_only(solution):
        return f"{setup.activation} output, {FORWARD_ONLY}"
    if setup.loss == "none":
        parts = [f"{setup.activation} output", "no loss: every gradient is of Ŷ"]
        if setup.output_grad is not None and isinstance(setup.output_grad, tuple):
            parts[-1] = f"no loss: gradients of Ŷ seeded with {fmt(list(setup.output_grad), 12)}"
    else:
        loss = f"{setup.loss} loss" if setup.loss in LOSSES else f"loss {setup.loss}"
        parts = [f"{setup.activation} output", loss]
        if setup.class_index is not None:
            parts.append(f"class {setup.class_index}")
        elif setup.label is not None:
            parts.append(f"Y = {fmt(_listed(setup.label), 12)}")
    if setup.variant:
        parts.insert(0, f"variant {setup.variant}")
    problem = solution.problem
    if conventions.matters(problem, setup.loss):
        parts.append(conventions.summary(problem.conventions))
    return ", ".join(parts)


# ----------------------------------------------------------------------------- text formats

def _listed(value):
    """A spec value (tuples) as the nested lists the formatters take."""
    if isinstance(value, tuple):
        return [_listed(v) for v in value]
    return value


def markdown(solution: Solution, digits: int = 3) -> str:
    shown = columns(solution)
    lines = [f"### {usertext.markdown(solution.problem.title)}", "",
             "| " + " | ".join(header(c, solution) for c in shown) + " |",
             "|" + "|".join("---:" for _ in shown) + "|",
             "| " + " | ".join(fmt(column_value(solution, c), digits) for c in shown) + " |",
             "", f"*{head_summary(solution)}*"]
    lines += [f"\n> **Note:** {warning}" for warning in solution.warnings]
    return "\n".join(lines) + "\n"


def csv_text(solution: Solution, notes: list | None = None) -> str:
    """One header row and one row of full-precision numbers; vectors take one column per entry.
    A value beyond float range is written in exponent form (a sentence is added to ``notes``)."""
    names, row = [], []
    for column in columns(solution):
        value = column_value(solution, column)
        name = column if column in HEADERS else f"dL/d{column}"
        if isinstance(value, list):
            shape = shape_of(value)
            for index, x in zip(indices(shape), flatten(value)):
                entry = entry_label(name, index)
                names.append(entry)
                row.append(numbers.csv_number(x, entry, notes))
        else:
            names.append(name)
            row.append(numbers.csv_number(value, name, notes))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerow(row)
    return out.getvalue()


def _json_value(value, where: str, notes: list):
    return numbers.json_value(value, where, notes)


def _json_label(value, notes: list):
    return numbers.json_label(value, "label", notes)


def to_json(solution: Solution) -> dict:
    """The ``--format json`` document (see the README for its fields)."""
    label = solution.setup.label
    notes: list = []
    return {
        "problem": solution.problem.name,
        "title": solution.problem.title,
        "activation": solution.setup.activation,
        "loss": solution.setup.loss,
        "label": None if label is None else _json_label(label, notes),
        "values": {name: _json_value(v, name, notes) for name, v in solution.values.items()},
        "grad": {} if forward_only(solution) else
        {name: _json_value(v, f"grad {name}", notes) for name, v in solution.grad.items()},
        "warnings": list(solution.warnings) + numbers.summarized(notes),
        "accuracy": {"values": _accuracy(solution.values), "grad": _accuracy(solution.grad)},
    }


def _accuracy(table: dict) -> dict:
    """name -> the certified bound on the relative error of its value, for every name whose
    value (or, for a tensor, any entry: the largest bound over them) is not exact."""
    found = {}
    for name, value in table.items():
        bound = None
        for entry in (flatten(value) if isinstance(value, (list, tuple)) else (value,)):
            error = num.relative_error(entry)
            if error is not None and (bound is None or error > bound):
                bound = error
        if bound is not None:
            found[name] = bound
    return found
