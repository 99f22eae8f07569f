"""Problem and answer sheets for ``hwsolve vary --sheet``: the variants' givens, nodes and the
table to fill in (no answers), and a separate answer sheet with the solver's table.  Markdown
and LaTeX; nothing is computed here."""

from __future__ import annotations

import re

from hwsolve.render import common


_PREAMBLE = ("\\documentclass{article}\n\\usepackage[margin=2cm]{geometry}\n"
             "\\usepackage{amsmath}\n\\begin{document}\n")


def _given(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_given(v) for v in value) + "]"
    return common.fmt(value, 12)


def _givens(variant) -> list:
    problem = variant.solution.problem
    items = []
    for table in (problem.inputs, problem.params, problem.constants):
        for name, value in table.items():
            items.append((name, _given(variant.values.get(name, value))))
    return items


def _head(variant) -> str:
    return common.head_summary(variant.solution)


def _entry_cells(variant) -> list:
    """The blank table's columns: one per entry of a vector or matrix."""
    from hwsolve.spec.shapes import indices, label, shape_of
    cells = []
    for column in common.columns(variant.solution):
        value = common.column_value(variant.solution, column)
        shape = shape_of(value)
        head = common.header(column, variant.solution)
        cells += [label(head, i) for i in indices(shape)] if shape else [head]
    return cells


def markdown_problems(variants: list) -> str:
    out = []
    for v in variants:
        problem = v.solution.problem
        out += [f"## {problem.title} (variant {v.number})", "",
                "**Given:** " + ", ".join(f"{n} = {t}" for n, t in _givens(v)), "",
                "**Nodes:**", ""]
        out += [f"- `{node.name} = {node.text}`" for node in problem.nodes]
        out += ["", f"**Output:** Ŷ from {problem.output}: {_head(v)}.", ""]
        cells = _entry_cells(v)
        out += ["| " + " | ".join(cells) + " |", "|" + "|".join("---" for _ in cells) + "|",
                "| " + " | ".join(" " for _ in cells) + " |", ""]
    return "\n".join(out)


def markdown_answers(variants: list, digits: int = 3) -> str:
    return "\n".join(common.markdown(v.solution, digits) for v in variants)


def _tex(text: str) -> str:
    from hwsolve.render.steps import tex_escape
    return tex_escape(text)


def _tex_name(cell: str) -> str:
    match = re.fullmatch(r"(∇?)([A-Za-z]+)([0-9]*)(\[.*\])?", cell)
    if cell == "Ŷ":
        return r"$\hat{Y}$"
    if not match:
        return _tex(cell)
    nabla, letters, digits, index = match.groups()
    body = letters + (f"_{{{digits}}}" if digits else "") + (index or "")
    prefix = "\\nabla " if nabla else ""
    return f"${prefix}{body}$"


def latex_problems(variants: list) -> str:
    out = [_PREAMBLE]
    for v in variants:
        problem = v.solution.problem
        out.append(f"\\section*{{{_tex(problem.title)} (variant {v.number})}}")
        out.append("Given: " + ", ".join(f"${_tex(n)} = {t}$" for n, t in _givens(v)) + ".")
        out.append("\\begin{itemize}")
        out += [f"\\item \\texttt{{{_tex(node.name)} = {_tex(node.text)}}}"
                for node in problem.nodes]
        out.append("\\end{itemize}")
        out.append(f"Output: $\\hat{{Y}}$ from {_tex(problem.output)}: {_tex(_head(v))}.\n")
        cells = _entry_cells(v)
        for start in range(0, len(cells), 8):
            chunk = cells[start:start + 8]
            out.append("\\par\\medskip\\begin{tabular}{|" + "c|" * len(chunk) + "}\\hline")
            out.append(" & ".join(_tex_name(c) for c in chunk) + " \\\\\\hline")
            out.append(" & ".join("\\rule{0pt}{5ex}\\hspace{5em}" for _ in chunk) +
                       " \\\\\\hline\n\\end{tabular}")
    out.append("\\end{document}\n")
    return "\n".join(out)


def latex_answers(variants: list, digits: int = 3) -> str:
    from hwsolve.render.steps import latex_table
    out = [_PREAMBLE]
    for v in variants:
        out.append(f"\\section*{{{_tex(v.solution.problem.title)} (variant {v.number})}}")
        out.append(latex_table(v.solution, digits))
    out.append("\\end{document}\n")
    return "\n".join(out)


