"""Numbers that stay exact while they are rational.

A value is a :class:`fractions.Fraction` as long as every step that made it was rational,
and an :class:`mpmath.mpf` carrying ``WORK_DPS`` significant digits once a transcendental
function (exp, log, sqrt of a non-square, sigmoid, tanh) is involved.  Comparisons, zero tests
and ties are therefore exact for rational values: 0.1 + 0.2 equals 0.3 here.

Every function raises :class:`NumericError` (a bare sentence) for a point outside its domain;
the solver adds the node name and turns it into a user-facing error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import mpmath
from mpmath import mpf
from mpmath.libmp import (from_rational, fone, fzero, mpf_add, mpf_div, mpf_exp, mpf_mul,
                          mpf_neg, mpf_sub)

WORK_DPS = 60
"""Working precision for irrational values; results are reported to at least 30 digits."""
WORK_BITS = 203  # mpmath's binary precision at WORK_DPS

MAX_EXACT_BITS = 8192
"""A rational whose numerator or denominator grows past this continues as an mpf, so that
hostile graphs (x*x*x... squared forty times) cannot exhaust memory."""

MAX_EXP_ARG = 10 ** 12
"""exp, sigmoid and tanh refuse arguments beyond this magnitude: far past any saturation,
and large enough arguments would make mpmath's argument reduction need unbounded precision."""

MAX_LITERAL_EXPONENT = 1000
MAX_LITERAL_DIGITS = 1000

ZERO = Fraction(0)
ONE = Fraction(1)
HALF = Fraction(1, 2)

Number = Fraction | mpf

_DECIMAL = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class NumericError(ArithmeticError):
    """A value outside a function's domain (the message is one sentence)."""


@lru_cache(maxsize=4096)
def parse_decimal(text: str) -> Fraction:
    """The exact value of a plain decimal such as ``-1.5`` or ``1e-3``.

    Raises ValueError with a sentence saying why anything else (octal-looking ``010``, hex,
    ``1_000``, ``.inf``) is refused.
    """
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        raise ValueError(_why_not_decimal(text))
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_LITERAL_EXPONENT:
        raise ValueError(f"{text!r} is out of range: exponents are limited to "
                         f"±{MAX_LITERAL_EXPONENT}")
    if sum(ch.isdigit() for ch in mantissa) > MAX_LITERAL_DIGITS:
        raise ValueError(f"a number may have at most {MAX_LITERAL_DIGITS} digits")
    return Fraction(text)


def _why_not_decimal(text: str) -> str:
    bare = text.lstrip("+-")
    if re.fullmatch(r"0[0-9]+(\.[0-9]*)?", bare):
        return (f"{text!r} has a leading zero, which YAML 1.1 reads as an octal number; "
                "write it without the leading zero")
    if re.fullmatch(r"0[xXoObB][0-9a-fA-F_]+", bare):
        return f"{text!r} is a hexadecimal, octal or binary literal; write a plain decimal"
    if re.fullmatch(r"[0-9]+(:[0-5]?[0-9])+(\.[0-9]*)?", bare):
        return (f"{text!r} is a sexagesimal number in YAML 1.1 (1:30 reads as 90); "
                "write a plain decimal")
    if "_" in bare and re.fullmatch(r"[0-9_.eE+-]+", bare):
        return f"{text!r} uses digit separators; write the digits without underscores"
    if bare.lower().lstrip(".") in ("inf", "infinity", "nan"):
        return f"{text!r} is not a finite number"
    return f"{text!r} is not a plain decimal number (like 2, -1.5 or 1e-3)"


# ----------------------------------------------------------------------------- conversion

def is_exact(x: Number) -> bool:
    return type(x) is Fraction


def to_mpf(x: Number) -> mpf:
    if type(x) is Fraction:
        return _make(from_rational(x.numerator, x.denominator, WORK_BITS, "n"))
    return x


def _fit(x: Fraction) -> Number:
    """Keep a rational exact unless it has grown past MAX_EXACT_BITS."""
    if x.numerator.bit_length() > MAX_EXACT_BITS or x.denominator.bit_length() > MAX_EXACT_BITS:
        return to_mpf(x)
    return x


def to_float(x: Number) -> float:
    try:
        return float(x)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


def to_decimal(x: Number, digits: int = WORK_DPS) -> Decimal:
    """``x`` as a Decimal with ``digits`` significant digits (exact for short decimals)."""
    with localcontext() as ctx:
        _unbounded(ctx, digits)
        if type(x) is Fraction:
            return Decimal(x.numerator) / Decimal(x.denominator)
        return +Decimal(mpmath.libmp.to_str(x._mpf_, digits))


