"""Numbers that stay exact while they are rational.

A value is a :class:`fractions.Fraction` as long as every step that made it was rational,
and an :class:`mpmath.mpf` carrying ``WORK_DPS`` significant digits once a transcendental
function (exp, log, sqrt of a non-square, sigmoid, tanh) is involved.  Comparisons, zero tests
and ties are therefore exact for rational values: 0.1 + 0.2 equals 0.3 here.

The precision is this module's own: every function works on mpmath's raw tuples at
``working_bits()`` (``WORK_BITS`` unless :func:`precision` raises it), whatever precision the
global mpmath context has.  A sum or difference of irrational values that cancels below the
rounding of its terms is returned as an exact zero and *counted* (:func:`cancellations`): the
solver then recomputes from the exact inputs at a higher precision (see
:mod:`hwsolve.engine.precision`), so that no tie or zero is decided by a guess.

Every function raises :class:`NumericError` (a bare sentence) for a point outside its domain;
the solver adds the node name and turns it into a user-facing error.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import lru_cache
from fractions import Fraction

import mpmath
from mpmath import mpf
from mpmath.libmp import (fone, from_int, from_rational, fzero, mpf_add, mpf_cosh, mpf_div,
                          mpf_exp, mpf_log, mpf_mul, mpf_neg, mpf_pow, mpf_pow_int, mpf_sqrt,
                          mpf_sub, mpf_tanh, to_float as _raw_float)

WORK_DPS = 60
"""Working precision for irrational values; results are reported to at least 30 digits."""
WORK_BITS = 203  # mpmath's binary precision at WORK_DPS

MAX_EXACT_BITS = 8192
"""A rational whose numerator or denominator grows past this continues as an mpf, so that
hostile graphs (x*x*x... squared forty times) cannot exhaust memory."""

MAX_EXP_ARG = 10 ** 12
"""exp, sigmoid and tanh refuse arguments beyond this magnitude: far past any saturation,
and large enough arguments would make mpmath's argument reduction need unbounded precision."""

ZERO = Fraction(0)
ONE = Fraction(1)
HALF = Fraction(1, 2)

Number = Fraction | mpf

class NumericError(ArithmeticError):
    """A value outside a function's domain (the message is one sentence)."""


# ----------------------------------------------------------------------------- precision

_bits = WORK_BITS          # the working precision of every function below
_cancelled_count = 0       # how many sums cancelled below rounding (see _cancelled)
_GUARD = 12                # extra bits for the intermediate steps of sigmoid, sech², softplus


def working_bits() -> int:
    return _bits


@contextmanager
def precision(bits: int):
    """Compute at ``bits`` instead of WORK_BITS inside the block (used to resolve ties)."""
    global _bits
    saved, _bits = _bits, bits
    try:
        yield
    finally:
        _bits = saved


def cancellations() -> int:
    """A counter that grows each time a sum cancelled below the rounding of its terms: a zero
    (or a tie, or a sign) that this precision could not decide."""
    return _cancelled_count


# ----------------------------------------------------------------------------- conversion

def is_exact(x: Number) -> bool:
    return type(x) is Fraction


_make = mpmath.mp.make_mpf  # wraps a raw tuple as it is: no rounding to the global precision


def to_mpf(x: Number) -> mpf:
    if type(x) is Fraction:
        return _make(_rational_raw(x.numerator, x.denominator, _bits))
    return x


def _fit(x: Fraction) -> Number:
    """Keep a rational exact unless it has grown past MAX_EXACT_BITS."""
    if x.numerator.bit_length() > MAX_EXACT_BITS or x.denominator.bit_length() > MAX_EXACT_BITS:
        return to_mpf(x)
    return x


def to_float(x: Number) -> float:
    """The nearest float; ±inf past float range, ±0.0 below it (see :func:`json_token`)."""
    if type(x) is Fraction:
        try:
            return float(x)
        except OverflowError:
            return float("inf") if x > 0 else float("-inf")
    return _raw_float(x._mpf_, False, "n")


# ----------------------------------------------------------------------------- arithmetic

# Irrational arithmetic works on mpmath's raw (sign, mantissa, exponent, bitcount) tuples at
# the module's own precision: about three times faster than going through mpf objects, and
# independent of whatever precision the global mpmath context happens to have.


