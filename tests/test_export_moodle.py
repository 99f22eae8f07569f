"""Moodle XML export: the file an instructor imports, read back with xml.etree to the same
values and tolerances as the quiz model, in Moodle's own element set (as Moodle's numerical
export writes it, e.g. cran/exams inst/xml/moodlequiz.xml)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from hwsolve import api
from conftest import run_cli

QUESTION_TAGS = ["name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
                 "idnumber", "answer", "unitgradingtype", "unitpenalty", "showunits",
                 "unitsleft"]


@pytest.fixture(scope="module")
def exported():
    text, quiz = api.export_moodle("q3b", count=4, seed=3)
    return ET.fromstring(text.encode("utf-8")), quiz, text


def test_categories_one_per_problem_and_entry(exported):
    root, quiz, _ = exported
    cats = [q.find("category/text").text for q in root.iter("question")
            if q.get("type") == "category"]
    entries = [e.entry for e in quiz.variants[0].entries]
    assert cats[0].startswith("$course$/top/hwsolve q3b")
    assert len(cats) == 1 + len(entries)
    assert all(c.startswith(cats[0] + "/") for c in cats[1:])
    # questions follow their entry's category, one per variant
    current, seen = None, {}
    for q in root.iter("question"):
        if q.get("type") == "category":
            current = q.find("category/text").text
        else:
            seen.setdefault(current, []).append(q.find("name/text").text)
    assert [len(seen[c]) for c in cats[1:]] == [len(quiz.variants)] * len(entries)


def test_read_back_values_and_tolerances(exported):
    root, quiz, _ = exported
    questions = [q for q in root.iter("question") if q.get("type") == "numerical"]
    assert len(questions) == quiz.windows
    by_name = {q.find("name/text").text: q for q in questions}
    for variant in quiz.variants:
        for item in variant.entries:
            q = by_name[f"q3b v{variant.number} {item.entry}"]
            assert [c.tag for c in q if c.tag != "answer"] == \
                [t for t in QUESTION_TAGS if t != "answer"]
            answers = q.findall("answer")
            key = answers[0]
            assert key.get("fraction") == "100"
            value, tol = Decimal(key.find("text").text), Decimal(key.find("tolerance").text)
            assert tol == item.tolerance
            # the exact answer lies in the window; the window is 3 significant figures wide
            exact = Decimal(repr(float(item.correct)))
            assert abs(exact - value) <= tol
            if item.correct:
                assert tol == Decimal(5).scaleb(exact.adjusted() - 3)
            wrong = answers[1:]
            assert [w.get("fraction") for w in wrong] == ["0"] * len(item.wrongs)
            for w, model in zip(wrong, item.wrongs):
                v, t = Decimal(w.find("text").text), Decimal(w.find("tolerance").text)
                # each mistake's value lies outside the key's window, and its own window does
                # not reach the key's
                assert abs(v - value) > tol
                assert abs(v - value) - t > tol
                assert model.kind.replace("_", " ") in w.find("feedback/text").text


def test_feedback_is_html_with_mathjax(exported):
    root, _, text = exported
    q = next(q for q in root.iter("question") if q.get("type") == "numerical")
    feedback = q.find("generalfeedback")
    assert feedback.get("format") == "html"
    body = feedback.find("text").text
    assert "\\[" in body and "\\begin{aligned}" in body and "<h4>Backward pass</h4>" in body
    assert "\\(" in q.find("questiontext/text").text
    # a diagnosis is explained beside its value
    assert any("σ′" in a.find("feedback/text").text or "sign" in a.find("feedback/text").text
               for a in q.findall("answer")[1:]) or q.find("name/text").text.endswith("Yhat")


def test_user_text_is_escaped(tmp_path):
    problem = tmp_path / "evil.yaml"
    problem.write_text(
        'title: "<script>alert(1)</script> & ]]> \\"q\\""\n'
        "inputs: {X1: 2, X2: -1}\nparams: {W: 1.5}\n"
        "nodes:\n  H: W * X1 + X2\noutput: H\nactivation: sigmoid\nloss: bce\nlabel: 1\n",
        encoding="utf-8")
    text, _ = api.export_moodle(str(problem), count=2, work=False)
    root = ET.fromstring(text.encode("utf-8"))     # well-formed despite the title
    assert "<script>" not in text
    top = root.find("question/category/text").text
    assert "<script>alert(1)<//script> & ]]>" in top   # a / is doubled in a path


def test_cli_writes_and_never_replaces(tmp_path):
    out = tmp_path / "quiz.xml"
    result = run_cli("export", "moodle", "q3b", "--count", "2", "--no-work", "-o", str(out))
    assert result.exit_code in (0, 1), result.output
    assert "windows separate" in result.stderr
    ET.parse(out)
    before = out.read_bytes()
    again = run_cli("export", "moodle", "q3b", "--count", "2", "-o", str(out))
    assert again.exit_code == 2 and "--force" in again.output + again.stderr
    assert out.read_bytes() == before


def test_cli_bad_problem_kind(tmp_path):
    result = run_cli("export", "moodle", "problems/curves_goodfit.yaml", "-o",
                     str(tmp_path / "q.xml"))
    assert result.exit_code == 2
