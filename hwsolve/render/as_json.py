"""``--format json``: every value and gradient at full precision, with the work when asked."""

from __future__ import annotations

from hwsolve.render import common


def render(solution, work, options) -> str:
    document = common.to_json(solution)
    if work is not None:
        from hwsolve.render import steps as render_steps
        document["closed_forms"] = render_steps.closed_forms_json(work)
        if options.show_steps:
            document["steps"] = render_steps.to_json(work, options.digits)
    from hwsolve.render.numbers import dumps  # writes values beyond float range exactly
    return dumps(document) + "\n"
