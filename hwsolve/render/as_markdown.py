"""``--format markdown``: the answer table, and the work in GitHub math blocks."""

from __future__ import annotations

from hwsolve.render import common


def render(solution, work, options) -> str:
    text = common.markdown(solution, options.digits)
    if work is not None:
        from hwsolve.render import steps as render_steps
        text += render_steps.markdown(work, options.digits, work=options.show_steps)
    return text