@lru_cache(maxsize=4096)
def _rational_raw(numerator: int, denominator: int, bits: int) -> tuple:
    """Rationals meet irrationals mostly as the same few weights and constants: cache them."""
    return from_rational(numerator, denominator, bits, "n")


def _raw(x: Number) -> tuple:
    if type(x) is Fraction:
        return _rational_raw(x.numerator, x.denominator, _bits)
    return x._mpf_


def _magnitude(raw: tuple) -> int:
    """log2 of |x|, to within one (exponent plus bit count of the mantissa)."""
    return raw[2] + raw[3]


def _cancelled(total: tuple, a: tuple, b: tuple, exact_is_zero: bool = False) -> Number:
    """A sum smaller than the rounding error of its terms is returned as an exact zero, and
    counted: sqrt(2)·sqrt(2) - 2 leaves about 1e-60 of rounding noise, but so does
    exp(2) + 1e-58 - exp(2), whose true value is 1e-58.  The caller (the solver) sees the count
    grow and recomputes at a higher precision; a value that is genuinely tiny (exp(-200)) does
    not come from such a cancellation and is kept."""
    global _cancelled_count
    if total != fzero:
        largest = max(_magnitude(a) if a != fzero else -(10 ** 18),
                      _magnitude(b) if b != fzero else -(10 ** 18))
        if _magnitude(total) > largest - (_bits - 16):
            return _make(total)
    elif exact_is_zero or (a == fzero and b == fzero):
        return ZERO
    _cancelled_count += 1
    return ZERO


def add(a: Number, b: Number, exact_is_zero: bool = False) -> Number:
    """a + b; a sum that cancels below the rounding of its terms is an exact zero, counted
    for the solver to recompute at a higher precision (see :func:`_cancelled`)."""
    if a is ZERO:
        return b
    if b is ZERO:
        return a
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a + b)
    ra, rb = _raw(a), _raw(b)
    return _cancelled(mpf_add(ra, rb, _bits, "n"), ra, rb, exact_is_zero)


def accumulate(a: Number, b: Number) -> Number:
    """a + b for summing gradients: as :func:`add`, except that terms equal to the last bit
    with opposite signs give an uncounted exact zero.  Such pairs are the true zeros of the
    chain rule (d/dH of abs(f + H - H)); a gradient decides no kink, so only a near-cancellation
    leaving noise is counted (and recomputed at higher precision)."""
    return add(a, b, exact_is_zero=True)


def sub(a: Number, b: Number) -> Number:
    if b is ZERO:
        return a
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a - b)
    if a is b:
        return ZERO  # the very same value (max(H, H), H - H): equal at any precision
    ra, rb = _raw(a), _raw(b)
    return _cancelled(mpf_sub(ra, rb, _bits, "n"), ra, rb)


def neg(a: Number) -> Number:
    if type(a) is Fraction:
        return -a
    return _make(mpf_neg(a._mpf_))


def mul(a: Number, b: Number) -> Number:
    """Product; an exact zero times anything is an exact zero (gradients stay exact)."""
    if a is ONE:
        return b
    if b is ONE:
        return a
    # Types first, then zeros on the raw tuples: an mpf's truth test goes through mpmath's
    # context, and a training run multiplies hundreds of thousands of times.
    if type(a) is Fraction:
        if not a:
            return ZERO
        if type(b) is Fraction:
            return _fit(a * b)
        rb = b._mpf_
        if rb == fzero:
            return ZERO
        ra = _rational_raw(a.numerator, a.denominator, _bits)
    else:
        ra = a._mpf_
        if ra == fzero:
            return ZERO
        if type(b) is Fraction:
            if not b:
                return ZERO
            rb = _rational_raw(b.numerator, b.denominator, _bits)
        else:
            rb = b._mpf_
            if rb == fzero:
                return ZERO
    return _make(mpf_mul(ra, rb, _bits, "n"))


def div(a: Number, b: Number) -> Number:
    if not b:
        raise NumericError("division by zero")
    if not a:
        return ZERO
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a / b)
    return _make(mpf_div(_raw(a), _raw(b), _bits, "n"))


def cmp(a: Number, b: Number) -> int:
    """-1, 0 or 1: exact for rationals; for irrationals a difference below rounding is a tie
    here, and counted (see :func:`cancellations`)."""
    if type(a) is Fraction and type(b) is Fraction:
        return (a > b) - (a < b)
    return sign(sub(a, b))


