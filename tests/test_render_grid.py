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


def test_a_name_wider_than_the_terminal_wraps_and_is_never_cut(tmp_path):
    from conftest import run_cli

    name = "a_long_parameter_name_wider_than_a_narrow_terminal_xyz"
    spec = tmp_path / "long.yaml"
    spec.write_text(f"title: t\ninputs: {{X1: 1}}\nparams: {{{name}: 2}}\nnodes:\n"
                    f"  H: {name} * X1\nlabel: 1\n")
    result = run_cli(str(spec), "--width", "40", "--values")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 40
    header = [line.strip("│ ") for line in lines if "∇a_long" in line or "terminal_xyz" in line]
    assert "".join(header[:2]) == "∇" + name  # the answer table's header, in two lines
    assert "…" not in result.output
