from fractions import Fraction

import mpmath
import pytest

from hwsolve import num


@pytest.mark.parametrize("text, value", [
    ("2", Fraction(2)), ("-1.5", Fraction(-3, 2)), ("0.1", Fraction(1, 10)),
    ("1e-3", Fraction(1, 1000)), (".5", Fraction(1, 2)), ("+3.", Fraction(3)),
    ("0", Fraction(0)), ("2.5E2", Fraction(250)),
])
def test_decimals_are_exact(text, value):
    assert num.parse_decimal(text) == value


@pytest.mark.parametrize("text, reason", [
    ("010", "octal"), ("0x1F", "hexadecimal"), ("1:30", "sexagesimal"), ("1_000", "separators"),
    (".inf", "finite"), (".nan", "finite"), ("1e5000", "out of range"), ("abc", "plain decimal"),
    ("1" * 1001, "digits"),
])
def test_surprising_numbers_are_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        num.parse_decimal(text)


@pytest.mark.parametrize("value, digits, text", [
    (Fraction(68997, 100000), 3, "0.69"), (Fraction(-93369, 100000), 3, "-0.934"),
    (Fraction(1171, 1000), 3, "1.17"), (Fraction(-1, 5), 3, "-0.2"), (Fraction(2), 3, "2"),
    (Fraction(1, 8), 2, "0.13"), (Fraction(12345), 3, "12300"), (Fraction(0), 3, "0"),
    (Fraction(123, 10 ** 9), 3, "1.23e-7"), (Fraction(10 ** 8), 3, "1e8"),
])
def test_significant_figures(value, digits, text):
    assert num.fmt_sig(value, digits) == text


@pytest.mark.parametrize("key, value, ok", [
    ("0.69", Fraction(68997, 100000), True), ("-0.934", Fraction(-93369, 100000), True),
    ("0.690", Fraction(68997, 100000), True), ("0.6901", Fraction(68997, 100000), False),
    ("0.68", Fraction(68997, 100000), False), ("1.24", Fraction(-124, 100), False),
    ("0.125", Fraction(1, 8), True), ("0.13", Fraction(1, 8), True), ("0.12", Fraction(1, 8), True),
    ("2", Fraction(5, 2), True), ("1.2e-5", Fraction(12, 10 ** 6), True),
])
def test_key_matching_by_decimal_places(key, value, ok):
    assert num.key_matches(key, value) is ok


def test_ties_and_zeros_are_exact_for_rationals():
    assert num.cmp(num.add(Fraction(1, 10), Fraction(2, 10)), Fraction(3, 10)) == 0


def test_exact_roots_and_powers():
    assert num.sqrt(Fraction(9, 4)) == Fraction(3, 2)
    assert num.power(Fraction(8), Fraction(2, 3)) == 4
    assert num.power(Fraction(2), Fraction(-2)) == Fraction(1, 4)
    assert not num.is_exact(num.sqrt(Fraction(2)))
    with pytest.raises(num.NumericError, match="not real"):
        num.power(Fraction(-8), Fraction(1, 2))
    with pytest.raises(num.NumericError, match="division by zero"):
        num.power(Fraction(0), Fraction(-1))


def test_rationals_that_explode_continue_in_high_precision():
    x = Fraction(3, 7)
    for _ in range(20):  # 2**20 bits if kept exact
        x = num.mul(x, x)
    assert not num.is_exact(x)


def test_irrational_values_carry_at_least_30_digits():
    with mpmath.workdps(num.WORK_DPS):
        value = num.exp(Fraction(1))
    assert str(num.to_decimal(value, 40)).startswith("2.718281828459045235360287471352662497757")


def test_softplus_is_finite_where_sigmoid_saturates():
    with mpmath.workdps(num.WORK_DPS):
        # log(1 + e^-800) = e^-800 (1 - e^-800/2 + ...): equal to e^-800 far beyond 60 digits
        tiny = num.softplus(Fraction(-800))
        assert abs(tiny / mpmath.exp(-800) - 1) < mpmath.mpf(10) ** -55
        assert abs(num.softplus(Fraction(800)) / 800 - 1) < mpmath.mpf(10) ** -55


def test_huge_exponent_arguments_are_refused():
    with pytest.raises(num.NumericError, match="too large"):
        num.exp(Fraction(10) ** 20)
