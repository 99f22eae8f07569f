"""The quiz model under every export: each window holds the exact answer and keeps out every
value a diagnosed mistake gives, over 100 variants of each shipped one-example problem; where
a mistake's value falls inside, the collision is reported with its variant and entry."""

from __future__ import annotations

import math
import os
from decimal import Decimal
from fractions import Fraction

import pytest

from hwsolve import api
from hwsolve.teach.tolerance import Rule, parse_option
from hwsolve.tools.export import quiz as Q
from conftest import network_problems


def _one_example(path) -> bool:
    problem = api.load(path)
    return not (problem.examples or getattr(problem, "train", None))


FULL = os.environ.get("HWSOLVE_FULL_EXPORT") == "1"
SINGLE = [p for p in network_problems() if _one_example(p)]


def test_window_of_each_rule():
    # hand-computed widths
    assert Q.window(Rule("sigfigs", sigfigs=3), Fraction(-2537, 1000)) == Decimal("0.005")
    assert Q.window(Rule("sigfigs", sigfigs=2), Fraction(3, 100)) == Decimal("0.0005")
    assert Q.window(Rule("sigfigs", sigfigs=3), Fraction(0)) == 0
    assert Q.window(parse_option("rel:0.01"), Fraction(-250)) == Decimal("2.5")
    assert Q.window(parse_option("abs:0.02"), Fraction(7)) == Decimal("0.02")
    assert Q.window(parse_option("rel_abs:0.01,0.5"), Fraction(7)) == Decimal("0.5")
    assert Q.window(parse_option("rel_abs:0.01,0.5"), Fraction(700)) == Decimal("7")
    # rel of 1/3 rounds the width down to 3 figures, never wider than the rule
    assert Q.window(parse_option("rel:0.01"), Fraction(1, 3)) == Decimal("0.00333")
    # places: half a unit of the key's last place (vary writes 0.666667 for 2/3, 0.2500 for ¼)
    assert Q.window(Rule(), Fraction(2, 3)) == Decimal("0.0000005")
    assert Q.window(Rule(), Fraction(1, 4)) == Decimal("0.00005")
    assert Q.decimal_text(Decimal("0.0050")) == "0.005"
    assert Q.fraction_text(Fraction(8, 3)) == "8/3"
    assert Q.fraction_text(Fraction(5, 4)) is None


def test_problem_rule_sets_the_windows(tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text("title: t\ninputs: {X1: 2, X2: -1}\nparams: {W: 1.5}\nnodes:\n  H: W * X1 + X2\n"
                       "output: H\nactivation: sigmoid\nloss: bce\nlabel: 1\n"
                       "tolerance: {abs: 0.01}\n", encoding="utf-8")
    quiz = api.quiz(str(problem), count=3)
    assert "absolute error at most 0.01" in quiz.rule_text
    assert {e.tolerance for v in quiz.variants for e in v.entries} == {Decimal("0.01")}
    quiz = api.quiz(str(problem), count=3, tolerance="sigfigs:4")
    assert "--tolerance" in quiz.rule_text


@pytest.mark.parametrize("path", SINGLE, ids=[p.stem for p in SINGLE])
def test_windows_separate_over_100_variants(path):
    # 100 variants of every problem take minutes (conv2d's 377 mistake worlds take seconds a
    # variant): the suite draws 100 of the course problems and 20 of the others, and
    # HWSOLVE_FULL_EXPORT=1 (or bench/export_windows.py) draws 100 of every one.
    count = 100 if FULL or path.stem in ("q3a", "q3b", "mazur_2_2_2") else 20
    quiz = api.quiz(str(path), count=count)
    assert len(quiz.variants) == count
    collisions = 0
    for variant in quiz.variants:
        assert variant.entries, "every variant asks for something"
        for item in variant.entries:
            centre, tol = float(item.shown), float(item.tolerance)
            true = float(item.correct)
            # the exact answer lies in its window, far inside
            assert abs(true - centre) <= tol * 1e-3 + 1e-300
            if true:   # 3 significant figures: half a unit of the third figure
                assert math.isclose(tol, 5 * 10 ** (math.floor(math.log10(abs(true))) - 3),
                                    rel_tol=1e-9)
            for wrong in item.wrongs:
                assert abs(float(wrong.value) - centre) > tol * (1 - 1e-9)
            for wrong in item.collisions:
                assert abs(float(wrong.value) - centre) <= tol * (1 + 1e-9)
            collisions += len(item.collisions)
    texts = quiz.collision_texts()
    assert len(texts) == collisions
    for variant in quiz.variants:
        for entry, wrong in variant.collisions:
            assert any(t.startswith(f"variant {variant.number}, {entry}:") and wrong.kind in t
                       for t in texts)
    good, total = Q.separation(quiz)
    assert good / total >= 0.99, texts[:5]
    # every variant that was redrawn was reported with its reason
    for number, reasons in quiz.redrawn:
        assert reasons and all(r.startswith(f"variant {number}, ") for r in reasons)
        assert number not in {v.number for v in quiz.variants}


def test_without_redraw_the_collisions_stay_and_are_named():
    quiz = api.quiz("q3a", count=100, redraw=False)
    assert [v.number for v in quiz.variants] == list(range(1, 101))
    texts = quiz.collision_texts()
    good, total = Q.separation(quiz)
    assert total - good <= len(texts) and texts   # q3a's relu-for-leaky_relu is 0.01·x away
    assert any("wrong_activation" in t for t in texts)
