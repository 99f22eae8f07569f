"""Hostile batch 3, item 35: `vary --grid ,` named no grid and was silently read as the
default grids.  It is refused (exit 2) with the grids that exist."""

from __future__ import annotations

from tests.conftest import run_cli


def test_an_empty_grid_list_is_refused():
    for grid in (",", " , ", ""):
        result = run_cli("vary", "q3a", "--grid", grid)
        assert result.exit_code == 2, grid
        assert "names no grid" in result.output and "integers, halves, tenths" in result.output
