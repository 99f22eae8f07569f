"""Numbers as text: decimals read exactly, significant figures, answer-key matching, JSON and
CSV tokens.

Every rounding here happens once, from the value itself (a rational exactly, a ball from the
exact binary values of its ends), never from an already rounded decimal: 0.125 - 1e-70 rounds
to 0.12 at two figures, not to 0.125 and then 0.13.  A digit printed for a ball is one that both
of its ends give: a ball whose ends round differently at the figures asked is printed with the
fewest more figures (at most three) on which they agree, else with fewer.
(:mod:`hwsolve.num` re-exports these names.)
"""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from flint import arb, fmpq

WORK_DPS = 60
EXACT_EXPONENT = 20_000
"""A binary value m·2^e with |e| up to this is converted to decimal exactly; beyond it (values
such as e^(e^20)), from 20 more digits than asked, as FLINT prints them."""

MAX_LITERAL_EXPONENT = 1000
MAX_LITERAL_DIGITS = 1000

_DECIMAL = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


@lru_cache(maxsize=4096)
def parse_decimal(text: str) -> Fraction:
    """The exact value of a plain decimal such as ``-1.5`` or ``1e-3``.

    Raises ValueError with a sentence saying why anything else (octal-looking ``010``, hex,
    ``1_000``, ``.inf``) is refused.
    """
    text = text.strip()
    if len(text) > MAX_LITERAL_DIGITS + 16:  # sign, point, exponent: never echo a huge text
        raise ValueError(f"a number may have at most {MAX_LITERAL_DIGITS} digits, and this "
                         f"text is {len(text)} characters long")
    if not _DECIMAL.fullmatch(text):
        raise ValueError(_why_not_decimal(text))
    mantissa, _, exponent = text.lower().partition("e")
    # int() of a 5,000-digit exponent fails with Python's own advice: compare its length first
    if exponent and (len(exponent.lstrip("+-").lstrip("0")) > len(str(MAX_LITERAL_EXPONENT))
                     or abs(int(exponent)) > MAX_LITERAL_EXPONENT):
        shown = text if len(text) <= 24 else f"{text[:16]}… ({len(text)} characters)"
        raise ValueError(f"{shown!r} is out of range: exponents are limited to "
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


FLOAT_MIN = 2.2250738585072014e-308   # the smallest normal float
FLOAT_MAX = 1.7976931348615157e308


def _unbounded(ctx, digits: int) -> None:
    """A decimal context as wide as FLINT's exponents (values like e^(e^20) are legal)."""
    ctx.prec = digits
    ctx.Emax = MAX_EMAX
    ctx.Emin = MIN_EMIN


def _exact_parts(x) -> tuple | None:
    """(numerator, denominator) of the exact value of a rational, or of a ball's midpoint (or
    of a point such as a ball's end) of moderate exponent; None beyond EXACT_EXPONENT."""
    t = type(x)
    if t is fmpq:
        return int(x.p), int(x.q)
    if t is Fraction:
        return x.numerator, x.denominator
    if t is int:
        return x, 1
    mantissa, exponent = x.mid().man_exp()
    mantissa, exponent = int(mantissa), int(exponent)
    if abs(exponent) > EXACT_EXPONENT:
        return None
    return (mantissa << exponent, 1) if exponent >= 0 else (mantissa, 1 << -exponent)


def _point_rounded(x, digits: int) -> Decimal:
    """A rational, or a ball's midpoint, rounded once, half away from zero."""
    parts = _exact_parts(x)
    with localcontext() as ctx:
        _unbounded(ctx, digits)
        ctx.rounding = ROUND_HALF_UP
        if parts is not None:
            return Decimal(parts[0]) / Decimal(parts[1])
        return +Decimal(x.mid().str(digits + 20, radius=False, more=True))


def _ball_rounded(x: arb, digits: int) -> Decimal | None:
    """A ball rounded to ``digits`` figures when both ends of a decimal enclosure of it give
    the same digits (then so does every point between, the true value included), else None."""
    if not x.is_finite():
        return None
    mid, rad, exponent = x.mid_rad_10exp(digits + 4)
    mid, rad, exponent = int(mid), int(rad), int(exponent)
    low, high = mid - rad, mid + rad
    if low <= 0 <= high:
        return None  # contains 0: no figure is proved
    first = _round_int(low, exponent, digits)
    if first != _round_int(high, exponent, digits):
        return None
    return Decimal(f"{'-' if first[0] else ''}{first[1]}E{first[2]}")


def _round_int(n: int, exponent: int, digits: int) -> tuple:
    """n·10^exponent rounded half away from zero to ``digits`` figures: (sign, m, e) with m
    free of trailing zeros, so that two equal roundings give equal triples."""
    sign, n = (1, -n) if n < 0 else (0, n)
    drop = len(str(n)) - digits
    if drop > 0:
        unit = 10 ** drop
        n, rest = divmod(n, unit)
        if 2 * rest >= unit:
            n += 1
        exponent += drop
    while n and n % 10 == 0:
        n //= 10
        exponent += 1
    return sign, n, exponent


def _rounded(x, digits: int) -> Decimal:
    """``x`` rounded once, half away from zero, to ``digits`` significant digits (a ball
    that does not prove them: its midpoint, which only wide_text and to_decimal accept)."""
    if type(x) is arb and not x.is_exact():
        proven = _ball_rounded(x, digits)
        if proven is not None:
            return proven
    return _point_rounded(x, digits)


def proven_rounding(x, digits: int) -> tuple:
    """``(Decimal, figures)``: ``x`` rounded to ``digits`` figures if the value proves them,
    else to the nearest count of figures it proves (up to three more, else fewer); figures is
    0 when the ball proves no figure at all (it contains 0 or is not finite)."""
    if type(x) is not arb or x.is_exact():
        return _point_rounded(x, digits), digits
    for figures in [*range(digits, digits + 4), *range(digits - 1, 0, -1)]:
        proven = _ball_rounded(x, figures)
        if proven is not None:
            return proven, figures
    return Decimal(0), 0


def to_decimal(x, digits: int = WORK_DPS) -> Decimal:
    """``x`` as a Decimal with ``digits`` significant digits (exact for short decimals)."""
    return _rounded(x, digits)


def fmt_sig(x, digits: int = 3) -> str:
    """``x`` rounded to ``digits`` significant figures, trailing zeros dropped: 0.68997 -> 0.69.

    Plain notation from 1e-5 up to 1e7, scientific (1.23e-7) beyond.
    """
    if not x or (type(x) is arb and x.contains(0)):
        return "0"  # a ball around 0 that no precision decided: the solver notes it
    rounded, _ = proven_rounding(x, digits)
    if not rounded:
        return "0"
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


# ----------------------------------------------------------------------------- answer keys

def key_decision(key_text: str, x, accurate_bits: int | None = None) -> bool | None:
    """Does ``x``, rounded to the decimal places written in ``key_text``, give the key?

    Exact for a rational ``x``, at any length of key.  A ball decides when both of its ends
    give the same answer; otherwise the answer is None (undecided: recompute ``x`` more
    precisely).  A value exactly half-way between two roundings matches either (students
    round both ways).  ``accurate_bits`` is accepted for older callers and not needed: the
    ball carries its own error.
    """
    key = Fraction(Decimal(key_text))
    half = Fraction(5) * Fraction(10) ** (Decimal(key_text).as_tuple().exponent - 1)
    if type(x) is not arb or x.is_exact():
        parts = _exact_parts(x)
        if parts is None:  # beyond EXACT_EXPONENT: far from any key written in decimals
            return _far_decision(key_text, x)
        return abs(Fraction(*parts) - key) <= half
    if not x.is_finite():
        return None
    low, high = _exact_parts(x.lower()), _exact_parts(x.upper())
    if low is None or high is None:
        return _far_decision(key_text, x)
    low, high = Fraction(*low), Fraction(*high)
    if key - half <= low and high <= key + half:
        return True
    if high < key - half or low > key + half:
        return False
    return None


def _far_decision(key_text: str, x) -> bool:
    with localcontext() as ctx:
        _unbounded(ctx, WORK_DPS + 10)
        return abs(to_decimal(x) - Decimal(key_text)) <= Decimal(5).scaleb(
            Decimal(key_text).as_tuple().exponent - 1)


def key_matches(key_text: str, x, accurate_bits: int | None = None) -> bool:
    """key_decision, with a still undecided ball judged by its midpoint (callers that must not
    guess -- ``check`` -- recompute with key_decision first)."""
    decision = key_decision(key_text, x, accurate_bits)
    if decision is None:
        parts = _exact_parts(x)
        key = Fraction(Decimal(key_text))
        half = Fraction(5) * Fraction(10) ** (Decimal(key_text).as_tuple().exponent - 1)
        return parts is not None and abs(Fraction(*parts) - key) <= half
    return decision


def relative_error(x) -> float | None:
    """The certified bound on |x - midpoint| / |x| of a ball, as a float (None for an exact
    value; 1.0 for a ball that proves no digit: it contains 0 or is not finite)."""
    if type(x) is not arb or x.is_exact():
        return None
    bits = x.rel_accuracy_bits()
    if bits <= 0:
        return 1.0
    return max(2.0 ** -min(bits, 996), 1e-300)


def exact_text(x) -> str | None:
    """``p/q`` for a rational value, None otherwise."""
    if type(x) is arb:
        return None
    return str(x)


# ----------------------------------------------------------------------------- JSON and CSV

class WideNumber(float):
    """A value beyond float range in a JSON document: its float value is the nearest float
    (0.0 or ±inf), and :func:`json_dumps` writes ``text`` (exponent form, 17 significant
    digits), which JSON's grammar allows and which reads back exactly with a decimal parser."""
    text: str

    def __new__(cls, nearest: float, text: str):
        self = super().__new__(cls, nearest)
        self.text = text
        return self

    def __repr__(self) -> str:
        return self.text


def wide_text(x) -> str:
    """Exponent form with 17 significant digits: 2.5000000000000000e-400."""
    rounded = _rounded(x, 17)
    sign_, digits, _ = rounded.as_tuple()
    text = "".join(map(str, digits)).ljust(17, "0")
    return f"{'-' if sign_ else ''}{text[0]}.{text[1:]}e{rounded.adjusted()}"


def json_token(x) -> tuple:
    """``(token, note)`` for one value: a float when the value is a normal float or zero
    (note None); otherwise a :class:`WideNumber` and a sentence saying how it is written."""
    t = type(x)
    if t is arb:
        if x.rel_accuracy_bits() <= 0 and x.contains(0):
            return 0.0, None  # a ball around 0 that no precision decided: the solver notes it
        value = float(x)
    else:
        numerator, denominator = (x.numerator, x.denominator) if t is Fraction else \
            (int(x.p), int(x.q)) if t is fmpq else (int(x), 1)
        if not numerator:
            return 0.0, None
        try:
            value = numerator / denominator  # correctly rounded
        except OverflowError:
            value = float("inf") if numerator > 0 else float("-inf")
    if FLOAT_MIN <= abs(value) <= FLOAT_MAX:
        return value, None
    text = wide_text(x)
    return WideNumber(value, text), (f"{text} is beyond the range of a float: written in "
                                     "exponent form with 17 significant digits")


def csv_token(x) -> tuple:
    """``(text, note)``: ``repr`` of the float, or the exponent form of json_token."""
    token, note = json_token(x)
    return (token.text if note else repr(token)), note


def _has_wide(document) -> bool:
    stack = [document]
    while stack:
        item = stack.pop()
        if type(item) is WideNumber:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def json_dumps(document, indent: int = 2) -> str:
    """``json.dumps`` that writes each WideNumber as its exponent-form token."""
    import json
    import json.encoder
    if not _has_wide(document):
        return json.dumps(document, indent=indent, ensure_ascii=False)
    encoder = json.JSONEncoder(indent=indent, ensure_ascii=False)

    def floatstr(value, _repr=float.__repr__):
        if type(value) is WideNumber:
            return value.text
        return _repr(value)

    chunks = json.encoder._make_iterencode(
        {}, encoder.default, json.encoder.py_encode_basestring, " " * indent, floatstr,
        encoder.key_separator, encoder.item_separator, False, False, False)(document, 0)
    return "".join(chunks)
