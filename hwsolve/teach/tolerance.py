"""Tolerance rules: when a written number counts as the computed one.

The rules are those of answer keys and of the common online homework systems:

- ``places`` (the default): the exact value rounded to the decimal places written matches
  (0.69 matches 0.68997); this is :func:`hwsolve.num.key_matches`, today's rule of ``check``;
- ``sigfigs: N``: the written number and the exact value agree to N significant figures;
- ``rel: r``: |written - exact| <= r·|exact|;
- ``abs: a``: |written - exact| <= a;
- ``rel_abs: [r, a]``: either of the two (WeBWorK and similar accept either);

and, under every rule, a number written as an exact fraction ``'8/3'`` matches only that value.
Comparisons are made on exact Decimals of the solver's value (60 digits), never on floats, so a
boundary case is decided by the numbers and not by a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from hwsolve import num

KINDS = ("places", "sigfigs", "rel", "abs", "rel_abs")


@dataclass(frozen=True)
class Rule:
    kind: str = "places"
    rel: Fraction | None = None
    abs: Fraction | None = None
    sigfigs: int | None = None

    def describe(self) -> str:
        if self.kind == "places":
            return "decimal places as written"
        if self.kind == "sigfigs":
            return f"{self.sigfigs} significant figures"
        if self.kind == "rel":
            return f"relative error at most {_short(self.rel)}"
        if self.kind == "abs":
            return f"absolute error at most {_short(self.abs)}"
        return f"relative error at most {_short(self.rel)} or absolute error at most " \
               f"{_short(self.abs)}"

    def matches(self, text: str, value, exact: Fraction | None = None) -> bool:
        """Does the number written as ``text`` (``exact`` for a fraction '8/3') count as the
        solver's ``value``?"""
        if exact is not None:
            return num.is_exact(value) and value == exact
        if self.kind == "places":
            return num.key_matches(text, value)
        written = Decimal(text)
        with localcontext() as ctx:
            ctx.prec = num.WORK_DPS + 10
            true = num.to_decimal(value)
            error = abs(written - true)
            if self.kind == "sigfigs":
                if not true:
                    return not written
                unit = Decimal(5).scaleb(true.adjusted() - self.sigfigs)
                return error <= unit
            ok_rel = self.rel is not None and error <= _dec(self.rel) * abs(true)
            ok_abs = self.abs is not None and error <= _dec(self.abs)
            return ok_rel or ok_abs

    def slack(self, text: str, value) -> Decimal:
        """How far from ``value`` a number may lie and still count (for the rounding of
        intermediate numbers a student carried forward)."""
        with localcontext() as ctx:
            ctx.prec = num.WORK_DPS + 10
            true = abs(num.to_decimal(value))
            if self.kind == "places":
                return Decimal(5).scaleb(Decimal(text).as_tuple().exponent - 1)
            if self.kind == "sigfigs":
                return Decimal(5).scaleb(true.adjusted() - self.sigfigs) if true else Decimal(0)
            candidates = [Decimal(0)]
            if self.rel is not None:
                candidates.append(_dec(self.rel) * true)
            if self.abs is not None:
                candidates.append(_dec(self.abs))
            return max(candidates)


DEFAULT = Rule()


def _dec(x: Fraction) -> Decimal:
    return num.to_decimal(x)


def _short(x: Fraction) -> str:
    return num.fmt_sig(x, 6)


def _positive(text: str, what: str) -> Fraction:
    try:
        value = num.parse_decimal(text)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None
    if value <= 0:
        raise ValueError(f"{what} must be positive, not {text}")
    return value


def make(kind: str, args: list) -> Rule:
    """A rule from its name and argument texts; ValueError with a sentence otherwise."""
    if kind not in KINDS:
        raise ValueError(f"unknown tolerance rule {kind!r}; the rules are places, sigfigs: N, "
                         "rel: r, abs: a and rel_abs: [r, a]")
    wanted = {"places": 0, "sigfigs": 1, "rel": 1, "abs": 1, "rel_abs": 2}[kind]
    if len(args) != wanted:
        shape = {0: "no value", 1: "one number", 2: "two numbers [rel, abs]"}[wanted]
        raise ValueError(f"the {kind} rule takes {shape}")
    if kind == "places":
        return DEFAULT
    if kind == "sigfigs":
        text = args[0].strip()
        if not text.isdigit() or not 1 <= int(text) <= 30:
            raise ValueError(f"sigfigs takes a whole number from 1 to 30, not {text!r}")
        return Rule("sigfigs", sigfigs=int(text))
    if kind == "rel":
        return Rule("rel", rel=_positive(args[0], "rel"))
    if kind == "abs":
        return Rule("abs", abs=_positive(args[0], "abs"))
    return Rule("rel_abs", rel=_positive(args[0], "rel"), abs=_positive(args[1], "abs"))


def parse_option(text: str) -> Rule:
    """``--tolerance``: places, sigfigs:3, rel:1e-3, abs:0.01 or rel_abs:1e-2,1e-8."""
    kind, _, rest = text.strip().partition(":")
    kind = kind.strip()
    args = [a for a in (p.strip() for p in rest.replace("[", "").replace("]", "").split(","))
            if a] if rest.strip() else []
    return make(kind, args)
