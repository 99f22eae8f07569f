"""Jupyter and REPL displays of every result: a solution, a batch, a training run, a grade report,
a gradebook, an info table, a curves diagnosis and a proof.

Each result class has ``__repr__`` / ``_repr_markdown_`` (and ``_repr_html_``) methods that import
this module inside the method, when a display is asked for.  That was chosen over registering
IPython formatters from :mod:`hwsolve.api`: a method works for a result however it was made
(``hwsolve.engine.solve.solve`` directly, a plain ``python`` REPL, a notebook that never imported
``hwsolve.api``), needs no IPython at import time and changes no global state, while the engine
and the teach stage still never import a renderer at import time (a test checks it).

``hwsolve.api.show(solution, steps=True)`` returns a :class:`SolutionDisplay` with the work.
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
        columns = common.columns(s)   # no L column with loss: none
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

    def __repr__(self):
        text = solution_repr(self.solution)
        return text if self.steps is None else text[:-1] + ", with the work>"

    def _repr_latex_(self):
        from hwsolve.render import steps as render_steps
        return render_steps.latex(self.solution, self.steps, self.digits, False,
                                  work=self.show_steps)


# ----------------------------------------------------------------------------- every result
# The result classes (Solution, BatchSolution, TrainRun, Report, Gradebook) call these from
# their own _repr_*_ methods, importing this module only when Jupyter asks: the engine and the
# teach stage never import a renderer at import time.

def _n(value, digits: int = 3) -> str:
    return common.fmt(_listed(value), digits)


def _listed(value):
    if isinstance(value, tuple):
        return [_listed(v) for v in value]
    return value


def solution_repr(s) -> str:
    parts = [f"Ŷ={_n(_listed(s.values['Yhat']))}"]
    if "L" in s.values:
        parts.append(f"L={_n(s.values['L'])}")
    count = len(s.grad)
    parts.append(f"{count} gradient{'' if count == 1 else 's'}")
    return f"<Solution {s.problem.name}: {', '.join(parts)}>"


def solution_html(s, digits: int = 3) -> str:
    return SolutionDisplay(s, digits=digits)._repr_html_()


def solution_markdown(s, digits: int = 3) -> str:
    return common.markdown(s, digits)


def batch_repr(b) -> str:
    n = len(b.runs)
    return (f"<BatchSolution {b.problem.name}: {n} example{'' if n == 1 else 's'}, "
            f"L={_n(b.loss)} ({b.reduction})>")


def batch_markdown(b, digits: int = 3) -> str:
    from hwsolve.render.train_text import batch_markdown as render
    return render(b, digits)


def train_repr(run) -> str:
    steps = run.config.steps
    return (f"<TrainRun {run.config.optimizer}: {steps} step{'' if steps == 1 else 's'}, "
            f"L {_n(run.losses[0])} → {_n(run.losses[-1])}>")


def train_markdown(run, digits: int = 3) -> str:
    from hwsolve.render.train_text import train_markdown as render
    return render(run, digits).lstrip("\n")


def report_repr(report) -> str:
    return (f"<Report {report.student}: score {_n(report.credit, 6)}/{report.total}, "
            f"rule {report.rule}>")


def report_markdown(report) -> str:
    from hwsolve.render.grade import markdown
    return markdown(report)


def book_repr(book) -> str:
    graded, flagged = len(book.reports), len(book.flagged)
    return (f"<Gradebook {book.problem}: {graded} graded, {flagged} flagged, "
            f"rule {book.rule}>")


def book_markdown(book) -> str:
    from hwsolve.render.grade import class_markdown
    return class_markdown(book)


def info_repr(info) -> str:
    count = info.learned_scalars
    return (f"<Info {info.problem.name}: {count} learned scalar{'' if count == 1 else 's'}, "
            f"{len(info.hyperparameters)} hyper-parameter"
            f"{'' if len(info.hyperparameters) == 1 else 's'}>")


def proof_repr(proof) -> str:
    return f"<Proof {proof.left_text} = {proof.right_text}: {proof.verdict}>"


def diagnosis_repr(d) -> str:
    at = "" if d.epoch is None else f", best epoch {_n(d.epoch)}"
    return f"<Diagnosis {d.curves.file}: {d.diagnosis.replace('_', ' ')}{at}>"
