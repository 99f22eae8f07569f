"""Text that came from a user (titles, descriptions, names, file names, student ids,
expressions) made inert for each output format.  One place, used by every renderer.

* terminal / Rich: control characters written as escapes (``\\x1b``), and for Rich a
  :class:`rich.text.Text` (never parsed as markup) or markup-escaped text, so ``[/bold]``
  cannot crash a table and ``[link=…]`` is not rendered;
* Markdown: one line, with ``|`` and the inline metacharacters backslash-escaped and ``<``,
  ``>`` and ``&`` as entities (no HTML gets through, no table cell or heading is broken);
* HTML: entities for ``< > & " '``;
* LaTeX: the ten specials escaped, newlines as spaces;
* CSV: a cell that a spreadsheet would run as a formula (``= + - @``, tab or CR first)
  prefixed with ``'`` (OWASP's rule);
* matplotlib: ``$`` escaped (it would start mathtext);
* Graphviz: a double-quoted dot string.

Every function takes any object and returns str (except :func:`rich_text`).
"""

from __future__ import annotations

import html as _html
import re

from hwsolve.errors import printable

_MD_SPECIALS = re.compile(r"([\\`*_\[\]|~$])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+-]|[0-9]+[.)])")
_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
        "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _one_line(text) -> str:
    return " ".join(str(text).replace("\r", "\n").split("\n")).replace("\t", " ")


def plain(text) -> str:
    """For a terminal through click/print: control characters as visible escapes."""
    return printable(str(text))


def rich_markup(text) -> str:
    """For a string that Rich parses as markup (a table title, a cell given as str)."""
    from rich.markup import escape
    return escape(printable(str(text)))


def rich_text(text, style: str = ""):
    """A Rich Text, which is never parsed as markup."""
    from rich.text import Text
    return Text(printable(str(text)), style=style)


def markdown(text) -> str:
    """Inline Markdown (a table cell, a heading, a list item): one line, every
    metacharacter escaped, no HTML."""
    line = _one_line(printable(str(text)))
    line = _MD_SPECIALS.sub(r"\\\1", line)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_LINE_START.sub(lambda m: m[1] + (m[2][:-1] + "\\" + m[2][-1]
                                                if m[2][0].isdigit() else "\\" + m[2]), line)


markdown_cell = markdown
markdown_heading = markdown


def html(text) -> str:
    return _html.escape(printable(str(text)), quote=True)


def latex(text) -> str:
    """Prose for LaTeX: the specials escaped, one line (see also render.latex.tex_escape,
    which adds the mapping of non-ASCII characters and uses this for the specials)."""
    return "".join(_TEX.get(ch, ch) for ch in _one_line(printable(str(text))))


def csv_cell(text) -> str:
    """A text cell for a CSV that a spreadsheet will open: a formula prefix is made inert."""
    value = printable(str(text))
    return "'" + value if value.startswith(_CSV_FORMULA) else value


def matplotlib(text) -> str:
    return printable(str(text)).replace("$", r"\$")


def dot_string(text) -> str:
    """The inside of a double-quoted Graphviz string (one line, quotes and backslashes
    escaped)."""
    return _one_line(printable(str(text))).replace("\\", "\\\\").replace('"', '\\"')
