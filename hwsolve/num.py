"""Numbers that stay exact while they are rational, and certified balls once they are not.

A value is a FLINT ``fmpq`` (an exact rational) as long as every step that made it was
rational, and a FLINT ``arb`` ball -- a midpoint and a radius that FLINT proves encloses the true
value -- once a transcendental function (exp, log, sqrt of a non-square, sigmoid, tanh) is
involved.  Comparisons, zero tests and ties are exact for rational values (0.1 + 0.2 equals 0.3)
and *decided from the ball* for irrational ones: a ball that excludes the boundary decides; one
that straddles it is reported to the running :class:`Computation` as undecided, and the solver
recomputes from the exact inputs at a higher precision, tries a SymPy proof, or says so (see
:mod:`hwsolve.engine.precision`).  Since every ball is an enclosure, a value computed at a lower
precision is never wrong, only wider: precision changes how much a computation can decide, not
what it computes.

The precision is a property of one computation (:func:`computation`, kept in a context
variable), not of this module.  Inputs may also be ``fractions.Fraction`` or ``int`` (the spec's
numbers); every result is an ``fmpq`` or an ``arb``.  Every function raises
:class:`NumericError` (a bare sentence) for a point outside its domain; the solver adds the node
name and turns it into a user-facing error.
"""

from __future__ import annotations

import contextvars
import math
import numbers
from contextlib import contextmanager
from fractions import Fraction

from flint import arb, ctx as _flint, fmpq, fmpz

numbers.Rational.register(fmpq)  # so that Fraction(1, 2) == fmpq(1, 2), as for any rational

WORK_BITS = 203
"""The precision every computation starts at (about 60 significant digits)."""
WORK_DPS = 60
NEEDED_BITS = 112
"""Relative accuracy every displayed value must have (more than the 30 digits ``--digits``
allows, with margin); the solver raises the precision until it does, or says why not."""

MAX_EXACT_BITS = 2048
"""A rational whose numerator or denominator grows past this (about 600 digits) continues as a
ball, so that no value grows without bound: hostile graphs (a matrix squared forty times)
neither exhaust memory nor spend minutes on exact digits nobody reads."""

MAX_EXP_ARG = 10 ** 12
"""exp, sigmoid and tanh refuse arguments beyond this magnitude: far past any saturation."""

ZERO = fmpq(0)
ONE = fmpq(1)
HALF = fmpq(1, 2)

Number = fmpq | arb


class NumericError(ArithmeticError):
    """A value outside a function's domain (the message is one sentence)."""


# ----------------------------------------------------------------------------- computations

class Computation:
    """One computation's precision, and the decisions its balls could not take.

    ``undecided`` counts each sign, zero, tie or branch whose ball straddled the boundary; the
    solver compares it before and after a node to know whether to recompute that node's part
    of the problem more precisely."""
    __slots__ = ("bits", "undecided", "negations")

    def __init__(self, bits: int = WORK_BITS):
        self.bits = bits
        self.undecided = 0
        self.negations: dict = {}   # id(-x) -> (x, -x): balls that are exact negations


MAX_NEGATIONS = 50_000
"""How many exact negations a computation remembers (forgetting one only loses an exact 0)."""


def _negation(x: arb) -> arb:
    """-x, remembered as the exact negation of the very same ball: x + (-x) is then exactly 0
    (the same quantity minus itself), as the chain rule's ±1 partials need (d/dH of
    abs(f(H) - H) where f(H) = H + g: the two paths cancel exactly)."""
    y = -x
    table = current().negations
    if len(table) >= MAX_NEGATIONS:
        table.clear()
    table[id(y)] = (x, y)
    return y


def _negates(x, y) -> bool:
    """Is one of the balls x, y the remembered exact negation of the other?"""
    table = current().negations
    found = table.get(id(y))
    if found is not None and found[0] is x and found[1] is y:
        return True
    found = table.get(id(x))
    return found is not None and found[0] is y and found[1] is x


_current: contextvars.ContextVar = contextvars.ContextVar("hwsolve_computation")


def current() -> Computation:
    found = _current.get(None)
    if found is None:
        found = Computation(_flint.prec)
        _current.set(found)
    return found


@contextmanager
def computation(bits: int = WORK_BITS):
    """Compute at ``bits`` inside the block; yields the :class:`Computation`."""
    state = Computation(bits)
    token = _current.set(state)
    saved, _flint.prec = _flint.prec, bits
    try:
        yield state
    finally:
        _flint.prec = saved
        _current.reset(token)


