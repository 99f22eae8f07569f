"""Plain grids drawn line by line: the answer table and the forward values, linear in their size.

rich's ``Table`` measures and lays out every cell through several layers of renderables: for
100,000 columns (12,500 stacked tables) or a 100,000-row ``--values`` table that took from 24 s
to over a minute.  These grids draw the same boxes (``box.SQUARE`` for the answer table,
``box.SIMPLE_HEAD`` for the values) as text, with the header bold and the title italic as rich
styles them, and are handed to rich as ready lines.  Nothing here computes a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

SQUARE = ("┌─┬┐", "│ ││", "├─┼┤", "└─┴┘")
SIMPLE_HEAD = ("    ", "    ", " ── ", "    ")


@dataclass
class Column:
    header: str
    justify: str = "right"      # "left" or "right"
    fold: bool = False          # may be folded to fit the width (the exact fractions)


def _pad(text: str, width: int, justify: str) -> str:
    gap = width - cell_len(text)
    if gap <= 0:
        return text
    return text + " " * gap if justify == "left" else " " * gap + text


def _fold(text: str, width: int) -> list:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def draw(columns: list, rows: list, box: tuple, width: int | None = None,
         title: str | None = None) -> "Lines":
    """``rows`` of cells (each a string, lines split on newlines) under ``columns``, drawn in
    ``box`` with one space of padding, as rich's Table draws them.  A column marked ``fold``
    is narrowed (its cells folded) when the grid is wider than ``width``."""
    cells = [[cell.split("\n") for cell in row] for row in rows]
    heads = [c.header.split("\n") for c in columns]
    widths = [max(cell_len(line) for line in head) for head in heads]
    for row in cells:
        for i, lines in enumerate(row):
            for line in lines:
                if len(line) > widths[i] or cell_len(line) > widths[i]:
                    widths[i] = max(widths[i], cell_len(line))
    total = sum(widths) + 3 * len(widths) + 1
    if width is not None and total > width:
        for i in range(len(columns) - 1, -1, -1):  # the last foldable column first
            if columns[i].fold and total > width:
                shortest = min(max(cell_len(line) for line in heads[i]), 8)  # "exact" whole
                narrower = max(widths[i] - (total - width), shortest)
                total -= widths[i] - narrower
                widths[i] = narrower
                heads[i] = [piece for line in heads[i] for piece in _fold(line, narrower)]
                for row in cells:
                    row[i] = [piece for line in row[i] for piece in _fold(line, narrower)]
    top, middle, rule, bottom = box
    lines: list = []  # each a list of (text, style name or None)
    if title is not None:
        lines.append([(_pad(title, total, "left"), "italic")])

    def edge(chars: str) -> list:
        return [(chars[0] + chars[2].join(chars[1] * (w + 2) for w in widths) + chars[3], None)]

    lines.append(edge(top))
    for k in range(max(len(head) for head in heads)):
        line: list = [(middle[0], None)]
        for i, (column, w) in enumerate(zip(columns, widths)):
            text = heads[i][k] if k < len(heads[i]) else ""
            line += [(" ", None), (_pad(text, w, column.justify), "bold"),
                     (" " + (middle[2] if i < len(widths) - 1 else middle[3]), None)]
        lines.append(line)
    lines.append(edge(rule))
    for row in cells:
        for k in range(max(len(c) for c in row)):
            parts = [" " + _pad(c[k] if k < len(c) else "", w, column.justify) + " "
                     for c, w, column in zip(row, widths, columns)]
            lines.append([(middle[0] + middle[2].join(parts) + middle[3], None)])
    lines.append(edge(bottom))
    return Lines(lines)


class Lines:
    """Styled lines for rich, one segment list per line: rich splits a long multi-line Text
    with ``str.partition`` once per line, which is quadratic in its length."""

    def __init__(self, lines: list):
        self.lines = lines

    def __rich_console__(self, console, options):
        styles = {None: None, "bold": Style(bold=True), "italic": Style(italic=True)}
        newline = Segment.line()
        for line in self.lines:
            for text, style in line:
                yield Segment(text, styles[style])
            yield newline

    def __iadd__(self, other: "Lines") -> "Lines":
        self.lines.extend(other.lines)
        return self
