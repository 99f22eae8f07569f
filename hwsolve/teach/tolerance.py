"""Tolerance rules: when a written number counts as the computed one.

The rules are those of answer keys and of the common online homework systems:

- ``places`` (the default for keys, :data:`DEFAULT`): the exact value rounded to the decimal
  places written matches (0.69 matches 0.68997); this is :func:`hwsolve.num.key_matches`, the
  rule of ``check`` — right for a key the instructor wrote, wrong for a student's answer (a
  student's ``1`` would match 0.69 at 0 places);
- for grading, the default is :data:`GRADING_DEFAULT`, 3 significant figures relative to the
  correct value, so the instructor's rule and never the student's digits decides (see
  :func:`for_grading` for the order: option, problem, course, this default);
- ``sigfigs: N``: the written number and the exact value agree to N significant figures;
- ``rel: r``: |written - exact| <= r·|exact|;
- ``abs: a``: |written - exact| <= a;
- ``rel_abs: [r, a]``: either of the two (WeBWorK and similar accept either);

and, under every rule, a number written as an exact fraction ``'8/3'`` matches only that value.
Comparisons are made on exact Decimals of the solver's value (60 digits), never on floats, so a
boundary case is decided by the numbers and not by a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from hwsolve import num

KINDS = ("places", "sigfigs", "rel", "abs", "rel_abs")
_NORMAL, _HUGE = 1e-290, 1e290


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

    def quick(self, written: float, value: float) -> bool | None:
        """The verdict of :meth:`matches` from floats where they decide it with room to spare,
        None where only the exact comparison can (near a boundary, out of float range, places).
        A grader checks thousands of numbers against hundreds of alternatives: this keeps it
        fast without ever deciding a close case by a float."""
        if self.kind == "places" or not (_NORMAL <= abs(value) <= _HUGE) or \
                not (written == 0 or _NORMAL <= abs(written) <= _HUGE):
            return None
        if self.kind == "sigfigs":
            power = math.log10(abs(value))
            if abs(power - round(power)) < 1e-9:
                return None
            tol = 5 * 10.0 ** (math.floor(power) - self.sigfigs)
        else:
            tol = max(float(self.rel) * abs(value) if self.rel is not None else 0.0,
                      float(self.abs) if self.abs is not None else 0.0)
        error = abs(written - value)
        if error > tol * (1 + 1e-9) + 1e-300:
            return False
        if error < tol * (1 - 1e-9):
            return True
        return None

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


DEFAULT = Rule()                                   # keys: decimal places as written
GRADING_DEFAULT = Rule("sigfigs", sigfigs=3)      # students: 3 significant figures


def for_grading(option: str | None = None, problem_rule: Rule | None = None,
                course=None) -> tuple:
    """(rule, where it came from) for grading: ``--tolerance`` beats the problem's
    ``tolerance:``, which beats the course file's, which beats 3 significant figures.
    ValueError for a bad option text."""
    if option is not None:
        return parse_option(option), "--tolerance"
    if problem_rule is not None:
        return problem_rule, "the problem's tolerance"
    rule = course.rule() if course is not None else None
    if rule is not None:
        return rule, course.describe()
    return GRADING_DEFAULT, "the grading default"


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
