"""The rich consoles the commands print with: results on stdout, messages on stderr.

``NO_COLOR`` (https://no-color.org: set and not empty) turns off every style, bold and dim
included: rich's own ``no_color`` only drops colours and still emits bold, so the console gets
no colour system at all.
"""

from __future__ import annotations

import os


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def make(width: int | None = None, *, stderr: bool = False, soft_wrap: bool = False):
    from rich.console import Console
    plain = {"color_system": None, "no_color": True} if no_color() else {}
    return Console(width=width, highlight=False, soft_wrap=soft_wrap, stderr=stderr, **plain)


def message(text: str) -> None:
    """A message about the run (``wrote …``, a note): on stderr, so that the results on stdout
    can be piped."""
    import click
    click.echo(text, err=True)
