"""The quiz model shared by every course-platform export.

For a problem and N variants (:func:`hwsolve.teach.vary.vary`), each variant's *asked entries*
(the grader's :func:`hwsolve.teach.grade.asked_entries`), each entry's correct value, an absolute
tolerance window mapped from hwsolve's grading rule, and the wrong values that the grader's
single-mistake worlds (:func:`hwsolve.teach.worlds.build`: a sign, σ′ left out, the ½ of mse,
the other branch of a kink, a missed path, the wrong activation, ...) give that entry.

A platform checks a number against ``value ± tolerance``, so the rule becomes a width:

- ``sigfigs: N`` (the grading default, N = 3): half a unit of the N-th significant figure of
  the correct value, 5·10^(e-N) for a value of exponent e;
- ``rel: r``: r·|value|; ``abs: a``: a; ``rel_abs: [r, a]``: the larger of the two;
- ``places``: half a unit of the last place of the key hwsolve vary writes.

A window must contain the exact answer (the value is written with :data:`SHOWN_DIGITS`
significant figures, far inside the window) and exclude every wrong value a diagnosis kind
gives, or a student making that mistake would get credit.  Where a wrong value falls inside,
the variant has a *collision*, named with its variant, entry and kind; by default such a
variant is redrawn (the next variant of the same seed takes its place, as vary redraws a draw
on a kink) and the redraw is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, localcontext
from fractions import Fraction

from hwsolve import num
from hwsolve.errors import HwsolveError

SHOWN_DIGITS = 12          # significant figures of the correct value written in a quiz
REDRAWS = 3               # a quiz may draw this many times count more variants
TOLERANCE_DIGITS = 3       # a rel/abs width is rounded down to this many figures (never wider)


@dataclass
class Wrong:
    kind: str              # the diagnosis kind (sign, missing_activation_derivative, ...)
    text: str              # the grader's sentence for it
    value: object          # the exact (or ball) value the mistake gives
    shown: str             # that value as the quiz writes it


@dataclass
class QuizEntry:
    entry: str             # hwsolve's entry name: ∇W1[1, 2], Yhat, L, ...
    correct: object
    shown: str             # the correct value written with SHOWN_DIGITS figures
    tolerance: Decimal     # absolute half-width of the window
    fraction: str | None   # '8/3' for a rational value that is not a short decimal
    wrongs: list = field(default_factory=list)       # Wrong outside the window
    collisions: list = field(default_factory=list)   # Wrong inside the window

    @property
    def separates(self) -> bool:
        return not self.collisions

    @property
    def tolerance_text(self) -> str:
        return decimal_text(self.tolerance)


@dataclass
class QuizVariant:
    number: int            # the variant number of ``hwsolve vary --seed SEED``
    values: dict           # the drawn inputs and params
    solution: object
    ref: object            # hwsolve.teach.reference.Reference
    entries: list          # QuizEntry, in the sheet's order
    text: str = ""         # the variant's YAML (vary's)

    @property
    def collisions(self) -> list:
        return [(e.entry, w) for e in self.entries for w in e.collisions]


@dataclass
class Quiz:
    problem: object
    name: str
    title: str
    rule: object           # hwsolve.teach.tolerance.Rule
    rule_text: str
    seed: int
    variants: list
    redrawn: list = field(default_factory=list)      # (variant number, collision texts)

    @property
    def windows(self) -> int:
        return sum(len(v.entries) for v in self.variants)

    def collision_texts(self) -> list:
        """One sentence per collision left in the quiz (variant, entry, kind, values)."""
        return [collision_text(v.number, entry, w, e.shown, e.tolerance_text)
                for v in self.variants for e in v.entries for entry, w in
                ((e.entry, w) for w in e.collisions)]


def collision_text(number: int, entry: str, wrong: Wrong, shown: str, tol: str) -> str:
    return (f"variant {number}, {entry}: the {wrong.kind} mistake gives {wrong.shown}, inside "
            f"the window {shown} ± {tol} ({wrong.text})")


# ----------------------------------------------------------------------------- windows

def decimal_text(d: Decimal) -> str:
    """A Decimal as plain text a platform parses: 0.005, 12.5, 5E-12 for tiny widths."""
    if not d:
        return "0"
    if -7 <= d.adjusted() < 15:
        text = format(d, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return format(d.normalize(), "E")


def window(rule, correct, key: str | None = None) -> Decimal:
    """The absolute half-width of the window the rule gives around ``correct``."""
    with localcontext() as ctx:
        ctx.prec = num.WORK_DPS + 10
        true = abs(num.to_decimal(correct))
        if rule.kind == "places":
            text = key if key is not None else _key(correct)
            return Decimal(5).scaleb(Decimal(text).as_tuple().exponent - 1)
        if rule.kind == "sigfigs":
            return Decimal(5).scaleb(true.adjusted() - rule.sigfigs) if true else Decimal(0)
        widths = []
        if rule.rel is not None:
            widths.append(num.to_decimal(rule.rel) * true)
        if rule.abs is not None:
            widths.append(num.to_decimal(rule.abs))
        width = max(widths)
        if not width:
            return Decimal(0)
        return width.quantize(Decimal(1).scaleb(width.adjusted() - TOLERANCE_DIGITS + 1),
                              rounding=ROUND_DOWN)


def _key(x) -> str:
    from hwsolve.teach.vary import key_text
    return key_text(x)


def shown_text(x) -> str:
    return num.fmt_sig(x, SHOWN_DIGITS)


def inside(value, shown: str, tol: Decimal) -> bool:
    """Does ``value`` lie in the window ``shown ± tol`` (decided on Decimals, not floats)?"""
    with localcontext() as ctx:
        ctx.prec = num.WORK_DPS + 10
        return abs(num.to_decimal(value) - Decimal(shown)) <= tol


def fraction_text(x) -> str | None:
    """'8/3' for an exact rational that is not a decimal of at most 8 places."""
    if not num.is_exact(x) or x.denominator == 1:
        return None
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1 and 10 ** 8 % x.denominator == 0:
        return None
    return f"{x.numerator}/{x.denominator}"


# ----------------------------------------------------------------------------- building

def quiz_entries(ref, problem, rule, worlds: list | None = None) -> list:
    """Every asked entry of one solved variant with its window and its diagnosis values."""
    from hwsolve.teach import worlds as building
    from hwsolve.teach.grade import asked_entries

    if worlds is None:
        worlds = building.build(ref)
    found = []
    for entry in asked_entries(ref, problem):
        target = ref.target(entry, problem.file, None)
        correct = ref.correct(target)
        shown = shown_text(correct)
        tol = window(rule, correct)
        if not inside(correct, shown, tol):   # a window of width 0 around an inexact value
            shown = num.exact_text(correct) or shown
        item = QuizEntry(entry, correct, shown, tol, fraction_text(correct))
        seen = {shown}
        for world in worlds:
            try:
                value = world.value(ref, target)
            except (ArithmeticError, ValueError, TypeError):
                continue
            if value is None:
                continue
            text = shown_text(value)
            if text in seen:
                continue   # this mistake does not change this entry (or another gave it)
            seen.add(text)
            wrong = Wrong(world.kind, world.text, value, text)
            (item.collisions if inside(value, shown, tol) else item.wrongs).append(wrong)
        found.append(item)
    return found


def build(problem, count: int, *, seed: int = 0, rule=None, rule_text: str | None = None,
          redraw: bool = True, grids: list | None = None) -> Quiz:
    """The quiz of ``count`` variants of ``problem`` (drawn as ``hwsolve vary --seed``).

    With ``redraw`` a variant with a collision is replaced by the next one of the same seed
    (up to ``REDRAWS``·count more draws); the replaced variants are listed in
    ``Quiz.redrawn``, and where too few clean variants exist the colliding ones are kept and
    their collisions stay listed (``Quiz.collision_texts``).
    """
    from hwsolve.teach import reference
    from hwsolve.teach.tolerance import GRADING_DEFAULT
    from hwsolve.teach.vary import vary

    rule = rule or GRADING_DEFAULT
    if count < 1:
        raise HwsolveError("a quiz needs at least one variant", where="--count")
    spare = REDRAWS * count if redraw else 0
    try:
        drawn = vary(problem, count + spare, seed, grids)
    except HwsolveError:
        if not spare:
            raise
        drawn = vary(problem, count, seed, grids)
    quiz = Quiz(problem, problem.name, problem.title, rule, rule_text or rule.describe(),
                seed, [])
    held: list = []
    for v in drawn:
        if len(quiz.variants) >= count:
            break
        ref = reference.build(v.solution)
        item = QuizVariant(v.number, v.values, v.solution, ref,
                           quiz_entries(ref, problem, rule), v.text)
        if redraw and item.collisions:
            quiz.redrawn.append((v.number, [collision_text(v.number, entry, w, "", "")
                                            for entry, w in item.collisions]))
            held.append(item)
            continue
        quiz.variants.append(item)
    for item in held:   # not enough clean draws: keep the colliding ones (and say so)
        if len(quiz.variants) >= count:
            break
        quiz.variants.append(item)
        quiz.redrawn = [r for r in quiz.redrawn if r[0] != item.number]
    quiz.variants.sort(key=lambda v: v.number)
    return quiz


def separation(quiz: Quiz) -> tuple:
    """(windows that exclude every diagnosis value, all windows)."""
    good = sum(e.separates for v in quiz.variants for e in v.entries)
    return good, quiz.windows


__all__ = ["Quiz", "QuizEntry", "QuizVariant", "Wrong", "build", "window", "separation",
           "decimal_text", "fraction_text", "Fraction"]
