"""Numbers in shown work, so that the arithmetic a reader checks adds up.

* :func:`digits_text` keeps the digits asked for: a rounded 0.29996 is ``0.300``, not ``0.3``
  (which claims one digit); a value that is that short decimal exactly stays short (``1.5``).
* :func:`follows` says whether a result printed with rounded operands follows from the
  operands as printed; where it does not, the work writes ``≈`` instead of ``=``.
"""

from __future__ import annotations

from fractions import Fraction

from hwsolve import num


def digits_text(value, digits: int) -> str:
    """See :func:`hwsolve.work.printing.digits_text` (the work's formulas print the same way);
    imported when called: the training renderers load this module early."""
    from hwsolve.work import symbolic  # noqa: F401 (loads printing: they import each other)
    from hwsolve.work.printing import digits_text as text
    return text(value, digits)


def value_of(text: str) -> Fraction:
    """The exact value of a printed decimal (``-0.622``, ``1.2e-7``)."""
    return Fraction(text)


def follows(result: str, exact: Fraction, digits: int) -> bool:
    """Is ``result`` what ``exact`` (computed from the printed operands) prints as?"""
    return value_of(result) == value_of(num.fmt_sig(exact, digits))


def change(before, after, digits: int) -> tuple:
    """``before`` and ``after`` of an update as texts that show the change: at ``digits``
    significant figures (trailing zeros kept), more where a small step would print
    ``0.15 → 0.15`` (up to 12)."""
    for wide in range(digits, 13):
        a, b = digits_text(before, wide), digits_text(after, wide)
        if value_of(a) != value_of(b) or before == after:   # 0.15 → 0.150 is no change
            return a, b
    return a, b
