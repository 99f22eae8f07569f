"""Batch 3, item 12: the default grading rule gave full marks to integer answers (`1` for
Ŷ = 0.68997 at 0 decimal places).  The default is now 3 significant figures of the correct
value; an integer matches only a value that rounds to it under that rule."""

import json

from conftest import PROBLEMS, run_cli


def test_one_and_zero_are_wrong_for_q3a(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("Yhat: 1\nL: 0\ngrad: {B3: 1, W1: [0, 0]}\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(path), "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["credit"] == 0
    assert document["rule"] == "3 significant figures (the grading default)"


def test_an_integer_that_is_the_value_is_right(tmp_path):
    # Q3a: z1 = W1·X + B1 = 1·(-1) + (-1)·1 + 0 = -2 exactly.
    path = tmp_path / "a.yaml"
    path.write_text("values: {z1: -2}\n", encoding="utf-8")
    document = json.loads(run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(path),
                                  "-f", "json").stdout)
    z1 = next(e for e in document["entries"] if e["entry"] == "value z1")
    assert z1["status"] == "right" and not z1["counted"]


def test_grade_help_names_the_default_rule():
    text = " ".join(run_cli("grade", "--help").output.split())
    assert "else sigfigs:3 — 3 significant figures relative to the correct value, never the " \
           "student's own digits" in text
