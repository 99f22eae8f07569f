"""The default format: rich tables for the terminal (answer table, --values, the work)."""

from __future__ import annotations

from hwsolve.render.titles import titled
from hwsolve.render import table as tables


def render(solution, work, options) -> list:
    parts = [tables.answer_table(solution, options.digits, options.width)]
    if options.show_values:
        parts.append(tables.values_table(solution, options.digits, options.width))
    if work is not None:
        from hwsolve.render import steps as render_steps
        parts.append(render_steps.terminal(work, options.digits, options.width)
                     if options.show_steps else titled(render_steps.closed_forms_table(
                         work, options.digits)))
    return parts