@contextmanager
def precision(bits: int):
    """As :func:`computation`, keeping the undecided count of the enclosing computation."""
    outer = current()
    with computation(bits) as state:
        state.undecided = outer.undecided
        try:
            yield state
        finally:
            outer.undecided = state.undecided


def working_bits() -> int:
    return current().bits


def undecided() -> int:
    """How many decisions the current computation could not take from its balls so far."""
    return current().undecided


cancellations = undecided  # the name of the former counter


def _undecided() -> None:
    current().undecided += 1


_flint.prec = WORK_BITS  # FLINT's own default (53 bits) is for floats, not for this module


# ----------------------------------------------------------------------------- conversion

def exact(x) -> fmpq:
    """An exact rational (Fraction, int, fmpz or fmpq) as an fmpq."""
    t = type(x)
    if t is fmpq:
        return x
    if t is Fraction:
        return fmpq(x.numerator, x.denominator)
    if t is int or t is fmpz:
        return fmpq(x)
    raise TypeError(f"not an exact rational: {x!r}")


def number(x):
    """A value as this module's type: an fmpq (from any exact rational) or an arb."""
    t = type(x)
    if t is fmpq or t is arb:
        return x
    return exact(x)


def is_exact(x) -> bool:
    t = type(x)
    return t is fmpq or t is Fraction or t is int


def to_fraction(x) -> Fraction | None:
    """A rational value as a Fraction (None for a ball)."""
    t = type(x)
    if t is fmpq:
        return Fraction(int(x.p), int(x.q))
    if t is Fraction:
        return x
    if t is int:
        return Fraction(x)
    return None


def _coprime_fraction(p: int, q: int) -> Fraction:
    """A Fraction from a numerator and a positive denominator already in lowest terms (as an
    fmpq's are), without Fraction's gcd."""
    f = object.__new__(Fraction)
    f._numerator, f._denominator = p, q
    return f


def public(x):
    """A value as the library hands it out: an exact rational as a ``fractions.Fraction``
    (whose numerator and denominator are Python ints, as callers expect), a ball as itself."""
    return _coprime_fraction(int(x.p), int(x.q)) if type(x) is fmpq else x


def to_ball(x) -> arb:
    return x if type(x) is arb else arb(exact(x))


def to_mpf(x):
    """The value as an mpmath number at its own precision (tests and references; imports
    mpmath, which the solver itself never needs)."""
    import mpmath
    if type(x) is arb:
        man, exp_ = x.mid().man_exp()
        return mpmath.mpf((int(man), int(exp_)))
    x = exact(x)
    return mpmath.mpf(int(x.p)) / int(x.q)


def accuracy_bits(x) -> int | None:
    """The certified relative accuracy of a ball in bits (None for an exact value; negative
    or 0 when the ball contains 0 or is not finite)."""
    if type(x) is not arb:
        return None
    if x.is_exact():
        return None
    return x.rel_accuracy_bits()


def accurate(x, bits: int = NEEDED_BITS) -> bool:
    """Exact, or a ball that proves ``bits`` bits of the value."""
    if type(x) is not arb or x.is_exact():
        return True
    return x.is_finite() and x.rel_accuracy_bits() >= bits


def _fit(x: fmpq) -> Number:
    """Keep a rational exact unless it has grown past MAX_EXACT_BITS."""
    if x.height_bits() > MAX_EXACT_BITS:
        return arb(x)
    return x


def to_float(x) -> float:
    """The nearest float to the midpoint; ±inf past float range, ±0.0 below it."""
    t = type(x)
    if t is arb:
        return float(x)
    if t is Fraction:
        try:
            return x.numerator / x.denominator  # correctly rounded, without numbers.Rational
        except OverflowError:
            return float("inf") if x > 0 else float("-inf")
    x = exact(x)
    try:
        return int(x.p) / int(x.q)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


# ----------------------------------------------------------------------------- decisions

def sign(a) -> int:
    """-1, 0 or 1.  A ball straddling 0 (and not exactly 0) is undecided: it counts as such
    in the current computation and gives 0 (the kink's convention) until recomputed."""
    t = type(a)
    if t is arb:
        if a > 0:
            return 1
        if a < 0:
            return -1
        if not a.is_zero():
            _undecided()
        return 0
    if t is not fmpq:
        a = exact(a)
    return (a > 0) - (a < 0)