def _unbounded(ctx, digits: int) -> None:
    """A decimal context as wide as mpmath's exponents (values like e^(e^20) are legal)."""
    ctx.prec = digits
    ctx.Emax = MAX_EMAX
    ctx.Emin = MIN_EMIN


# ----------------------------------------------------------------------------- arithmetic

# Irrational arithmetic works on mpmath's raw (sign, mantissa, exponent, bitcount) tuples at a
# fixed WORK_BITS: about three times faster than going through mpf objects, and independent of
# whatever precision the global mpmath context happens to have.
_make = mpmath.mp.make_mpf
_KEEP_BITS = WORK_BITS - 16


@lru_cache(maxsize=4096)
def _rational_raw(numerator: int, denominator: int) -> tuple:
    """Rationals meet irrationals mostly as the same few weights and constants: cache them."""
    return from_rational(numerator, denominator, WORK_BITS, "n")


def _raw(x: Number) -> tuple:
    if type(x) is Fraction:
        return _rational_raw(x.numerator, x.denominator)
    return x._mpf_


def _magnitude(raw: tuple) -> int:
    """log2 of |x|, to within one (exponent plus bit count of the mantissa)."""
    return raw[2] + raw[3]


def _cancelled(total: tuple, a: tuple, b: tuple) -> Number:
    """A sum smaller than the rounding error of its terms is zero, exactly.

    sqrt(2)·sqrt(2) - 2 leaves about 1e-60 of rounding noise; calling that 0 is what lets
    relu, abs, min and max decide kinks and ties exactly for irrational values too.  A value
    that is genuinely tiny (exp(-200)) does not come from such a cancellation and is kept.
    """
    if total == fzero:
        return ZERO
    largest = max(_magnitude(a) if a != fzero else -(10 ** 18),
                  _magnitude(b) if b != fzero else -(10 ** 18))
    if _magnitude(total) <= largest - _KEEP_BITS:
        return ZERO
    return _make(total)


def add(a: Number, b: Number) -> Number:
    if a is ZERO:
        return b
    if b is ZERO:
        return a
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a + b)
    ra, rb = _raw(a), _raw(b)
    return _cancelled(mpf_add(ra, rb, WORK_BITS, "n"), ra, rb)


def sub(a: Number, b: Number) -> Number:
    if b is ZERO:
        return a
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a - b)
    ra, rb = _raw(a), _raw(b)
    return _cancelled(mpf_sub(ra, rb, WORK_BITS, "n"), ra, rb)


def neg(a: Number) -> Number:
    return -a


def mul(a: Number, b: Number) -> Number:
    """Product; an exact zero times anything is an exact zero (gradients stay exact)."""
    if a is ONE:
        return b
    if b is ONE:
        return a
    if not a or not b:
        return ZERO
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a * b)
    return _make(mpf_mul(_raw(a), _raw(b), WORK_BITS, "n"))


def div(a: Number, b: Number) -> Number:
    if not b:
        raise NumericError("division by zero")
    if not a:
        return ZERO
    if type(a) is Fraction and type(b) is Fraction:
        return _fit(a / b)
    return _make(mpf_div(_raw(a), _raw(b), WORK_BITS, "n"))


def cmp(a: Number, b: Number) -> int:
    """-1, 0 or 1: exact for rationals; irrationals equal to within rounding are a tie."""
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


def power(a: Number, b: Number) -> Number:
    """a ** b over the reals: exact when the result is rational and of modest size."""
    if not a:
        if cmp(b, ZERO) < 0:
            raise NumericError("division by zero (0 raised to a negative power)")
        return ONE if not b else ZERO
    if cmp(a, ZERO) < 0 and not (type(b) is Fraction and b.denominator == 1):
        raise NumericError("a negative number raised to a non-integer power is not real")
    if type(a) is Fraction and type(b) is Fraction and b.denominator <= 64:
        size = max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(b.numerator)
        if size <= MAX_EXACT_BITS:
            if b.denominator == 1:
                return a ** b.numerator
            root = _exact_root(a, b.denominator) if a > 0 else None
            if root is not None:
                return root ** b.numerator
    if type(b) is Fraction and b.denominator == 1:
        return to_mpf(a) ** int(b)
    return to_mpf(a) ** to_mpf(b)


