"""Mini-batches and training runs as JSON, CSV (the batch, and the ``--history`` file) and
Markdown.  Data in, text out: every number is the solver's; nothing here computes one (the
history's Ŷ and L are those the training run recorded).

Entry naming: an example's own quantity is written ``NAME@K`` (``x@2``, ``x[1]@2``,
``Yhat@3``, ``L@1``): NAME as everywhere, ``@K`` the example, numbered from 1 in input order.
"""

from __future__ import annotations

import csv
import io

from hwsolve.render import numbers, usertext
from hwsolve.render.common import fmt, head_summary
from hwsolve.spec.shapes import flatten, indices, label as entry_label, shape_of


def _jv(notes: list, value, where: str, suffix: str = ""):
    return numbers.json_value(_listed(value), where, notes, suffix)


def entry_names(name: str, value) -> list:
    """``name`` per entry of ``value`` (nested lists), row-major."""
    return [entry_label(name, index) for index in indices(shape_of(value))]


def at(name: str, k: int) -> str:
    return f"{name}@{k}"


# ----------------------------------------------------------------------------- JSON

def batch_json(batch) -> dict:
    """The batch: ``values`` (params, constants, the batch L), ``grad`` (params: of the batch
    loss) and ``examples`` (each example's values, and its gradients of the batch loss)."""
    problem = batch.problem
    notes: list = []   # values beyond float range, written in exponent form
    first = batch.runs[0]
    values = {name: _jv(notes, first.value_of(name), name)
              for name in [*problem.params, *problem.constants]}
    values["L"] = _jv(notes, batch.loss, "L")
    examples = []
    graph = first.runner.graph
    grad_names = [s.name for s in graph.slots if s.kind in ("input", "node", "yhat")]
    value_names = [s.name for s in graph.slots if s.kind in ("input", "node", "yhat", "loss")]
    for k, run in enumerate(batch.runs, start=1):
        examples.append({
            "label": None if batch.setups[k - 1].label is None
            else numbers.json_label(batch.setups[k - 1].label, at("label", k), notes),
            "values": {n: _jv(notes, run.value_of(n), n, f"@{k}")
                       for n in dict.fromkeys(value_names)},
            "grad": {n: _jv(notes, batch.example_grad(k, n), f"grad {n}", f"@{k}")
                     for n in dict.fromkeys(grad_names)},
        })
    return {
        "problem": problem.name,
        "title": problem.title,
        "activation": batch.setup.activation,
        "loss": batch.setup.loss,
        "reduction": batch.reduction,
        "values": values,
        "grad": {name: _jv(notes, v, f"grad {name}") for name, v in batch.grad.items()},
        "examples": examples,
        "warnings": batch_warnings(batch) + numbers.summarized(notes),
    }


def batch_warnings(batch) -> list:
    seen: dict = {}
    for k, run in enumerate(batch.runs, start=1):
        for node, notes in zip(run.runner.graph.programs, run.kinks):
            for note in notes:
                seen.setdefault(f"{node.label}@{k}: {note}", None)
    for warning in batch.setup.warnings:
        seen.setdefault(warning, None)
    return list(seen)


def train_json(run) -> dict:
    """``"train"``: optimizer, its settings, steps, every L (before step 1, after each step)
    and the params after the last step."""
    config = run.config
    notes: list = []
    settings = {}
    for key, value in config.describe().items():
        settings[key] = _jv(notes, list(value) if isinstance(value, tuple) else value,
                            f"train.{key}")
    losses = run.losses
    kept = {} if losses.dense else {"loss_steps": list(losses.steps)}
    if not losses.dense:
        notes.append(f"loss lists L at {len(losses.steps)} of the {config.steps + 1} steps "
                     "(loss_steps says which); --history FILE writes every step")
    notes += run.notes
    loss = [_jv(notes, x, f"train.loss: L after step {step}" if step else
                "train.loss: L before training") for step, x in losses.items()]
    return {"optimizer": config.optimizer, **settings, "steps": config.steps,
            "loss": loss, **kept,
            "params": {name: _jv(notes, v, f"train.params.{name}")
                       for name, v in run.params.items()},
            **({"notes": numbers.summarized(notes)} if notes else {})}


# ----------------------------------------------------------------------------- CSV

def batch_csv(batch, notes: list | None = None) -> str:
    """A row per example (its inputs, label, Ŷ, L and input gradients of the batch loss), then
    a row ``batch`` with the batch L and the param gradients.  A value beyond float range is
    written in exponent form, with a sentence in ``notes``."""
    first = batch.runs[0]
    inputs = list(batch.problem.inputs)
    names = ["example"]
    for name in inputs:
        names += entry_names(name, first.value_of(name))
    names += entry_names("Yhat", first.value_of("Yhat")) + ["L"]
    for name in inputs:
        names += entry_names(f"dL/d{name}", first.value_of(name))
    for name, value in batch.grad.items():
        names += entry_names(f"dL/d{name}", value)
    rows = []
    width = len(names)
    for k, run in enumerate(batch.runs, start=1):
        row = [str(k)]
        for name in inputs:
            row += _cells(run.value_of(name), name, notes, f"@{k}")
        row += _cells(run.value_of("Yhat"), "Yhat", notes, f"@{k}")
        row += _cells(run.loss, "L", notes, f"@{k}")
        for name in inputs:
            row += _cells(batch.example_grad(k, name), f"dL/d{name}", notes, f"@{k}")
        rows.append(row + [""] * (width - len(row)))
    last = ["batch"] + [""] * (width - 1)
    position = names.index("L")
    last[position] = _cells(batch.loss, "L", notes)[0]
    start = width - sum(len(flatten(v)) for v in batch.grad.values())
    cells = [x for name, v in batch.grad.items() for x in _cells(v, f"dL/d{name}", notes)]
    for i, x in enumerate(cells):
        last[start + i] = x
    rows.append(last)
    return _csv([names, *rows])


