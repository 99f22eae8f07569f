"""Tolerance rules: decimal places as written, sigfigs, rel, abs, rel_abs, exact fractions."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from conftest import PROBLEMS, run_cli
from hwsolve.errors import HwsolveError
from hwsolve.spec.load import load_problem_text
from hwsolve.teach.tolerance import DEFAULT, parse_option

TRUE = Fraction(68997, 100000)   # 0.68997


@pytest.mark.parametrize("rule, written, ok", [
    ("places", "0.69", True), ("places", "0.6899", False), ("places", "0.7", True),
    ("sigfigs:2", "0.69", True), ("sigfigs:2", "0.68", False), ("sigfigs:4", "0.6900", True),
    ("sigfigs:5", "0.69", False),
    ("rel:1e-3", "0.6897", True), ("rel:1e-3", "0.689", False),   # 0.00097 > 0.00068997
    ("abs:0.01", "0.68", True), ("abs:0.01", "0.679", False),
    ("rel_abs:1e-2,1e-8", "0.684", True),    # rel: 0.00597 <= 0.0068997
    ("rel_abs:1e-4,0.01", "0.684", True),    # abs
    ("rel_abs:1e-4,1e-3", "0.684", False),
])
def test_rules(rule, written, ok):
    assert parse_option(rule).matches(written, TRUE) is ok


def test_exact_fraction_matches_only_that_value():
    assert DEFAULT.matches("8/3", Fraction(8, 3), Fraction(8, 3))
    assert not DEFAULT.matches("8/3", Fraction(8, 3) + Fraction(1, 10 ** 30), Fraction(8, 3))
    with mpmath.workdps(60):
        assert not DEFAULT.matches("8/3", mpmath.mpf(8) / 3, Fraction(8, 3))


def test_a_boundary_is_decided_exactly():
    # |0.69 - 0.689| = 0.001 = 1e-3 · ... : abs 0.001 is exactly on the boundary and counts.
    assert parse_option("abs:0.001").matches("0.69", Fraction(689, 1000))
    assert not parse_option("abs:0.001").matches("0.69", Fraction(689, 1000) - Fraction(1, 10 ** 40))


@pytest.mark.parametrize("text, words", [
    ("bogus:1", "unknown tolerance rule"), ("sigfigs:0", "whole number from 1 to 30"),
    ("rel:-1", "must be positive"), ("rel_abs:0.1", "two numbers"), ("abs", "one number"),
])
def test_bad_options(text, words):
    with pytest.raises(ValueError, match=words):
        parse_option(text)


SPEC = """\
title: t
inputs: {X: 2}
params: {W: 1.5}
nodes: {H: W * X}
label: 1
"""


@pytest.mark.parametrize("tolerance, description", [
    ("places", "decimal places as written"),
    ("{sigfigs: 3}", "3 significant figures"),
    ("{rel: 1e-3}", "relative error at most 0.001"),
    ("{abs: 0.5}", "absolute error at most 0.5"),
    ("{rel_abs: [1e-2, 1e-8]}", "relative error at most 0.01 or absolute error at most 1e-8"),
])
def test_spec_tolerance_key(tolerance, description):
    problem = load_problem_text(SPEC + f"tolerance: {tolerance}\n")
    assert problem.tolerance.describe() == description


@pytest.mark.parametrize("tolerance, words", [
    ("{sigfigs: 3, rel: 1e-3}", "give one rule"), ("{relative: 1}", "unknown key"),
    ("{rel_abs: [1e-2]}", "two numbers"), ("sigfigs", "one number"),
])
def test_bad_spec_tolerance(tolerance, words):
    with pytest.raises(HwsolveError, match=words) as caught:
        load_problem_text(SPEC + f"tolerance: {tolerance}\n")
    assert caught.value.line == 6


def test_check_uses_the_rule_in_force_and_prints_it_with_every_cross(tmp_path):
    path = tmp_path / "p.yaml"
    # Ŷ = σ(3) = 0.952574; L = softplus(-3) = 0.048587
    path.write_text(SPEC + "answers: {Yhat: 0.95, L: 0.0486}\n", encoding="utf-8")
    assert run_cli("check", str(path)).exit_code == 0
    result = run_cli("check", str(path), "--tolerance", "sigfigs:3", "--width", "200")
    assert result.exit_code == 1
    assert "✗ (3 significant figures)" in result.output and "Yhat" in result.output
    path.write_text(SPEC + "tolerance: {rel: 1e-2}\nanswers: {Yhat: 0.95, L: 0.0486}\n",
                    encoding="utf-8")
    assert run_cli("check", str(path)).exit_code == 0
    assert run_cli("check", str(PROBLEMS / "q3b.yaml"), "--tolerance", "x").exit_code == 2