def is_zero(a) -> bool:
    """A zero test taken from the ball (undecided when it straddles 0)."""
    return sign(a) == 0


def cmp(a, b) -> int:
    """-1, 0 or 1: exact for rationals, from the ball of the difference otherwise."""
    if a is b:
        return 0  # the very same value (max(H, H)): equal at any precision
    a, b = number(a), number(b)
    if type(a) is fmpq and type(b) is fmpq:
        return (a > b) - (a < b)
    return sign(a - b)


def larger(a, b) -> bool:
    """Is ``a`` larger than ``b`` by the midpoints?  Not a decision: for choices that do not
    change the result, only its rounding (the shift of a stable softmax), never counted."""
    a, b = number(a), number(b)
    if type(a) is fmpq and type(b) is fmpq:
        return a > b
    return to_ball(a).mid() > to_ball(b).mid()


# ----------------------------------------------------------------------------- arithmetic

def add(a, b) -> Number:
    if a is ZERO:
        return b if type(b) in (fmpq, arb) else number(b)
    if b is ZERO:
        return a if type(a) in (fmpq, arb) else number(a)
    if type(a) is fmpq and type(b) is fmpq:
        return _fit(a + b)
    a, b = number(a), number(b)
    if type(a) is fmpq and type(b) is fmpq:
        return _fit(a + b)
    if type(a) is arb and type(b) is arb and _negates(a, b):
        return ZERO
    return a + b


accumulate = add  # summing gradients: the same certified sum


def sub(a, b) -> Number:
    if a is b:
        return ZERO  # the very same value (H - H): zero at any precision
    if type(a) is fmpq and type(b) is fmpq:
        return _fit(a - b)
    a, b = number(a), number(b)
    if type(a) is fmpq and type(b) is fmpq:
        return _fit(a - b)
    return a - b


def neg(a) -> Number:
    a = number(a)
    return _negation(a) if type(a) is arb else -a


def mul(a, b) -> Number:
    """Product; an exact zero times anything is an exact zero (gradients stay exact)."""
    if a is ONE:
        return number(b)
    if b is ONE:
        return number(a)
    if type(a) is fmpq and type(b) is fmpq:
        return _fit(a * b)
    a, b = number(a), number(b)
    if type(a) is fmpq:
        if type(b) is fmpq:
            return _fit(a * b)
        a, b = b, a
    if type(b) is fmpq:  # a ball times an exact rational
        if not b:
            return ZERO
        if b == 1:
            return a  # the very same ball: a sum with its negation stays exactly 0
        if b == -1:
            return _negation(a)
    return a * b


def div(a, b) -> Number:
    a, b = number(a), number(b)
    if type(b) is fmpq:
        if not b:
            raise NumericError("division by zero")
        if type(a) is fmpq:
            return _fit(a / b)
        return a / b
    if type(a) is fmpq and not a:
        return ZERO
    if sign(b) == 0:
        if b.is_zero():
            raise NumericError("division by zero")
        # undecided (counted by sign): the quotient is not finite at this precision
    return a / b


def abs_(a) -> Number:
    return a if sign(a) >= 0 else neg(a)


def _exact_root(x: fmpq, q: int) -> fmpq | None:
    """The exact q-th root of a non-negative rational, or None if it is irrational."""
    roots = []
    for part in (int(x.p), int(x.q)):
        r = _int_root(part, q)
        if r ** q != part:
            return None
        roots.append(r)
    return fmpq(roots[0], roots[1])