def history_csv(run, notes: list | None = None) -> str:
    """``step,L,Yhat…``: step 0 is before training, step t after t updates; one Ŷ column per
    output entry (``Yhat[2]``), with ``@K`` per example in a batch.  ``hwsolve curves`` reads
    ``step`` as the epoch and ``L`` as the training loss.  (A run too long to keep every step
    lists the steps it kept; :func:`history_header` and :func:`history_row` write every step
    as it is computed.)"""
    rows = [history_header(run.yhats[0])]
    for (step, loss), (_, yhats) in zip(run.losses.items(), run.yhats.items()):
        rows.append(history_row(step, loss, yhats, notes))
    return _csv(rows)


def history_header(first: list) -> list:
    """The column names of the history CSV, from the first step's Ŷ per example."""
    many = len(first) > 1
    names = ["step", "L"]
    for k, yhat in enumerate(first, start=1):
        for name in entry_names("Yhat", yhat):
            names.append(at(name, k) if many else name)
    return names


def history_row(step: int, loss, yhats: list, notes: list | None = None) -> list:
    """One step's row: a value beyond float range in exponent form, with a note naming it."""
    many = len(yhats) > 1
    row = [str(step)] + _cells(loss, "L", notes, f" at step {step}")
    for k, yhat in enumerate(yhats, start=1):
        row += _cells(yhat, "Yhat", notes, f"@{k} at step {step}" if many else
                      f" at step {step}")
    return row


def _cells(value, where: str, notes: list | None, suffix: str = "") -> list:
    """Every entry as a CSV cell (:mod:`hwsolve.render.numbers`: exponent form beyond float
    range, with a note)."""
    return numbers.csv_cells(_listed(value), where, notes, suffix)


def _csv(rows: list) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


# ----------------------------------------------------------------------------- Markdown

def batch_markdown(batch, digits: int = 3) -> str:
    first = batch.runs[0]
    inputs = list(batch.problem.inputs)
    n = len(batch.runs)
    head = ["example", *inputs, "Y", "Ŷ", "L", *(f"∇{name}" for name in inputs)]
    lines = [f"### {usertext.markdown(batch.problem.title)}", "",
             "| " + " | ".join(head) + " |", "|" + "|".join("---:" for _ in head) + "|"]
    for k, run in enumerate(batch.runs, start=1):
        label = batch.setups[k - 1].label
        cells = [str(k), *(fmt(_listed(run.value_of(name)), digits) for name in inputs),
                 fmt(_listed(label), digits) if label is not None else "",
                 fmt(run.value_of("Yhat"), digits), fmt(run.loss, digits),
                 *(fmt(batch.example_grad(k, name), digits) for name in inputs)]
        lines.append("| " + " | ".join(cells) + " |")
    shown = ["L", *batch.grad]
    what = "mean" if batch.reduction == "mean" else "sum"
    lines += ["", f"Batch of {n} examples, L = {what} of the examples' losses:", "",
              "| " + " | ".join(c if c == "L" else f"∇{c}" for c in shown) + " |",
              "|" + "|".join("---:" for _ in shown) + "|",
              "| " + " | ".join([fmt(batch.loss, digits),
                                 *(fmt(v, digits) for v in batch.grad.values())]) + " |",
              "", f"*{head_summary(first.solution(batch.problem, batch.setups[0]))}*"]
    del first
    return "\n".join(lines) + "\n"


def train_markdown(run, digits: int = 3) -> str:
    config = run.config
    settings = ", ".join(f"{k} = {fmt(_listed(v), digits)}" for k, v in config.describe().items())
    lines = ["", f"### Training: {config.optimizer} ({settings}), {config.steps} "
             f"step{'s' if config.steps != 1 else ''}", "",
             "| param | before | ∇ | after |", "|---|---:|---:|---:|"]
    before = run.first.params
    for name, value in run.params.items():
        grad = run.first.grad[name]
        lines.append(f"| {name} | {fmt(_listed(before[name]), digits)} | "
                     f"{fmt(grad, digits) if config.steps == 1 else '(step 1) ' + fmt(grad, digits)}"
                     f" | {fmt(value, digits)} |")
    from hwsolve.render import shown
    first, last = shown.change(run.losses[0], run.losses[-1], digits)
    lines += ["", f"L: {first} → {last} after "
              f"{config.steps} step{'s' if config.steps != 1 else ''}"]
    lines += [f"\n*note: {note}*" for note in run.notes]
    return "\n".join(lines) + "\n"


def _listed(value):
    if isinstance(value, tuple):
        return [_listed(v) for v in value]
    return value
