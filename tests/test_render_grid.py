"""render.grid draws the answer table and the values table without rich's Table (which was
slow for many columns or rows).  Reference: rich's own Table, drawn with the same box, headers
and cells, must give the same text."""

from __future__ import annotations

import io

from hypothesis import given, settings, strategies as st
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hwsolve.render import grid

WORD = st.text(st.sampled_from("abcXYZ019.-[]/∇Ŷ∂·"), min_size=1, max_size=9)


def _print(renderable, width: int = 1000) -> str:
    out = io.StringIO()
    Console(file=out, width=width, highlight=False, soft_wrap=False).print(renderable)
    return out.getvalue()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(WORD, st.lists(WORD, min_size=1, max_size=3)), min_size=1,
                max_size=6))
def test_answer_grid_matches_rich(columns):
    heads = [head for head, _ in columns]
    cells = ["\n".join(lines) for _, lines in columns]
    justify = ["left" if "\n" in cell else "right" for cell in cells]
    table = Table(box=box.SQUARE)
    for head, side in zip(heads, justify):
        table.add_column(Text(head), justify=side, no_wrap=True)
    table.add_row(*map(Text, cells))
    mine = grid.draw([grid.Column(h, j) for h, j in zip(heads, justify)], [cells], grid.SQUARE)
    assert _print(mine) == _print(table)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.just(""), WORD), min_size=5, max_size=5), min_size=0,
                max_size=8))
def test_values_grid_matches_rich(rows):
    table = Table(box=box.SIMPLE_HEAD, title="Forward values and gradients",
                  title_justify="left")
    columns = [grid.Column("name", "left"), grid.Column("kind", "left"), grid.Column("value"),
               grid.Column("exact", fold=True), grid.Column("∂L/∂·")]
    for column in columns:
        table.add_column(column.header, justify=column.justify, no_wrap=not column.fold,
                         overflow="fold" if column.fold else "ellipsis")
    for row in rows:
        table.add_row(*map(Text, row))
    mine = grid.draw(columns, rows, grid.SIMPLE_HEAD, 1000, title="Forward values and gradients")
    assert _print(mine) == _print(table)


def test_a_long_exact_fraction_folds_to_the_width():
    exact = "12345678901234567890123456789012345678901234567890/3"
    mine = _print(grid.draw([grid.Column("name", "left"), grid.Column("exact", fold=True)],
                            [["H1", exact]], grid.SIMPLE_HEAD, 30), width=30)
    assert max(len(line) for line in mine.splitlines()) <= 30
    body = mine.splitlines()[3:-1]
    assert "".join(line.replace("H1", "").strip() for line in body) == exact
