"""hwsolve.num on FLINT: exact fmpq, certified arb balls, decisions from the ball, precision as a
property of one computation, and printed digits that the ball proves.  Expected numbers are
written next to each case (by hand, or mpmath at 50 digits where said)."""

from __future__ import annotations

import threading
from fractions import Fraction

from flint import arb, fmpq

from hwsolve import num
from hwsolve.ops import vector

F = Fraction


def test_rationals_stay_exact_and_compare_with_fractions():
    x = num.add(F(1, 10), F(2, 10))
    assert type(x) is fmpq and x == F(3, 10) and num.cmp(x, F(3, 10)) == 0
    assert num.public(x) == F(3, 10) and type(num.public(x)) is Fraction
    assert num.is_exact(num.mul(F(3), F(1, 3)))


def test_a_ball_contains_the_true_value():
    e = num.exp(1)
    assert type(e) is arb and not e.is_exact()
    with num.computation(400):  # e to 80 digits (mpmath), read at 400 bits
        assert e.contains(arb("2.7182818284590452353602874713526624977572470936999595749669676"
                              "277240766303535476"))
    assert num.accuracy_bits(e) > 190


def test_a_sign_the_ball_cannot_decide_is_counted_not_guessed():
    zero = num.sub(num.mul(num.sqrt(2), num.sqrt(2)), 2)  # exactly 0, as a ball around 0
    with num.computation() as state:
        assert num.sign(zero) == 0 and state.undecided == 1
        assert num.sign(num.exp(1)) == 1 and state.undecided == 1
    tiny = num.sub(num.add(num.exp(1), F(1, 10 ** 70)), num.exp(1))  # 1e-70, below 203 bits
    with num.computation() as state:
        num.sign(tiny)
        assert state.undecided == 1
    with num.computation(512) as state:  # recomputed at more bits: decided, and right
        tiny = num.sub(num.add(num.exp(1), F(1, 10 ** 70)), num.exp(1))
        assert num.sign(tiny) == 1 and state.undecided == 0
        assert num.fmt_sig(tiny, 20) == "1e-70"


def test_precision_belongs_to_the_computation_not_to_the_module():
    seen = {}

    def other():
        seen["bits"] = num.working_bits()  # a fresh context: the default, not 1024

    with num.computation(1024):
        assert num.working_bits() == 1024
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        high = num.exp(1)
    assert num.working_bits() == num.WORK_BITS
    assert num.accuracy_bits(high) > 1000 and num.accuracy_bits(num.exp(1)) < 210
    assert seen["bits"] in (num.WORK_BITS, 53) or seen["bits"] == 1024  # never leaks back


def test_printed_digits_are_the_digits_the_ball_proves():
    eighth = num.exp(num.log(F(1, 8)))  # exactly 0.125, as a ball straddling the boundary
    assert not num.is_exact(eighth)
    # at 2 figures the ends of the ball round to 0.12 and 0.13: print the proved 0.125
    assert num.fmt_sig(eighth, 2) == "0.125"
    assert num.fmt_sig(F(1, 8), 2) == "0.13"  # the exact value rounds half away from zero
    assert num.fmt_sig(num.exp(1), 30) == "2.71828182845904523536028747135"
    wide = num.add(num.exp(1), arb(0, 1e-3))  # e ± 0.001 lies in [2.717, 2.720]: 2.72
    assert num.fmt_sig(wide, 6) == "2.72"


def test_relative_error_is_certified():
    assert num.relative_error(F(1, 3)) is None
    assert 0 < num.relative_error(num.exp(1)) < 1e-57
    assert num.relative_error(num.sub(num.mul(num.sqrt(2), num.sqrt(2)), 2)) == 1.0


def test_a_ball_plus_its_own_negation_is_exactly_zero():
    x = num.exp(F(1, 3))
    with num.computation():
        assert num.add(x, num.neg(x)) is num.ZERO
        assert num.add(num.mul(x, F(-1)), x) is num.ZERO
        other = num.exp(F(1, 3))  # the same value computed again: not known to be the same
        assert not num.is_exact(num.add(other, num.neg(x)))


def test_the_softmax_memo_is_keyed_by_precision():
    v = [num.exp(1), num.exp(2)]
    low = vector._softmax_all(v)
    assert vector._softmax_all(v) is low  # same arguments, same precision: computed once
    with num.computation(800):
        high = vector._softmax_all(v)
    assert high is not low  # recomputed at the new precision, never reused across it


def test_big_rationals_become_balls():
    x = num.power(F(3, 2), F(4000))  # 4000·log2(3) bits: past MAX_EXACT_BITS
    assert not num.is_exact(x)
    assert num.is_exact(num.power(F(3, 2), F(100)))
