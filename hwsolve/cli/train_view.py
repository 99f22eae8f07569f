"""``--values`` and ``--exact`` for mini-batches and training runs.

Both describe one problem's forward pass (every value with its exact form and gradient; the
closed forms of its irrational values).  They are honoured wherever the output shows one
problem — a problem without examples (trained or not), or ``--example K`` of a batch — and
refused with the reason and the way to get them on a whole batch, whose table has one row per
example.  The values are those before the first training step, like the answer table above
the update.
"""

from __future__ import annotations

import click

from hwsolve.errors import HwsolveError


def options() -> tuple:
    """(--values, --exact) as given to ``hwsolve solve`` (False outside the command line)."""
    context = click.get_current_context(silent=True)
    params = context.params if context is not None else {}
    return bool(params.get("show_values")), bool(params.get("exact"))


def check(problem, example, fmt: str) -> None:
    """Refuse what a batch or a training run cannot show, before any work."""
    show_values, exact = options()
    if problem.examples and example is None:
        n = len(problem.examples)
        for flag, given, what in (("--values", show_values, "every forward value with its "
                                   "exact form and gradient"),
                                  ("--exact", exact, "the closed forms of the irrational "
                                   "values")):
            if given:
                raise HwsolveError(f"{flag} shows {what} of one problem, and this is a batch "
                                   f"of {n} examples, each with its own: add --example K (1 "
                                   f"to {n}) to see example K's", file=problem.file,
                                   where=flag)
    if exact and fmt == "latex":
        raise HwsolveError("--exact with --format latex of a batch or a training run is not "
                           "supported: use --format table, markdown or json for the closed "
                           "forms", file=problem.file, where="--exact")


def work(one, show_steps):
    """The shown work of ``one`` when --steps or --exact asks for it (None otherwise)."""
    _, exact = options()
    if not (show_steps or exact):
        return None
    from hwsolve.work import steps
    only = show_steps if isinstance(show_steps, str) and show_steps != "\0all" else None
    return steps.build(one, exact=exact, only=only)


def terminal(one, console, digits: int, show_steps) -> None:
    """The answer table of ``one``, then --values, then the work or the closed forms."""
    from hwsolve.render import as_table
    from hwsolve.render.formats import Options
    show_values, _ = options()
    for part in as_table.render(one, work(one, show_steps),
                                Options(digits, console.width, show_values, bool(show_steps))):
        console.print(part)


def json_document(one, show_steps, digits: int) -> dict:
    """The JSON document of ``one`` with its closed forms (--exact) and work (--steps)."""
    from hwsolve.render.common import to_json
    document = to_json(one)
    shown = work(one, show_steps)
    if shown is not None:
        from hwsolve.render import steps as render_steps
        document["closed_forms"] = render_steps.closed_forms_json(shown)
        if show_steps:
            document["steps"] = render_steps.to_json(shown, digits)
    return document


def markdown(one, show_steps, digits: int) -> str:
    """The Markdown of ``one`` with its closed forms (--exact) and work (--steps)."""
    from hwsolve.render import as_markdown
    from hwsolve.render.formats import Options
    return as_markdown.render(one, work(one, show_steps),
                              Options(digits, 80, False, bool(show_steps)))
