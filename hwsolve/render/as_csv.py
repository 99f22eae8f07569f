"""``--format csv``: one header row and one row of full-precision numbers."""

from __future__ import annotations

from hwsolve.render import common


def render(solution, work, options) -> str:
    return common.csv_text(solution, options.notes)
