"""hwsolve.num carries its own precision: every irrational value is a FLINT ball that contains
the true value and proves about 60 digits of it, whatever the caller's global mpmath precision
is (issue 12: outside mpmath.workdps, num.exp(1) was right to 15 digits only).  References:
mpmath evaluated independently at 120 digits."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from hwsolve import num

F = Fraction


def _ref(fn):
    with mpmath.workdps(120):
        return fn()


CASES = [
    ("exp(1)", lambda: num.exp(F(1)), lambda: mpmath.exp(1)),
    ("exp(-3/7)", lambda: num.exp(F(-3, 7)), lambda: mpmath.exp(mpmath.mpf(-3) / 7)),
    ("log(3)", lambda: num.log(F(3)), lambda: mpmath.log(3)),
    ("log(1/10)", lambda: num.log(F(1, 10)), lambda: mpmath.log(mpmath.mpf(1) / 10)),
    ("sqrt(2)", lambda: num.sqrt(F(2)), lambda: mpmath.sqrt(2)),
    ("sigmoid(1/3)", lambda: num.sigmoid(F(1, 3)),
     lambda: 1 / (1 + mpmath.exp(-mpmath.mpf(1) / 3))),
    ("sigmoid(-40)", lambda: num.sigmoid(F(-40)), lambda: 1 / (1 + mpmath.exp(40))),
    ("tanh(1/2)", lambda: num.tanh(F(1, 2)), lambda: mpmath.tanh(mpmath.mpf(1) / 2)),
    ("tanh'(2)", lambda: num.tanh_slope(F(2)), lambda: mpmath.sech(2) ** 2),
    ("sigmoid'(3)", lambda: num.sigmoid_slope(F(3)),
     lambda: mpmath.exp(-3) / (1 + mpmath.exp(-3)) ** 2),
    ("softplus(5)", lambda: num.softplus(F(5)), lambda: mpmath.log(1 + mpmath.exp(5))),
    ("softplus(-50)", lambda: num.softplus(F(-50)), lambda: mpmath.log1p(mpmath.exp(-50))),
    ("softplus(0)", lambda: num.softplus(F(0)), lambda: mpmath.log(2)),
    ("power(2, 1/3)", lambda: num.power(F(2), F(1, 3)), lambda: mpmath.cbrt(2)),
    ("power(3/2, 10000)", lambda: num.power(F(3, 2), F(10000)),
     lambda: mpmath.mpf(3) ** 10000 / mpmath.mpf(2) ** 10000),
    ("power(e, 1/2)", lambda: num.power(num.exp(F(1)), F(1, 2)), lambda: mpmath.exp(0.5)),
    ("e * e", lambda: num.mul(num.exp(F(1)), num.exp(F(1))), lambda: mpmath.exp(2)),
    ("e / 3", lambda: num.div(num.exp(F(1)), F(3)), lambda: mpmath.e / 3),
    ("e - 1/3", lambda: num.sub(num.exp(F(1)), F(1, 3)), lambda: mpmath.e - mpmath.mpf(1) / 3),
    ("-e", lambda: num.neg(num.exp(F(1))), lambda: -mpmath.e),
]


@pytest.mark.parametrize("name, compute, reference", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("caller_dps", [15, 5, 300])
def test_sixty_digits_at_any_caller_precision(name, compute, reference, caller_dps):
    with mpmath.workdps(caller_dps):  # 15 is mpmath's default precision
        value = compute()
    expected = _ref(reference)
    with mpmath.workdps(120):
        error = abs(num.to_mpf(value) - expected) / abs(expected)
        if not num.is_exact(value):
            # the ball contains the true value, and is narrow
            radius = num.to_mpf(value.rad())
            assert abs(num.to_mpf(value) - expected) <= radius, name
            assert radius / abs(expected) < mpmath.mpf(10) ** -57, name
    assert error < mpmath.mpf(10) ** -59, f"{name}: relative error {mpmath.nstr(error, 5)}"


def test_default_precision_is_untouched_and_independent():
    with mpmath.workdps(15):  # mpmath's default (other tests or SymPy may have changed it)
        value = num.exp(F(1))
        assert mpmath.mp.dps == 15
    assert num.fmt_sig(value, 60) == \
        "2.71828182845904523536028747135266249775724709369995957496697"
