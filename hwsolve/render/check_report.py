"""The report of ``hwsolve check``: one line per problem, then a table of the differences.

Nothing is ever cut: a key is shown exactly as written, and a computed value with the digits
asked for (``--digits N``) or, by default, two more significant figures than the key shows (at
least 6), so that a failing 12-place key can be read digit by digit.  Rows wider than the
terminal wrap; they are never cropped.
"""

from __future__ import annotations

from rich.text import Text

from hwsolve import num
from hwsolve.render.usertext import plain as _user_text
from hwsolve.words import plural


def _sig_digits(text: str) -> int:
    digits = text.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
    return max(len(digits), 1)


def computed_text(c, digits: int | None) -> str:
    if isinstance(c.computed, str):
        return c.computed
    if getattr(c, "exact", None) is not None and num.is_exact(c.computed):
        return str(c.computed)
    n = digits if digits is not None else max(6, _sig_digits(c.key) + 2)
    return num.fmt_sig(c.computed, n)


def verdict_text(c) -> str:
    rule = getattr(c, "rule_text", None)
    return "✓" if c.ok else (f"✗ ({rule})" if rule else "✗")


def lines(results: list, show_all: bool = False, digits: int | None = None,
          quiet: bool = False) -> list:
    """The report as rich Texts (one per line).  ``quiet``: only what failed, no summary."""
    out: list = []
    for result in results:
        if result.error is not None:
            out.append(Text(f"✗ {_user_text(result.name)}: cannot be checked (the error is on stderr)",
                            style="bold red"))
            continue
        failures = result.failures
        if quiet and not failures:
            continue
        if not result.comparisons:
            out.append(Text(f"- {_user_text(result.name)}: no answer key", style="dim"))
            continue
        mark, style = ("✓", "green") if not failures else ("✗", "bold red")
        out.append(Text(f"{mark} {_user_text(result.name)}: {len(result.comparisons) - len(failures)}"
                        f"/{len(result.comparisons)} key entries match", style=style))
        shown = failures if quiet or not show_all else result.comparisons
        if shown:
            rows = [("variant", "entry", "key", "computed", "")]
            rows += [(c.variant or "-", c.entry, c.key, computed_text(c, digits),
                      verdict_text(c)) for c in shown]
            widths = [max(len(r[i]) for r in rows) for i in range(4)]
            for n, row in enumerate(rows):
                cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]),
                         row[2].rjust(widths[2]), row[3].rjust(widths[3]), row[4]]
                text = "  " + "  ".join(cells).rstrip()
                bad = n > 0 and not shown[n - 1].ok
                out.append(Text(text, style="bold" if n == 0 else ("red" if bad else None)))
    if not quiet:
        entries = sum(len(r.comparisons) for r in results)
        wrong = sum(len(r.failures) for r in results)
        errors = sum(r.error is not None for r in results)
        out.append(Text(f"{plural(len(results), 'problem')}, "
                        f"{plural(entries, 'key entry', 'key entries')}, "
                        f"{plural(wrong, 'difference')}, {plural(errors, 'error')}",
                        style="bold"))
    return out


def plain(results: list, **options) -> str:
    return "".join(t.plain + "\n" for t in lines(results, **options))
