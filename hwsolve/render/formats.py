"""The output formats by name: one module each, imported only when its format is asked for.

A format module has ``render(solution, work, options) -> str | list`` (text, or rich
renderables for the terminal) and computes nothing: the solution and the work (the derivation
of :mod:`hwsolve.work.steps`, or None) hold every number.  The CLI picks one by name here;
adding a format is a module and a line in FORMATS.  (The names are also in spec/vocab.py,
which the CLI reads without importing anything.)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

FORMATS = {
    "table": "hwsolve.render.as_table",
    "json": "hwsolve.render.as_json",
    "markdown": "hwsolve.render.as_markdown",
    "csv": "hwsolve.render.as_csv",
    "latex": "hwsolve.render.as_latex",
}


@dataclass
class Options:
    digits: int = 3
    width: int = 80
    show_values: bool = False   # --values
    show_steps: bool = False    # --steps (the work); with only --exact, the closed forms
    standalone: bool = False    # --standalone (LaTeX)
    notes: list = field(default_factory=list)   # what a format says on stderr (csv)


def get(name: str):
    """The module of format ``name`` (KeyError for an unknown one)."""
    return importlib.import_module(FORMATS[name])