def sign(a: Number) -> int:
    if type(a) is Fraction:
        return (a.numerator > 0) - (a.numerator < 0)
    raw = a._mpf_
    return 0 if raw == fzero else (-1 if raw[0] else 1)


def _exact_root(x: Fraction, q: int) -> Fraction | None:
    """The exact q-th root of a non-negative rational, or None if it is irrational."""
    roots = []
    for part in (x.numerator, x.denominator):
        r = _int_root(part, q)
        if r ** q != part:
            return None
        roots.append(r)
    return Fraction(roots[0], roots[1])


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


def _log_abs(a: Number) -> float:
    """ln|a| as a float, also for values far beyond float range (a nonzero)."""
    if type(a) is Fraction:
        return math.log(abs(a.numerator)) - math.log(a.denominator)
    return _raw_float(mpf_log(_raw(abs_(a)), 53, "n"), False, "n")


def _log_log_abs(a: Number) -> float:
    """ln|ln|a|| as a float (|a| not 1): the size of ln|a| also when |a| is very near 1."""
    if type(a) is Fraction:
        n, d = abs(a.numerator), a.denominator
        if 2 * abs(n - d) < d:  # ln|a| = ln(1 + t) with |t| < 1/2: within ln 2 of ln|t|
            return math.log(abs(n - d)) - math.log(d)
    return math.log(abs(_log_abs(a)))


def abs_(a: Number) -> Number:
    return a if sign(a) >= 0 else neg(a)


def power(a: Number, b: Number) -> Number:
    """a ** b over the reals: exact when the result is rational and of modest size.

    Bounded as exp is: a result beyond about e^±MAX_EXP_ARG is refused before any work, so a
    tower such as 3 ** 10 ** 301030 is an error in microseconds, not a hang."""
    if not b:
        return ONE  # x ** 0 = 1 for every x, 0 ** 0 included (as in PyTorch)
    if not a:
        if cmp(b, ZERO) < 0:
            raise NumericError("division by zero (0 raised to a negative power)")
        return ZERO
    integral = type(b) is Fraction and b.denominator == 1
    if sign(a) < 0 and not integral:
        raise NumericError("a negative number raised to a non-integer power is not real")
    if a == 1 or a == -1:
        return ONE if a == 1 or b.numerator % 2 == 0 else -ONE
    log_size = _log_abs(b) + _log_log_abs(a)  # ln|ln|a ** b||
    if log_size > math.log(MAX_EXP_ARG):
        raise NumericError(f"{fmt_sig(a, 6)} ** {fmt_sig(b, 6)} is too large in magnitude to "
                           f"evaluate (its size is beyond e^±{MAX_EXP_ARG:.0e}, the limit)")
    if type(a) is Fraction and type(b) is Fraction and b.denominator <= 64:
        size = max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(b.numerator)
        if size <= MAX_EXACT_BITS:
            if integral:
                return a ** b.numerator
            root = _exact_root(a, b.denominator) if a > 0 else None
            if root is not None:
                return root ** b.numerator
    # The base's rounding error grows |b|-fold: give it the bits of b as guard bits.
    wide = _bits + _GUARD + max(0, int(_log_abs(b) / math.log(2)) + 1)
    base = _rational_raw(a.numerator, a.denominator, wide) if type(a) is Fraction else a._mpf_
    if integral:
        return _make(mpf_pow_int(base, b.numerator, _bits, "n"))
    return _make(mpf_pow(base, _raw(b), _bits, "n"))


def _check_exp_arg(x: Number) -> None:
    if abs(to_float(x)) > MAX_EXP_ARG:
        raise NumericError(f"the argument {fmt_sig(x, 6)} is too large in magnitude to evaluate "
                           f"(the limit is {MAX_EXP_ARG:.0e})")


def exp(x: Number) -> Number:
    if not x:
        return ONE
    _check_exp_arg(x)
    return _make(mpf_exp(_raw(x), _bits, "n"))


def log(x: Number) -> Number:
    if cmp(x, ZERO) <= 0:
        raise NumericError(f"log of a non-positive number ({fmt_sig(x, 6)})")
    if x == 1:
        return ZERO
    return _make(mpf_log(_raw(x), _bits, "n"))


def sqrt(x: Number) -> Number:
    if cmp(x, ZERO) < 0:
        raise NumericError(f"square root of a negative number ({fmt_sig(x, 6)})")
    if type(x) is Fraction:
        root = _exact_root(x, 2)
        if root is not None:
            return root
    return _make(mpf_sqrt(_raw(x), _bits, "n"))


