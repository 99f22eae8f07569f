"""Rich renderables for the terminal: the answer table, the forward values, the check report
and the --verify report.  Data in, renderable out; nothing here computes a value."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hwsolve import num
from hwsolve.render import grid, usertext
from hwsolve.render.common import column_value, columns, fmt, head_summary, header
from hwsolve.engine.solve import Solution


# ----------------------------------------------------------------------------- rich table

def answer_table(solution: Solution, digits: int = 3, width: int = 80) -> Group:
    """The seed's layout: a header row Ŷ, L, ∇… in ``columns`` order and one row of values.

    When the row is wider than ``width`` it is stacked as several tables, each column whole,
    so that no number is ever cut.  Drawn by :mod:`hwsolve.render.grid`, linear in the number
    of columns.
    """
    cells = [(_wrap_header(header(c, solution), width - 4),
              _fold(fmt(column_value(solution, c), digits), width - 4))
             for c in columns(solution)]
    tables = grid.Lines([])
    for chunk in _chunks(cells, width):
        grid_columns = [grid.Column(head, "left" if "\n" in value else "right")
                        for head, value in chunk]
        tables += grid.draw(grid_columns, [[value for _, value in chunk]], grid.SQUARE)
    parts: list = [usertext.rich_text(solution.problem.title, "bold"), tables,
                   Text(head_summary(solution), style="dim")]
    parts.extend(notes(solution))
    return Group(*parts)


def _wrap_header(text: str, limit: int) -> str:
    """A column name wider than the table may be: broken into lines, never cut."""
    return "\n".join(text[i:i + limit] for i in range(0, len(text), limit))


def _fold(value: str, limit: int) -> str:
    """A vector too wide for one line, broken after commas: the cell grows down, and no number
    is ever cut."""
    if len(value) <= limit:
        return value
    lines: list = [[]]
    for item in value.split(", "):
        candidate = ", ".join(lines[-1] + [item]) + ","  # every line but the last ends in ","
        if lines[-1] and len(candidate) > limit:
            lines.append([])
        lines[-1].append(item)
    return ",\n".join(", ".join(items) for items in lines)


def _chunks(cells: list, width: int) -> list:
    """Split columns greedily so that each table fits ``width`` (padding 2 + border 1 each)."""
    chunks: list = [[]]
    used = 1
    for head, value in cells:
        need = max(*(len(line) for line in head.splitlines()),
                   *(len(line) for line in value.splitlines())) + 3
        if chunks[-1] and used + need > width:
            chunks.append([])
            used = 1
        chunks[-1].append((head, value))
        used += need
    return chunks


def notes(solution: Solution) -> list:
    return [Text(f"note: {warning}", style="yellow") for warning in solution.warnings]


_VALUE_COLUMNS = (grid.Column("name", "left", fold=True), grid.Column("kind", "left"),
                  grid.Column("value"), grid.Column("exact", fold=True), grid.Column("∂L/∂·"),
                  grid.Column("exact ∂L/∂·", fold=True))


def values_table(solution: Solution, digits: int = 3, width: int | None = None
                 ) -> "_ValuesTable":
    """Every forward value and its gradient, each with its exact form where it is rational,
    for every slot of the graph with its head (Ŷ, the label Y, L)."""
    values, grads = solution.full.values, solution.grads
    rows = []
    for number, slot in enumerate(solution.full.graph.slots):
        value, gradient = values[number], grads[number]
        name = slot.label.replace("Yhat", "Ŷ", 1) if slot.kind == "yhat" else slot.label
        kind = "output" if slot.kind == "yhat" else slot.kind
        rows.append((name, kind, num.fmt_sig(value, digits), _exact_beside(value, digits),
                     *(("", "") if slot.kind in ("constant", "label", "loss") else
                       (num.fmt_sig(gradient, digits), _exact_beside(gradient, digits)))))
    return _ValuesTable(rows, width)


class _ValuesTable:
    """Laid out when printed, at the console's width: one table when it fits, otherwise the
    values and the gradients as two, so that no number is cut; a long name or exact fraction
    folds onto more lines rather than ending in "…".  An exact column with nothing in it is
    left out."""

    def __init__(self, rows: list, width: int | None):
        self.rows = rows
        self.width = width

    def __rich_console__(self, console, options):
        width = self.width or options.max_width
        rows = self.rows
        widths = [max(len(c.header), *(len(row[i]) for row in rows))
                  for i, c in enumerate(_VALUE_COLUMNS)]
        shown = [i for i in range(6) if i not in (3, 5) or any(row[i] for row in rows)]
        if sum(widths[i] + 2 for i in shown) + 2 <= width:
            yield self.part("Forward values and gradients", rows, shown, width)
            return
        yield self.part("Forward values", rows, [i for i in shown if i < 4], width)
        yield self.part("Gradients", [row for row in rows if row[4]],
                        [i for i in shown if i in (0, 4, 5)], width)

    @staticmethod
    def part(title: str, rows: list, shown: list, width: int):
        return grid.draw([_VALUE_COLUMNS[i] for i in shown],
                         [[row[i] for i in shown] for row in rows], grid.SIMPLE_HEAD, width,
                         title=title)


def _exact_beside(value, digits: int) -> str:
    """The exact fraction where it says more than the rounded decimal beside it: -1/5 beside
    -0.2, 1/3 beside 0.333; not 2 beside 2, nor 300 zeros beside 1e300."""
    exact = num.exact_text(value)
    if exact is None or exact == num.fmt_sig(value, digits):
        return ""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1 and len(exact) > 20:  # a long terminating decimal: 1e-300 says it all
        return ""
    return exact


# ----------------------------------------------------------------------------- --verify

def verify_report(solution: Solution, rows: list) -> Group:
    """Every entry beside PyTorch's float64 value, then a one-line verdict."""
    table = Table(box=box.SIMPLE_HEAD, title=f"{usertext.rich_markup(solution.problem.title)}: "
                  "hwsolve (exact) vs PyTorch float64 autograd", title_justify="left")
    for column in ("quantity", "hwsolve", "PyTorch", "rel. diff", ""):
        table.add_column(column, justify="left" if column == "quantity" else "right",
                         no_wrap=True)
    for label, exact, reference, relative, agrees in rows:
        table.add_row(label, num.fmt_sig(exact, 12), f"{reference:.12g}", f"{relative:.1e}",
                      "✓" if agrees else "✗", style=None if agrees else "red")
    disagreements = sum(not row[4] for row in rows)
    verdict = (f"{len(rows)} entries, all agree within 1e-9 relative (1e-12 absolute near 0)"
               if not disagreements else f"{disagreements} of {len(rows)} entries disagree")
    from hwsolve.render.titles import titled
    return Group(titled(table),
                 Text(verdict, style="bold green" if not disagreements else "bold red"))
