"""``--format latex``: the answer table as tabulars (no SymPy, no rich), and with the work
the derivation in ``align*``."""

from __future__ import annotations


def render(solution, work, options) -> str:
    if work is None:
        from hwsolve.render import latex as render_latex  # the table alone: no SymPy, no rich
        return render_latex.answer(solution, options.digits, options.standalone)
    from hwsolve.render import steps as render_steps
    return render_steps.latex(solution, work, options.digits, options.standalone,
                              work=options.show_steps)