def _check_exp_arg(x: Number) -> None:
    if abs(to_float(x)) > MAX_EXP_ARG:
        raise NumericError(f"the argument {fmt_sig(x, 6)} is too large in magnitude to evaluate "
                           f"(the limit is {MAX_EXP_ARG:.0e})")


def exp(x: Number) -> Number:
    if not x:
        return ONE
    _check_exp_arg(x)
    return mpmath.exp(to_mpf(x))


def log(x: Number) -> Number:
    if cmp(x, ZERO) <= 0:
        raise NumericError(f"log of a non-positive number ({fmt_sig(x, 6)})")
    if x == 1:
        return ZERO
    return mpmath.log(to_mpf(x))


def sqrt(x: Number) -> Number:
    if cmp(x, ZERO) < 0:
        raise NumericError(f"square root of a negative number ({fmt_sig(x, 6)})")
    if type(x) is Fraction:
        root = _exact_root(x, 2)
        if root is not None:
            return root
    return mpmath.sqrt(to_mpf(x))


def sigmoid(x: Number) -> Number:
    if not x:
        return HALF
    _check_exp_arg(x)
    # 1/(1 + e^(-x)) on raw tuples at WORK_BITS: the same three roundings as through mpf
    # objects at 60 digits, without their overhead (a training run calls this millions of times)
    e = mpf_exp(mpf_neg(_raw(x)), WORK_BITS, "n")
    return _make(mpf_div(fone, mpf_add(fone, e, WORK_BITS, "n"), WORK_BITS, "n"))


def tanh(x: Number) -> Number:
    if not x:
        return ZERO
    _check_exp_arg(x)
    return mpmath.tanh(to_mpf(x))


def sigmoid_slope(x: Number) -> Number:
    """σ'(x) = σ(x)·σ(-x) = e^(-x)/(1 + e^(-x))², without the cancellation in 1 - σ(x) and
    with one exponential."""
    if not x:
        return Fraction(1, 4)
    _check_exp_arg(x)
    e = mpf_exp(mpf_neg(_raw(x)), WORK_BITS, "n")
    d = mpf_add(fone, e, WORK_BITS, "n")
    return _make(mpf_div(e, mpf_mul(d, d, WORK_BITS, "n"), WORK_BITS, "n"))


def tanh_slope(x: Number) -> Number:
    """tanh'(x) = sech(x)², computed without the cancellation in 1 - tanh(x)²."""
    if not x:
        return ONE
    _check_exp_arg(x)
    return mpmath.sech(to_mpf(x)) ** 2


def softplus(x: Number) -> Number:
    """log(1 + e^x), finite and accurate for any x (used by the bce loss)."""
    if not x:
        return mpmath.log(2)
    _check_exp_arg(x)
    v = to_mpf(x)
    if v > 0:
        return v + mpmath.log1p(mpmath.exp(-v))
    return mpmath.log1p(mpmath.exp(v))


# ----------------------------------------------------------------------------- presentation

def fmt_sig(x: Number, digits: int = 3) -> str:
    """``x`` rounded to ``digits`` significant figures, trailing zeros dropped: 0.68997 -> 0.69.

    Plain notation from 1e-5 up to 1e7, scientific (1.23e-7) beyond.
    """
    if not x:
        return "0"
    with localcontext() as ctx:
        _unbounded(ctx, digits)
        ctx.rounding = ROUND_HALF_UP
        rounded = +to_decimal(x)
    adjusted = rounded.adjusted()
    if -5 <= adjusted < 7:
        return _strip_zeros(format(rounded, "f"))
    sign_, mantissa_digits, _ = rounded.as_tuple()
    mantissa = "".join(map(str, mantissa_digits))
    mantissa = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return ("-" if sign_ else "") + _strip_zeros(mantissa) + f"e{adjusted}"


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def key_matches(key_text: str, x: Number) -> bool:
    """True when ``x`` rounded to the decimal places written in ``key_text`` gives the key.

    A value exactly half-way between two roundings matches either (students round both ways).
    """
    key = Decimal(key_text)
    half_unit = Decimal(5).scaleb(key.as_tuple().exponent - 1)
    with localcontext() as ctx:
        _unbounded(ctx, WORK_DPS + 10)
        return abs(to_decimal(x) - key) <= half_unit


def exact_text(x: Number) -> str | None:
    """``p/q`` for a rational value, None otherwise."""
    if type(x) is not Fraction:
        return None
    return str(x)
