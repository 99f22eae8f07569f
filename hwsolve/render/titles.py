"""A table's title as a line of its own: rich wraps a table title to the table's width, so a
long title over a narrow table came out in fragments (``batch of 4: L = mean of the`` /
``examples' losses; …``).  As a line above the table it wraps at the terminal's width, at
word boundaries, and usually stays whole."""

from __future__ import annotations


def titled(table):
    """``table`` with its title moved to a line above it (the same style rich gives titles)."""
    from rich.console import Group
    from rich.text import Text

    title = table.title
    if title is None:
        return table
    table.title = None
    text = title if isinstance(title, Text) else Text(str(title), style="table.title")
    return Group(text, table)
