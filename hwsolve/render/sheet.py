"""Problem and answer sheets for ``hwsolve vary --sheet``: per variant the question text, the
givens, the nodes and the table to fill in (no answers), and a separate answer sheet with the
solver's table.  Markdown and LaTeX; nothing is computed here.

Both sheets list the variants in the same order under the same headings ("Variant N: title");
the table to fill in asks for each column of the answer table as the answers give it (a whole
vector or matrix, with its shape), and in LaTeX every variant starts a new page with a name and
ID line (the student's id filled in for ``vary --roster``).  Every table is laid out by
:mod:`hwsolve.render.texlayout`, so that pdflatex never sets a box wider than the page.
"""

from __future__ import annotations

from hwsolve.render import common, texlayout, usertext

_PREAMBLE = ("\\documentclass[11pt]{article}\n\\usepackage[margin=2cm]{geometry}\n"
             "\\usepackage{amsmath}\n\\setlength{\\parindent}{0pt}\n\\sloppy\n"
             "\\begin{document}\n")
_BLANK_ENTRY = 33.0  # pt of blank space per entry to be written by hand (3em at 11pt)


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


def _heading(variant) -> str:
    return f"Variant {variant.number}: {variant.solution.problem.title}"


def _shape(variant, column: str) -> tuple:
    from hwsolve.spec.shapes import shape_of
    return shape_of(common.column_value(variant.solution, column))


def _shape_words(shape: tuple) -> str:
    if not shape:
        return ""
    if len(shape) == 1:
        return f"vector of {shape[0]}"
    return f"{shape[0]}×{shape[1]} matrix"


# ----------------------------------------------------------------------------- Markdown

def markdown_problems(variants: list) -> str:
    out = []
    for v in variants:
        problem = v.solution.problem
        out += [f"## {usertext.markdown(_heading(v))}", "", _id_line(v), ""]
        if problem.description:
            out += [usertext.markdown(problem.description), ""]
        out += ["**Given:** " + ", ".join(f"{n} = {t}" for n, t in _givens(v)), "",
                "**Nodes:**", ""]
        out += [f"- `{node.name} = {node.text}`" for node in problem.nodes]
        out += ["", f"**Output:** Ŷ from {problem.output}: {common.head_summary(v.solution)}.",
                "", "Fill in every column (a vector or matrix whole, as shown):", ""]
        cells = []
        for column in common.columns(v.solution):
            words = _shape_words(_shape(v, column))
            cells.append(common.header(column) + (f" ({words})" if words else ""))
        out += ["| " + " | ".join(cells) + " |", "|" + "|".join("---" for _ in cells) + "|",
                "| " + " | ".join(" " for _ in cells) + " |", "", "---", ""]
    return "\n".join(out)


def _id_line(v) -> str:
    student = getattr(v, "student", None)
    shown = usertext.markdown(student) if student else "__________"
    return f"Name: ______________________  ID: {shown}"


def markdown_answers(variants: list, digits: int = 3) -> str:
    out = []
    for v in variants:
        table = common.markdown(v.solution, digits).split("\n", 1)[1]  # without its title
        student = getattr(v, "student", None)
        out.append(f"### {usertext.markdown(_heading(v))}" + (f" (student {usertext.markdown(student)})" if student else "") + "\n"
                   + table)
    return "\n".join(out)


# ----------------------------------------------------------------------------- LaTeX

def _tex(text: str) -> str:
    from hwsolve.render.latex import tex_escape
    return tex_escape(text)


def _header(column: str) -> str:
    from hwsolve.render.latex import _header as header
    return header(column)


