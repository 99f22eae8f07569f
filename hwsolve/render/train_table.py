"""Rich renderables for mini-batches, the update step and training runs.  Data in, renderable
out: every number was computed by the engine (the update arithmetic shown under ``--steps`` is
the optimizer's recorded before/gradient/after, with its state)."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hwsolve.render.common import fmt, head_summary
from hwsolve.render.plot import Panel, Series, terminal
from hwsolve.render.shown import change as shown_change
from hwsolve.render.titles import titled
from hwsolve.spec.shapes import flatten, indices, label as entry_label, shape_of


def _listed(value):
    if isinstance(value, tuple):
        return [_listed(v) for v in value]
    return value


def batch_table(batch, digits: int = 3) -> Group:
    """A row per example (inputs, Y, Ŷ, L, and the input gradients of the batch loss, named
    ``x@K`` in JSON, CSV and keys), then the batch L and the param gradients."""
    first = batch.runs[0]
    inputs = list(batch.problem.inputs)
    examples = Table(box=box.SQUARE, title="examples (∇ of the batch L)", title_justify="left")
    for head in ("#", "quantity", "value", "∇"):
        examples.add_column(head, justify="right", overflow="fold")
    for k, run in enumerate(batch.runs, start=1):
        label = batch.setups[k - 1].label
        rows = [(name, fmt(_listed(run.value_of(name)), digits),
                 fmt(batch.example_grad(k, name), digits)) for name in inputs]
        if label is not None:
            rows.append(("Y", fmt(_listed(label), digits), ""))
        rows += [("Ŷ", fmt(run.value_of("Yhat"), digits), ""),
                 ("L", fmt(run.loss, digits), "")]
        for position, (name, value, grad) in enumerate(rows):
            examples.add_row(str(k) if position == 0 else "", name, value, grad,
                             end_section=position == len(rows) - 1)
    what = "mean" if batch.reduction == "mean" else "sum"
    total = Table(box=box.SQUARE, title=f"batch of {len(batch.runs)}: L = {what} of the "
                  "examples' losses; every ∇ is of that L", title_justify="left")
    total.add_column("quantity", justify="right")
    total.add_column("value", justify="right", overflow="fold")
    total.add_row("L", fmt(batch.loss, digits))
    for name, value in batch.grad.items():
        total.add_row(f"∇{name}", fmt(value, digits))
    summary = head_summary(first.solution(batch.problem, batch.setup))
    parts = [Text(batch.problem.title, style="bold"), titled(examples), titled(total),
             Text(summary.split(", Y = ")[0], style="dim")]
    parts += [Text(f"note: {w}", style="yellow") for w in _warnings(batch)]
    return Group(*parts)


def _warnings(batch) -> list:
    from hwsolve.render.train_text import batch_warnings
    return batch_warnings(batch)


def batch_work(batch, digits: int = 3) -> Text:
    """``--steps`` on a batch: each param entry's gradient as the mean (sum) of the
    examples' own gradients, with the numbers."""
    n = len(batch.runs)
    lines = ["Batch gradients (each example's own dL_k/dp, then the "
             + ("mean" if batch.reduction == "mean" else "sum") + ")"]
    for name, value in batch.grad.items():
        shape = shape_of(value)
        for position, index in enumerate(indices(shape)):
            own = [flatten(run.grad_of(name))[position] for run in batch.runs]
            entry = entry_label(name, index)
            terms = " + ".join(fmt(g, digits) for g in own)
            body = f"({terms})/{n}" if batch.reduction == "mean" else terms
            lines.append(f"  dL/d{entry} = {body} = {fmt(flatten(value)[position], digits)}")
    return Text("\n".join(lines))


def update_table(run, digits: int = 3, show_steps: bool = False) -> Group:
    """Every param entry before the first step, its gradient and after; then L before → after.
    With more steps: L at chosen steps, the final params and the curve."""
    config = run.config
    settings = ", ".join(f"{k} = {fmt(_listed(v), digits)}" for k, v in
                         config.describe().items())
    k = config.steps
    parts = [Text(f"Training: {config.optimizer} ({settings}), {k} step{'s' * (k != 1)}",
                  style="bold")]
    if k >= 1 and run.steps:
        step = run.steps[0]
        title = "the update step" if k == 1 else "step 1"
        table = Table(box=box.SQUARE, title=title, title_justify="left")
        for head in ("param", "before", "∇", "after"):
            table.add_column(head, justify="right")
        for name in step.before:
            for b, g, a, index in zip(flatten(step.before[name]), flatten(step.grad[name]),
                                      flatten(step.after[name]),
                                      indices(shape_of(step.before[name]))):
                b_text, a_text = shown_change(b, a, digits)   # never 0.15 → 0.15
                table.add_row(entry_label(name, index), b_text, fmt(g, digits), a_text)
        parts.append(titled(table))
    if show_steps:
        parts.append(update_work(run, digits))
    if k > 1:
        parts.append(titled(loss_table(run, digits)))
        final = Table(box=box.SQUARE, title=f"params after step {k}", title_justify="left")
        final.add_column("param", justify="right")
        final.add_column("value", justify="right")
        for name, value in run.params.items():
            final.add_row(name, fmt(value, digits))
        parts.append(titled(final))
    yhat = run.yhats[-1]
    shown = fmt(yhat[0], digits) if len(yhat) == 1 else \
        ", ".join(f"Ŷ@{i} = {fmt(y, digits)}" for i, y in enumerate(yhat, start=1))
    prefix = "Ŷ = " if len(yhat) == 1 else ""
    parts.append(Text(f"after step {k}: {prefix}{shown}"))
    first, last = shown_change(run.losses[0], run.losses[-1], digits)
    parts.append(Text(f"L: {first} → {last}",
                      style="bold"))
    parts += [Text(f"note: {note}", style="yellow") for note in run.notes]
    return Group(*parts)


def shown_steps(total: int, every: int | None = None) -> list:
    """The steps whose L is listed: the first five, every n-th (about 10 rows), the last."""
    every = every or max(1, total // 10)
    chosen = set(range(min(total, 5) + 1)) | set(range(0, total + 1, every)) | {total}
    return sorted(chosen)


def loss_table(run, digits: int = 3) -> Table:
    table = Table(box=box.SQUARE, title="L by step (0: before training)", title_justify="left")
    table.add_column("step", justify="right")
    table.add_column("L", justify="right")
    for step in shown_steps(len(run.losses) - 1):
        table.add_row(str(step), fmt(run.losses[step], digits))
    return table


def loss_panels(run) -> list:
    """The curve as plot panels (floats for drawing only; the table holds the numbers)."""
    from hwsolve import num
    points = [(step, num.to_float(loss)) for step, loss in run.losses.items()]
    return [Panel("training loss", [Series("L", points)], y_label="L")]


def loss_plot(run, width: int = 72) -> Text:
    return Text(terminal(loss_panels(run), width=min(width, 100), height=12))


def update_work(run, digits: int = 3) -> Text:
    """``--steps``: the update arithmetic per entry for the recorded steps, with the state of a
    stateful optimizer before and after (:mod:`hwsolve.render.train_work`)."""
    from hwsolve.render.train_work import plain_lines
    return Text("\n".join(plain_lines(run, digits)))