def _sigmoid_raw(raw: tuple) -> tuple:
    wide = _bits + _GUARD
    return mpf_div(fone, mpf_add(fone, mpf_exp(mpf_neg(raw), wide, "n"), wide, "n"), _bits, "n")


def sigmoid(x: Number) -> Number:
    if not x:
        return HALF
    _check_exp_arg(x)
    return _make(_sigmoid_raw(_raw(x)))


def tanh(x: Number) -> Number:
    if not x:
        return ZERO
    _check_exp_arg(x)
    return _make(mpf_tanh(_raw(x), _bits, "n"))


def sigmoid_slope(x: Number) -> Number:
    """σ'(x) = σ(x)·σ(-x) = e^(-x)/(1 + e^(-x))², without the cancellation in 1 - σ(x) and
    with one exponential (a training run calls this for every unit at every step)."""
    if not x:
        return Fraction(1, 4)
    _check_exp_arg(x)
    wide = _bits + _GUARD
    e = mpf_exp(mpf_neg(_raw(x)), wide, "n")
    d = mpf_add(fone, e, wide, "n")
    return _make(mpf_div(e, mpf_mul(d, d, wide, "n"), _bits, "n"))


def tanh_slope(x: Number) -> Number:
    """tanh'(x) = sech(x)², computed without the cancellation in 1 - tanh(x)²."""
    if not x:
        return ONE
    _check_exp_arg(x)
    wide = _bits + _GUARD
    cosh = mpf_cosh(_raw(x), wide, "n")
    return _make(mpf_div(fone, mpf_mul(cosh, cosh, wide, "n"), _bits, "n"))


def _log1p_raw(t: tuple) -> tuple:
    """log(1 + t) for 0 < t <= 1, accurate also where 1 + t rounds to 1."""
    if _magnitude(t) < -_bits - 2:
        return t  # log(1 + t) = t (1 - t/2 + ...): t is right to the last bit
    wide = _bits + _GUARD - min(_magnitude(t), 0)
    return mpf_log(mpf_add(fone, t, wide, "n"), _bits, "n")


def softplus(x: Number) -> Number:
    """log(1 + e^x), finite and accurate for any x (used by the bce loss)."""
    if not x:
        return _make(mpf_log(from_int(2), _bits, "n"))
    _check_exp_arg(x)
    v = _raw(x)
    if sign(x) > 0:
        wide = _bits + _GUARD
        return _make(mpf_add(v, _log1p_raw(mpf_exp(mpf_neg(v), wide, "n")), _bits, "n"))
    return _make(_log1p_raw(mpf_exp(v, _bits + _GUARD, "n")))


# ----------------------------------------------------------------------------- presentation

from hwsolve.numtext import (MAX_LITERAL_DIGITS, MAX_LITERAL_EXPONENT,  # noqa: E402,F401
                             csv_token, exact_text, fmt_sig, json_dumps, json_token,
                             key_decision, key_matches, parse_decimal, to_decimal)


# --- training helpers (h15train) ---
# Used by hwsolve.engine.optim between steps, so that no number of a training run grows
# without bound.  Written against num's public helpers only (is_exact, to_mpf).
#
# PORT TO FLINT (balls): bounded() must return the value a step continues from *without its
# radius*: an arb ball's midpoint as an exact ball (arb(x.mid())), and a too-long fmpq as
# arb(arb(x).mid()).  Carrying the radius from step to step compounds it (the wrapping effect
# of p − η·g(p)): measured on the FLINT branch, 2,000 rmsprop steps of mazur_2_2_2 left a ball
# with -3 bits of relative accuracy (no digit), against 201 bits when re-centred each step.
# Each step's digits are then those of the step computed from the previous step's rounded
# params, as in any training run; the perturbation is 2^-200 relative per step.

TRAIN_EXACT_BITS = 512
"""A training run keeps a param or an optimizer state entry exact while its numerator and
denominator stay within this many bits (a few dozen steps of a rational run); past it the entry
continues rounded at the working precision, so every step costs the same."""