def _blank(shape: tuple) -> tuple:
    """A blank cell big enough to write ``shape``'s entries in by hand: (TeX, width)."""
    limit = texlayout.TEXT_WIDTH - texlayout.CELL_PAD
    if len(shape) > 2:  # a tensor: room for each of its matrices, one under another
        leading = 1
        for n in shape[:-2]:
            leading *= n
        shape = (leading * shape[-2], shape[-1])
    rows, cols = (1, 1) if not shape else ((1, shape[0]) if len(shape) == 1 else shape)
    per_line = max(int(limit // _BLANK_ENTRY), 1)
    if cols > per_line:  # a long vector or a wide matrix: more lines of the same entries
        rows *= -(-cols // per_line)
        cols = per_line
    width = cols * _BLANK_ENTRY
    return rf"\rule{{0pt}}{{{3 * rows + 1}ex}}\hspace{{{width:.0f}pt}}", width


def latex_problems(variants: list) -> str:
    out = [_PREAMBLE]
    for k, v in enumerate(variants):
        problem = v.solution.problem
        if k:
            out.append("\\clearpage")
        student = getattr(v, "student", None)
        out.append(f"\\section*{{{_tex(_heading(v))}}}")
        out.append("Name: \\rule{7cm}{0.4pt}\\quad ID: "
                   + (f"\\texttt{{{_tex(student)}}}" if student else "\\rule{3cm}{0.4pt}")
                   + "\n\\medskip\n")
        if problem.description:
            prose = _tex(problem.description).replace("/", "/\\allowbreak{}")  # long paths
            out.append(prose + "\n\\medskip\n")
        givens = ["$" + _math_name(n) + " = " + _tex(t).replace(", ", ",\\allowbreak ") + "$"
                  for n, t in _givens(v)]
        out.append("Given: " + ", ".join(givens) + ".\n")
        out.append("\\begin{itemize}")
        out += [f"\\item \\texttt{{{_tex(node.name)} = {_tex(node.text)}}}"
                for node in problem.nodes]
        out.append("\\end{itemize}")
        out.append(f"Output: $\\hat{{Y}}$ from \\texttt{{{_tex(problem.output)}}}: "
                   f"{_tex(common.head_summary(v.solution))}.\n")
        out.append("Fill in every column (a vector or matrix whole, as its shape says):\n")
        columns = common.columns(v.solution)
        heads, widths, cells = [], [], []
        for column in columns:
            shape = _shape(v, column)
            words = _shape_words(shape)
            heads.append(f"${_header(column)}$" + (f"\\newline{{\\small {_tex(words)}}}"
                                                     if words else ""))
            widths.append(max(texlayout.head_width(_header(column)),
                              texlayout.text_width(words) * 0.8))
            cells.append(_blank(shape))
        out.append(_blank_table(heads, widths, cells))
    out.append("\\end{document}\n")
    return "\n".join(out)


def _blank_table(heads: list, widths: list, cells: list) -> str:
    sizes = [max(w, c[1]) for w, c in zip(widths, cells)]
    tables = []
    for run in texlayout.pack(sizes):
        spec = "|" + "|".join(f"p{{{sizes[i]:.0f}pt}}" for i in run) + "|"
        tables.append("\\begin{tabular}{" + spec + "}\\hline\n"
                      + " & ".join(heads[i] for i in run) + " \\\\\\hline\n"
                      + " & ".join(cells[i][0] for i in run) + " \\\\\\hline\n\\end{tabular}")
    return "\\begin{center}\n" + "\n\\par\\medskip\n".join(tables) + "\n\\end{center}"


def _math_name(name: str) -> str:
    from hwsolve.render.latex import latex_name
    return latex_name(name)


def latex_answers(variants: list, digits: int = 3) -> str:
    from hwsolve.render.latex import latex_table
    out = [_PREAMBLE]
    for v in variants:
        student = getattr(v, "student", None)
        out.append(f"\\section*{{{_tex(_heading(v))}"
                   + (f" (student \\texttt{{{_tex(student)}}})" if student else "") + "}")
        out.append(latex_table(v.solution, digits))
        out.append(f"{_tex(common.head_summary(v.solution))}.\n")
    out.append("\\end{document}\n")
    return "\n".join(out)