def _int_root(n: int, q: int) -> int:
    """floor(n ** (1/q)) for n >= 0, by Newton's method on integers."""
    if n < 2:
        return n
    r = 1 << -(-n.bit_length() // q)
    while True:
        s = ((q - 1) * r + n // r ** (q - 1)) // q
        if s >= r:
            return r
        r = s


def _log_abs(a) -> float:
    """ln|a| as a float, also for values far beyond float range (a nonzero)."""
    if type(a) is fmpq:
        return math.log(abs(int(a.p))) - math.log(int(a.q))
    with precision(64):
        return float(abs(a).log().mid())


def _log_log_abs(a) -> float:
    """ln|ln|a|| as a float (|a| not 1): the size of ln|a| also when |a| is very near 1."""
    if type(a) is fmpq:
        n, d = abs(int(a.p)), int(a.q)
        if 2 * abs(n - d) < d:  # ln|a| = ln(1 + t) with |t| < 1/2: within ln 2 of ln|t|
            return math.log(abs(n - d)) - math.log(d)
    size = abs(_log_abs(a))
    return math.log(size) if size > 0 else -math.inf


def power(a, b) -> Number:
    """a ** b over the reals: exact when the result is rational and of modest size.

    Bounded as exp is: a result beyond about e^±MAX_EXP_ARG is refused before any work."""
    a, b = number(a), number(b)
    if type(b) is fmpq and not b:
        return ONE  # x ** 0 = 1 for every x, 0 ** 0 included (as in PyTorch)
    if is_zero(a):
        if cmp(b, ZERO) < 0:
            raise NumericError("division by zero (0 raised to a negative power)")
        return ZERO
    integral = type(b) is fmpq and b.q == 1
    if sign(a) < 0 and not integral:
        raise NumericError("a negative number raised to a non-integer power is not real")
    if type(a) is fmpq and (a == 1 or a == -1):
        return ONE if a == 1 or int(b.p) % 2 == 0 else -ONE
    log_size = _log_abs(b) + _log_log_abs(a)  # ln|ln|a ** b||
    if log_size > math.log(MAX_EXP_ARG):
        raise NumericError(f"{fmt_sig(a, 6)} ** {fmt_sig(b, 6)} is too large in magnitude to "
                           f"evaluate (its size is beyond e^±{MAX_EXP_ARG:.0e}, the limit)")
    if type(a) is fmpq and type(b) is fmpq and b.q <= 64:
        size = a.height_bits() * abs(int(b.p))
        if size <= MAX_EXACT_BITS:
            if integral:
                return a ** int(b.p)
            root = _exact_root(a, int(b.q)) if a > 0 else None
            if root is not None:
                return root ** int(b.p)
    if integral:
        return to_ball(a) ** int(b.p)
    return (to_ball(b) * to_ball(a).log()).exp()


def _check_exp_arg(x) -> None:
    if abs(to_float(x)) > MAX_EXP_ARG:
        raise NumericError(f"the argument {fmt_sig(x, 6)} is too large in magnitude to evaluate "
                           f"(the limit is {MAX_EXP_ARG:.0e})")


def exp(x) -> Number:
    x = number(x)
    if type(x) is fmpq and not x:
        return ONE
    _check_exp_arg(x)
    return arb(x).exp() if type(x) is fmpq else x.exp()


def log(x) -> Number:
    x = number(x)
    if type(x) is fmpq:
        if x <= 0:
            raise NumericError(f"log of a non-positive number ({fmt_sig(x, 6)})")
        return ZERO if x == 1 else arb(x).log()
    if x <= 0:
        raise NumericError(f"log of a non-positive number ({fmt_sig(x, 6)})")
    if not x > 0:
        _undecided()  # a ball straddling 0: its log is not finite at this precision
    return x.log()


def log1p(x) -> Number:
    """log(1 + x), accurate also where 1 + x rounds to 1 (x = e^-2000000)."""
    x = number(x)
    if type(x) is fmpq:
        if x <= -1:
            raise NumericError(f"log of a non-positive number (1 + {fmt_sig(x, 6)})")
        return ZERO if not x else arb(x).log1p()
    if x <= -1:
        raise NumericError(f"log of a non-positive number (1 + {fmt_sig(x, 6)})")
    if not x > -1:
        _undecided()
    return x.log1p()


def sqrt(x) -> Number:
    x = number(x)
    if type(x) is fmpq:
        if x < 0:
            raise NumericError(f"square root of a negative number ({fmt_sig(x, 6)})")
        root = _exact_root(x, 2)
        return root if root is not None else arb(x).sqrt()
    if x < 0:
        raise NumericError(f"square root of a negative number ({fmt_sig(x, 6)})")
    if not x >= 0:
        _undecided()  # a ball straddling 0: sqrt of its non-negative part
        return x.nonnegative_part().sqrt()
    return x.sqrt()


def _ball_of(x) -> arb:
    _check_exp_arg(x)
    return arb(x) if type(x) is fmpq else x


def sigmoid(x) -> Number:
    x = number(x)
    if type(x) is fmpq and not x:
        return HALF
    v = _ball_of(x)
    return 1 / (1 + (-v).exp())


def tanh(x) -> Number:
    x = number(x)
    if type(x) is fmpq and not x:
        return ZERO
    return _ball_of(x).tanh()


def sigmoid_slope(x) -> Number:
    """σ'(x) = e^(-x)/(1 + e^(-x))², with one exponential."""
    x = number(x)
    if type(x) is fmpq and not x:
        return fmpq(1, 4)
    e = (-_ball_of(x)).exp()
    d = 1 + e
    return e / (d * d)


def tanh_slope(x) -> Number:
    """tanh'(x) = sech(x)², without the cancellation in 1 - tanh(x)²."""
    x = number(x)
    if type(x) is fmpq and not x:
        return ONE
    s = _ball_of(x).sech()
    return s * s


def erf(x) -> Number:
    """The error function (GELU's exact form x·Φ(x) = x/2·(1 + erf(x/√2))), a certified ball."""
    x = number(x)
    if type(x) is fmpq and not x:
        return ZERO
    _check_exp_arg(x)
    return _ball_of(x).erf()


def pi() -> Number:
    """π at the computation's precision, a certified ball."""
    return arb.pi()


def softplus(x) -> Number:
    """log(1 + e^x), finite and accurate for any x (used by the bce loss)."""
    x = number(x)
    if type(x) is fmpq and not x:
        return arb(2).log()
    v = _ball_of(x)
    if v > 0:
        return v + (-v).exp().log1p()
    return v.exp().log1p()


# ----------------------------------------------------------------------------- presentation

from hwsolve.numtext import (MAX_LITERAL_DIGITS, MAX_LITERAL_EXPONENT,  # noqa: E402,F401
                             csv_token, exact_text, fmt_sig, json_dumps, json_token,
                             key_decision, key_matches, parse_decimal, relative_error,
                             to_decimal)


# --- training helpers (issue 15: every optimizer linear in its steps) ---
# Used by hwsolve.engine.optim between steps, so that no number of a training run grows without
# bound.  A param or a state entry stays exact while it is short; past TRAIN_EXACT_BITS it
# continues from its value rounded at the working precision, and a ball continues from its
# midpoint: carrying the radius from step to step compounds it (the wrapping effect of
# p − η·g(p)), so that 2,000 rmsprop steps of mazur_2_2_2 left no certified digit, against 201
# bits when re-centred.  The digits of a long run are therefore those of the run computed from
# each step's rounded params (a perturbation of 2^-200 relative per step), as in any training
# run, not a ball around the exact-real run (README, "Long runs").

TRAIN_EXACT_BITS = 512
"""A training run keeps a param or an optimizer state entry exact while its numerator and
denominator stay within this many bits (a few dozen steps of a rational run)."""


def bounded(x, bits: int | None = None) -> Number:
    """``x`` itself while it is a short rational; a long rational rounded at the working
    precision, and a ball re-centred on its midpoint (see above)."""
    bits = TRAIN_EXACT_BITS if bits is None else bits
    x = number(x)
    if type(x) is fmpq:
        if int(x.p).bit_length() > bits or int(x.q).bit_length() > bits:
            return arb(arb(x).mid())
        return x
    return arb(x.mid())


def _exactly_zero(x) -> bool:
    return x.is_zero() if type(x) is arb else not x


def moment(beta, keep, m, g, square: bool = False) -> Number:
    """β·m + (1 − β)·g, or β·m + (1 − β)·g² with ``square`` (``keep`` is 1 − β)."""
    g = number(g)
    return add(mul(beta, m), mul(keep, mul(g, g) if square else g))


def scaled_step(p, rate, top, second, scale, eps) -> Number | None:
    """p − rate·top/(√second/scale + ε) (``scale`` None: p − rate·top/(√second + ε)) for a
    second moment ≥ 0; None when the denominator is exactly 0 (the caller names the division)."""
    second = number(second)
    root = ZERO if _exactly_zero(second) else sqrt(second)
    if scale is not None and not _exactly_zero(root):
        root = div(root, scale)
    denominator = add(root, eps)
    if _exactly_zero(number(denominator)):
        return None
    if _exactly_zero(number(top)):
        return number(p)
    return sub(p, mul(rate, div(top, denominator)))


def adam_entry(p, m, v, g, b1, keep1, b2, keep2, step_size, root, eps) -> tuple:
    """One entry of an Adam step, (p', m', v'): m' = β₁·m + (1 − β₁)·g, v' = β₂·v + (1 − β₂)·g²,
    p' = p − step_size·m'/(√v'/root + ε); p' is None when that denominator is exactly 0."""
    m2 = moment(b1, keep1, m, g)
    v2 = moment(b2, keep2, v, g, square=True)
    return scaled_step(p, step_size, m2, v2, root, eps), m2, v2
