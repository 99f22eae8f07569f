"""``--format latex`` for mini-batches and training: the batch table, the update table (each
param entry before, its gradient, after; L before → after), the training summary (L at the
listed steps, the final params), and with ``--steps`` the batch gradients as means (sums) and
the update arithmetic per entry in ``align*``.

Names and tabulars come from :mod:`hwsolve.render.latex` (no SymPy); the update arithmetic
from :mod:`hwsolve.render.train_work`.  Data in, text out: nothing here computes a number.
"""

from __future__ import annotations

from hwsolve.render.common import fmt
from hwsolve.render.latex import document, latex_name, tex_escape
from hwsolve.spec.shapes import flatten, indices, label as entry_label, shape_of



class _Cell(str):
    """A cell's TeX with its estimated width in pt (see :mod:`hwsolve.render.texlayout`)."""
    width: float = 0.0


def _sized(tex: str, width: float) -> _Cell:
    out = _Cell(tex)
    out.width = width
    return out


def _width(cell: str) -> float:
    from hwsolve.render.texlayout import head_width
    return cell.width if isinstance(cell, _Cell) else head_width(cell)


def _listed(value):
    if isinstance(value, tuple):
        return [_listed(v) for v in value]
    return value


def _m(value, digits: int) -> str:
    """A value in math mode: a scalar, a vector ``[a, b]`` (broken after commas when too wide
    for the page) or a matrix as a bmatrix."""
    from hwsolve.render.texlayout import cell
    tex, width = cell(_listed(value), digits)
    return _sized("$" + tex + "$", width)


def _name(label: str) -> str:
    """``W1[1, 2]`` as ``W_{1}[1, 2]``, as the answer table and the work print it."""
    return latex_name(label)


def _tabular(heads: list, rows: list, align: str = "r") -> str:
    """Rows under ``heads``; columns that do not fit the page go to further tabulars, each
    repeating the first column."""
    from hwsolve.render.texlayout import split_rows
    return split_rows(heads, [_width(h) for h in heads],
                      [[(c, _width(c)) for c in row] for row in rows], align)


def _columns(heads: list, cells: list) -> str:
    """One row of values under ``heads``, stacked as tabulars that fit the page."""
    from hwsolve.render.texlayout import stacked
    return stacked(heads, [_width(h) for h in heads],
                   [(c[1:-1] if c.startswith("$") else c, _width(c)) for c in cells],
                   rules=True)


def batch_parts(batch, digits: int = 3) -> list:
    """Title, a row per example (inputs, Y, Ŷ, L, the inputs' gradients of the batch loss),
    then the batch L and the params' gradients."""
    inputs = list(batch.problem.inputs)
    labelled = any(s.label is not None for s in batch.setups)
    heads = ["\\#", *(f"${_name(n)}$" for n in inputs), *(["$Y$"] if labelled else []),
             r"$\hat{Y}$", "$L$", *(rf"$\nabla {_name(n)}$" for n in inputs)]
    rows = []
    for k, run in enumerate(batch.runs, start=1):
        label = batch.setups[k - 1].label
        rows.append([str(k), *(_m(run.value_of(n), digits) for n in inputs),
                     *([_m(label, digits) if label is not None else ""] if labelled else []),
                     _m(run.value_of("Yhat"), digits), _m(run.loss, digits),
                     *(_m(batch.example_grad(k, n), digits) for n in inputs)])
    what = "mean" if batch.reduction == "mean" else "sum"
    grads = list(batch.grad)
    parts = [f"% hwsolve {batch.problem.name}: a mini-batch (needs \\usepackage{{amsmath}})",
             rf"\subsection*{{{tex_escape(batch.problem.title)}}}",
             r"\noindent Examples (every $\nabla$ is of the batch $L$):",
             _tabular(heads, rows),
             rf"\noindent Batch of {len(batch.runs)}: $L$ is the {what} of the examples' "
             r"losses; every $\nabla$ is of that $L$.",
             _columns(["$L$", *(rf"$\nabla {_name(n)}$" for n in grads)],
                      [_m(batch.loss, digits), *(_m(batch.grad[n], digits) for n in grads)])]
    from hwsolve.render.train_text import batch_warnings
    parts += [rf"\par\noindent Note: {tex_escape(w)}" for w in batch_warnings(batch)]
    return parts


