"""Jupyter displays: a solved problem shows itself as its answer table (and its work).

``hwsolve.api.show(solution, steps=True)`` returns a :class:`SolutionDisplay`; Jupyter calls its
``_repr_html_`` / ``_repr_markdown_`` / ``_repr_latex_``.  The info table, a curves diagnosis
and a proof display themselves (their classes import :mod:`hwsolve.render.teach` lazily).
Only layout happens here; the work is built once, when asked for.
"""

from __future__ import annotations

import html

from hwsolve.render import common


class SolutionDisplay:
    def __init__(self, solution, *, steps: bool = False, exact: bool = False, digits: int = 3):
        self.solution = solution
        self.digits = digits
        self.show_steps = steps
        self.steps = None
        if steps or exact:
            from hwsolve.work import steps as work
            self.steps = work.build(solution, exact=exact)

    def _repr_html_(self):
        if self.steps is not None:
            return None  # the work is Markdown with math; let Jupyter use _repr_markdown_
        s = self.solution
        columns = common.columns(s)
        head = "".join(f"<th>{html.escape(common.header(c, s))}</th>" for c in columns)
        cells = "".join(f"<td>{html.escape(common.fmt(common.column_value(s, c), self.digits))}"
                        "</td>" for c in columns)
        notes = "".join(f"<p><b>Note:</b> {html.escape(w)}</p>" for w in s.warnings)
        return (f"<h4>{html.escape(s.problem.title)}</h4><table><thead><tr>{head}</tr></thead>"
                f"<tbody><tr>{cells}</tr></tbody></table>"
                f"<p><i>{html.escape(common.head_summary(s))}</i></p>{notes}")

    def _repr_markdown_(self):
        text = common.markdown(self.solution, self.digits)
        if self.steps is not None:
            from hwsolve.render import steps as render_steps
            text += render_steps.markdown(self.steps, self.digits, work=self.show_steps)
        return text

    def _repr_latex_(self):
        from hwsolve.render import steps as render_steps
        return render_steps.latex(self.solution, self.steps, self.digits, False,
                                  work=self.show_steps)