def bounded(x: Number, bits: int | None = None) -> Number:
    """``x`` itself, unless it is an exact rational whose numerator or denominator is longer
    than ``bits`` (default TRAIN_EXACT_BITS): then its value rounded at the working precision.
    (An mpf has no radius to drop; see the port note above for balls.)"""
    if bits is None:
        bits = TRAIN_EXACT_BITS
    if is_exact(x) and (x.numerator.bit_length() > bits or x.denominator.bit_length() > bits):
        return to_mpf(x)
    return x


# Fused update arithmetic: one call per param entry instead of five to thirteen, the same
# roundings (each operation rounded at the working precision, as the separate calls round).
# Exact while every argument is rational.  A training step decides no tie, zero or kink, so no
# cancellation is counted here.  PORT TO FLINT: the same expressions on balls (or fmpq when
# every argument is exact).

def moment(beta: Number, keep: Number, m: Number, g: Number, square: bool = False) -> Number:
    """β·m + (1 − β)·g, or β·m + (1 − β)·g² with ``square`` (``keep`` is 1 − β)."""
    if type(m) is Fraction and type(g) is Fraction and type(beta) is Fraction \
            and type(keep) is Fraction:
        return _fit(beta * m + keep * (g * g if square else g))
    bits = _bits
    rg = _raw(g)
    if square:
        rg = mpf_mul(rg, rg, bits, "n")
    return _make(mpf_add(mpf_mul(_raw(beta), _raw(m), bits, "n"),
                         mpf_mul(_raw(keep), rg, bits, "n"), bits, "n"))


def scaled_step(p: Number, rate: Number, top: Number, second: Number, scale: Number | None,
                eps: Number) -> Number | None:
    """p − rate·top/(√second/scale + ε) (``scale`` None: p − rate·top/(√second + ε)) for a
    ``second`` moment ≥ 0; None when the denominator is exactly 0 (the caller names the
    division)."""
    if type(second) is Fraction or sign(second) == 0:
        # exact (√ of a square stays rational), or a zero moment: num's own functions
        root = sqrt(second) if second else ZERO
        if scale is not None and root:
            root = div(root, scale)
        denominator = add(root, eps)
        if sign(denominator) == 0:
            return None
        if sign(top) == 0:
            return p
        return sub(p, mul(rate, div(top, denominator)))
    if sign(top) == 0:
        return p
    bits = _bits
    root = mpf_sqrt(second._mpf_, bits, "n")
    if scale is not None:
        root = mpf_div(root, _raw(scale), bits, "n")
    denominator = mpf_add(root, _raw(eps), bits, "n")
    change = mpf_div(mpf_mul(_raw(rate), _raw(top), bits, "n"), denominator, bits, "n")
    return _make(mpf_sub(_raw(p), change, bits, "n"))


def adam_entry(p: Number, m: Number, v: Number, g: Number, b1: Number, keep1: Number,
               b2: Number, keep2: Number, step_size: Number, root: Number,
               eps: Number) -> tuple:
    """One entry of an Adam step, (p', m', v'): m' = β₁·m + (1 − β₁)·g, v' = β₂·v + (1 − β₂)·g²,
    p' = p − step_size·m'/(√v'/root + ε); p' is None when that denominator is exactly 0."""
    if type(g) is Fraction and type(m) is Fraction and type(v) is Fraction:
        m2 = moment(b1, keep1, m, g)
        v2 = moment(b2, keep2, v, g, square=True)
        return scaled_step(p, step_size, m2, v2, root, eps), m2, v2
    bits = _bits
    rg = _raw(g)
    rm = mpf_add(mpf_mul(_raw(b1), _raw(m), bits, "n"), mpf_mul(_raw(keep1), rg, bits, "n"),
                 bits, "n")
    rv = mpf_add(mpf_mul(_raw(b2), _raw(v), bits, "n"),
                 mpf_mul(_raw(keep2), mpf_mul(rg, rg, bits, "n"), bits, "n"), bits, "n")
    m2 = ZERO if rm == fzero else _make(rm)
    v2 = ZERO if rv == fzero else _make(rv)
    if rv == fzero:
        if sign(eps) == 0:
            return None, m2, v2
        denominator = _raw(eps)
    else:
        denominator = mpf_add(mpf_div(mpf_sqrt(rv, bits, "n"), _raw(root), bits, "n"),
                              _raw(eps), bits, "n")
    if rm == fzero:
        return p, m2, v2
    change = mpf_div(mpf_mul(_raw(step_size), rm, bits, "n"), denominator, bits, "n")
    return _make(mpf_sub(_raw(p), change, bits, "n")), m2, v2
