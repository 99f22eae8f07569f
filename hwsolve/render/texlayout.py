"""LaTeX tables that fit the page: cells sized as pdflatex sets them, stacked like the terminal's.

A cell's width is estimated from the widths of Computer Modern's glyphs at 11pt (digits 5.5pt,
the minus sign 8.6pt, ...), on the safe side; columns are packed greedily into tabulars no wider
than :data:`TEXT_WIDTH` (the 500pt of an 11pt article with 2cm margins, less a margin), each
column whole, as the terminal stacks its tables.  A matrix is a ``bmatrix``; a vector or a matrix
row too wide for the page is broken after commas, so the cell grows down and no number is ever
cut.  Nothing here computes a value.
"""

from __future__ import annotations

from hwsolve import num

TEXT_WIDTH = 470.0   # pt: 500pt of text width, less room for rules and rounding
CELL_PAD = 14.0      # pt: 2 \tabcolsep and a rule
_GLYPH = {"-": 8.6, ".": 3.1, ",": 4.9, "[": 3.1, "]": 3.1, " ": 0.0, "+": 8.6, "e": 5.0}


def text_width(text: str) -> float:
    """The width in pt of ``text`` set in math at 11pt (digits, signs, brackets, letters)."""
    return sum(_GLYPH.get(ch, 5.5 if ch.isdigit() else 6.2) for ch in text)


def _number(x, digits: int) -> str:
    return num.fmt_sig(x, digits)


def _folded(items: list, limit: float) -> list:
    """``[a, b, c, ...]`` broken after commas into lines no wider than ``limit``."""
    lines, line, width = [], [], text_width("[]")
    for k, item in enumerate(items):
        w = text_width(item) + text_width(", ")
        if line and width + w > limit:
            lines.append(line)
            line, width = [], text_width("[")
        line.append(item)
        width += w
    lines.append(line)
    out = []
    for i, chunk in enumerate(lines):
        text = ", ".join(chunk)
        text = ("[" if i == 0 else "") + text + ("]" if i == len(lines) - 1 else ",")
        out.append(text)
    return out


def _lines_cell(lines: list) -> tuple:
    if len(lines) == 1:
        return lines[0], text_width(lines[0])
    body = r" \\ ".join(lines)
    return (r"\begin{array}[t]{@{}l@{}}" + body + r"\end{array}",
            max(text_width(line) for line in lines))


def cell(value, digits: int, limit: float = TEXT_WIDTH - CELL_PAD) -> tuple:
    """(math-mode TeX, width in pt) of a scalar, a vector, a matrix (a list of rows), or a
    tensor of rank 3 or 4: its matrices stacked, each labelled with its leading index."""
    if not isinstance(value, (list, tuple)):
        text = _number(value, digits)
        return text, text_width(text)
    if value and isinstance(value[0], (list, tuple)) and value[0] and \
            isinstance(value[0][0], (list, tuple)):
        lines, width = [], 0.0
        for index, part in _matrices(value, ()):
            label = r"\text{[" + ", ".join(map(str, index)) + r"]: }"
            tex, part_width = cell(part, digits, limit - 40.0)
            lines.append(label + tex)
            width = max(width, part_width + 40.0)
        body = r" \\[2pt] ".join(lines)
        return r"\begin{array}[t]{@{}l@{}}" + body + r"\end{array}", width
    if value and isinstance(value[0], (list, tuple)):
        rows = [[_number(x, digits) for x in row] for row in value]
        cols = len(rows[0])
        widths = [max(text_width(row[j]) for row in rows) for j in range(cols)]
        width = sum(widths) + 10.0 * (cols - 1) + 12.0
        if width <= limit:
            body = r" \\ ".join(" & ".join(row) for row in rows)
            return r"\begin{bmatrix}" + body + r"\end{bmatrix}", width
        lines = []
        for i, row in enumerate(rows, start=1):  # a matrix wider than the page: row by row
            lines += [(rf"\text{{row {i}: }}" if k == 0 else r"\quad ") + part
                      for k, part in enumerate(_folded(row, limit - 40.0))]
        return _lines_cell(lines)
    return _lines_cell(_folded([_number(x, digits) for x in value], limit))


def _matrices(value, index: tuple):
    """(leading index, matrix) of every matrix of a tensor of rank 3 or more, in order."""
    if value and isinstance(value[0], (list, tuple)) and value[0] and \
            isinstance(value[0][0], (list, tuple)):
        for i, part in enumerate(value, start=1):
            yield from _matrices(part, (*index, i))
    else:
        yield index, value


def pack(widths: list, limit: float = TEXT_WIDTH, most: int = 7) -> list:
    """Runs of column indices whose widths (plus padding) fit in ``limit``: as few runs as the
    greedy packing needs, balanced (7 + 6 rather than 8 + 5) where the balanced runs fit."""
    runs = _greedy(widths, limit, most)
    if len(runs) > 1:
        per = -(-len(widths) // len(runs))
        even = [list(range(i, min(i + per, len(widths)))) for i in range(0, len(widths), per)]
        if len(even) == len(runs) and all(sum(widths[i] + CELL_PAD for i in run) <= limit
                                           for run in even):
            return even
    return runs


def _greedy(widths: list, limit: float, most: int) -> list:
    runs, run, used = [], [], 0.0
    for i, w in enumerate(widths):
        need = w + CELL_PAD
        if run and (used + need > limit or len(run) >= most):
            runs.append(run)
            run, used = [], 0.0
        run.append(i)
        used += need
    if run:
        runs.append(run)
    return runs


def stacked(heads: list, head_widths: list, cells: list, align: str = "c",
            rules: bool = False) -> str:
    """One row of ``cells`` (TeX, width) under ``heads``, stacked as tabulars that fit."""
    widths = [max(h, c[1]) for h, c in zip(head_widths, cells)]
    tables = []
    for run in pack(widths):
        spec = ("|" + "|".join(align for _ in run) + "|") if rules else align * len(run)
        tables.append("\\begin{tabular}{" + spec + "}\n\\hline\n"
                      + " & ".join(heads[i] for i in run) + " \\\\\n\\hline\n"
                      + " & ".join(f"${cells[i][0]}$" for i in run)
                      + " \\\\\n\\hline\n\\end{tabular}")
    return "\\begin{center}\n" + "\n\\par\\medskip\n".join(tables) + "\n\\end{center}"


def split_rows(heads: list, head_widths: list, rows: list, align: str = "r") -> str:
    """A table of several rows (each a list of (TeX, width)), its columns split into tabulars
    that fit; the first column (the row's name) is repeated in each."""
    widths = [max([head_widths[j]] + [row[j][1] for row in rows]) for j in range(len(heads))]
    first = widths[0] + CELL_PAD
    tables = []
    for run in pack(widths[1:], TEXT_WIDTH - first):
        columns = [0] + [j + 1 for j in run]
        spec = "|" + "|".join(align for _ in columns) + "|"
        lines = ["\\begin{tabular}{" + spec + "}", "\\hline",
                 " & ".join(heads[j] for j in columns) + " \\\\", "\\hline"]
        lines += [" & ".join(row[j][0] for j in columns) + " \\\\" for row in rows]
        lines += ["\\hline", "\\end{tabular}"]
        tables.append("\n".join(lines))
    return "\\begin{center}\n" + "\n\\par\\medskip\n".join(tables) + "\n\\end{center}"


def head_width(tex_name: str) -> float:
    """A rough width of a header such as ``\\nabla W_{1}``: its letters and digits."""
    import re
    plain = re.sub(r"\\[a-zA-Z]+", "MM", tex_name)
    return text_width(re.sub(r"[{}_^$]", "", plain))