def batch_work_parts(batch, digits: int = 3) -> list:
    """``--steps`` on a batch: each param entry's gradient as the mean (sum) of the examples'
    own gradients, with the numbers."""
    n = len(batch.runs)
    rows = []
    for name, value in batch.grad.items():
        for position, index in enumerate(indices(shape_of(value))):
            own = [flatten(run.grad_of(name))[position] for run in batch.runs]
            terms = " + ".join(_factor(g, digits) for g in own)
            body = rf"\frac{{{terms}}}{{{n}}}" if batch.reduction == "mean" else terms
            rows.append(rf"\frac{{\partial L}}{{\partial {_name(entry_label(name, index))}}} "
                        rf"&= {body} = {fmt(flatten(value)[position], digits)}")
    what = "mean" if batch.reduction == "mean" else "sum"
    return [rf"\subsubsection*{{Batch gradients: the {what} of the examples' own gradients}}",
            "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"]


def _factor(x, digits: int) -> str:
    text = fmt(x, digits)
    return f"({text})" if text.startswith("-") else text


def train_parts(run, digits: int = 3, show_steps: bool = False) -> list:
    """The update table of step 1, with ``show_steps`` its arithmetic, and for more steps the
    L by step and the final params; then Ŷ after the last step and L before → after."""
    from hwsolve.render.train_table import shown_steps

    config = run.config
    settings = ", ".join(f"{_setting(k)} = {fmt(_listed(v), digits)}"
                         for k, v in config.describe().items())
    k = config.steps
    parts = [rf"\subsubsection*{{Training: {config.optimizer} (${settings}$), {k} "
             f"step{'s' * (k != 1)}}}"]
    if k >= 1 and run.steps:
        step = run.steps[0]
        rows = []
        for name in step.before:
            for b, g, a, index in zip(flatten(step.before[name]), flatten(step.grad[name]),
                                      flatten(step.after[name]),
                                      indices(shape_of(step.before[name]))):
                rows.append([f"${_name(entry_label(name, index))}$", f"${fmt(b, digits)}$",
                             f"${fmt(g, digits)}$", f"${fmt(a, digits)}$"])
        title = "The update step" if k == 1 else "Step 1"
        parts += [rf"\noindent {title}:",
                  _tabular(["param", "before", r"$\nabla$", "after"], rows)]
    if show_steps and run.steps:
        parts += update_work_parts(run, digits)
    if k > 1:
        parts += [r"\noindent $L$ by step (0: before training):",
                  _tabular(["step", "$L$"], [[str(s), f"${fmt(run.losses[s], digits)}$"]
                                              for s in shown_steps(len(run.losses) - 1)]),
                  rf"\noindent Params after step {k}:",
                  _tabular(["param", "value"], [[f"${_name(n)}$", _m(v, digits)]
                                                 for n, v in run.params.items()])]
    yhat = run.yhats[-1]
    shown = ", ".join((r"\hat{Y}" if len(yhat) == 1 else rf"\hat{{Y}}^{{({i})}}")
                      + f" = {fmt(_listed(y), digits)}" for i, y in enumerate(yhat, start=1))
    parts += [rf"\noindent After step {k}: ${shown}$.",
              rf"\par\noindent $L$: ${fmt(run.losses[0], digits)} \to "
              rf"{fmt(run.losses[-1], digits)}$."]
    if run.notes:
        from hwsolve.render.latex import tex_escape
        parts += [r"\par\noindent\textit{Note: " + tex_escape(note) + "}"
                  for note in run.notes]
    return parts


def _setting(key: str) -> str:
    return {"lr": r"\eta", "momentum": r"\mu", "weight_decay": r"\lambda",
            "betas": r"(\beta_1, \beta_2)", "eps": r"\varepsilon", "alpha": r"\alpha"}[key]


def update_work_parts(run, digits: int = 3) -> list:
    """The update arithmetic of the recorded steps, an ``align*`` per step."""
    from hwsolve.render.train_work import Tex, update_equations

    parts = []
    for number, entries in update_equations(run, Tex(digits)):
        rows = [eq for _, equations in entries for eq in equations]
        parts += [rf"\paragraph{{Step {number}}}",
                  "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"]
    return parts


def render(problem, solution, train_run, example, digits: int, show_steps: bool,
           standalone: bool) -> str:
    """The whole ``--format latex`` text of a batch (or one example) and its training."""
    if not problem.examples or example is not None:
        one = solution.example(example or 1)
        from hwsolve.render import latex as tex
        if show_steps:
            from hwsolve.render import steps as render_steps
            from hwsolve.work import steps
            body = render_steps.latex(one, steps.build(one), digits, False)
            parts = [body.rstrip("\n")]
        else:
            parts = tex.answer_parts(one, digits)
        if example is not None:
            parts.insert(1, rf"\noindent Example {example} of {len(solution.runs)} "
                         r"(its own loss and gradients).")
    else:
        parts = batch_parts(solution, digits)
        if show_steps:
            parts += batch_work_parts(solution, digits)
    if train_run is not None:
        parts += train_parts(train_run, digits, show_steps)
    body = "\n\n".join(parts) + "\n"
    return document(body) if standalone else body
