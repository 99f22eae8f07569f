"""Planted single root mistakes, found once from the sheet's entries alone.

Each submission is computed by the independent PyTorch models of tests/grading_fixtures.py
(a student's one mistake planted in the autograd graph) on Q3a, Mazur's 2-2-2 and variants of
both with other numbers, written as the sheet's entries at 3 significant figures (the rule's own
precision, the hardest case).  The grader
must name the planted root (kind and place, stated by hand in the fixtures) once, charge one
entry as wrong and give every other changed entry follow-through credit under ``full``; a
correct submission must get no diagnosis at all.
"""

from __future__ import annotations

import json

import pytest

from conftest import PROBLEMS, run_cli

import grading_fixtures as F  # noqa: E402  (torch only where a test asks F for keys)

from hwsolve import api  # noqa: E402
from hwsolve.teach import vary  # noqa: E402

VARIANTS = 12
DIGITS = 3


def _problems(tmp_path):
    """(name, problem file, numbers, model, planted roots) for the base problems and variants."""
    cases = []
    for name, model, base, roots in (("q3a", F.q3a, F.Q3A_NUMBERS, F.Q3A_ROOTS),
                                     ("mazur_2_2_2", F.mazur, F.MAZUR_NUMBERS, F.MAZUR_ROOTS)):
        path = PROBLEMS / f"{name}.yaml"
        cases.append((name, path, base, model, roots))
        problem = api.load(path)
        for v in vary.vary(problem, VARIANTS, seed=16):
            file = tmp_path / f"{name}-v{v.number}.yaml"
            file.write_text(v.text, encoding="utf-8")
            loaded = api.load(file)
            if name == "q3a":
                numbers = F.numbers_of(loaded, base, F.Q3A_NAMES)
            else:
                numbers = F.numbers_of(loaded, base, {"x": "x", "W1": "W1", "W2": "W2"})
            cases.append((f"{name} v{v.number}", file, numbers, model, roots))
    return cases


def _visible(right: dict, wrong: dict) -> bool:
    """Does the mistake change any entry at 3 significant figures (else nothing to find)?"""
    def flat(v):
        return [x for item in v for x in flat(item)] if isinstance(v, list) else [v]
    a = [x for k in right for x in flat(right[k])]
    b = [x for k in wrong for x in flat(wrong[k])]
    if any(x != x for x in b):
        return False  # tanh for sigmoid gave a negative Ŷ: bce has no value, no answer to write
    return any(F.sig(x, 3) != F.sig(y, 3) for x, y in zip(a, b))


def _grade(problem_file, folder):
    result = run_cli("grade", str(problem_file), str(folder), "--format", "json",
                     "--follow-through", "full")
    assert result.exit_code in (0, 1), result.output
    return {s["student"]: s for s in json.loads(result.stdout)["students"]}


def test_planted_roots_are_named_once_and_followed(tmp_path):
    named, planted, misses = 0, 0, []
    false_diagnoses = []
    for label, problem_file, numbers, model, roots in _problems(tmp_path):
        folder = tmp_path / label.replace(" ", "_")
        folder.mkdir()
        right = model(numbers)
        (folder / "right.yaml").write_text(F.submission_yaml(right, 4), encoding="utf-8")
        expected = {}
        for mistake, root in roots.items():
            wrong = model(numbers, mistake)
            if not _visible(right, wrong):
                continue
            (folder / f"{mistake}.yaml").write_text(F.submission_yaml(wrong, DIGITS),
                                                    encoding="utf-8")
            expected[mistake] = root
        students = _grade(problem_file, folder)
        ok = students["right"]
        if ok["roots"] or any(e["status"] != "right" for e in ok["entries"]):
            false_diagnoses.append(label)
        for mistake, (kind, where) in expected.items():
            planted += 1
            report = students[mistake]
            found = [(r["kind"], r["where"]) for r in report["roots"]]
            if found != [(kind, where)]:
                misses.append((label, mistake, found))
                continue
            named += 1
            statuses = [e["status"] for e in report["entries"]]
            # one entry charged, every other changed entry follows, nothing else wrong
            assert statuses.count("wrong") == 1, (label, mistake, report["entries"])
            assert "missing" not in statuses
            for e in report["entries"]:
                if e["status"] == "follows":
                    assert e["root"] == 0
            assert report["credit"] == report["total"] - 1
    assert planted >= 100
    assert not false_diagnoses
    print(f"planted {planted}, named once {named} ({named / planted:.1%}), misses {misses}")
    assert named / planted >= 0.95, misses


def test_half_credit_and_none(tmp_path):
    wrong = F.mazur(F.MAZUR_NUMBERS, "half")
    path = tmp_path / "half.yaml"
    path.write_text(F.submission_yaml(wrong, 4), encoding="utf-8")
    problem = str(PROBLEMS / "mazur_2_2_2.yaml")
    scores = {}
    for policy in ("full", "half", "none"):
        result = run_cli("grade", problem, str(path), "-f", "json", "--follow-through", policy)
        document = json.loads(result.stdout)
        assert [r["kind"] for r in document["roots"]] == ["mse_half"]
        follows = sum(e["status"] == "follows" for e in document["entries"])
        # L is charged; every gradient doubles with it (16 entries), Ŷ is untouched (2)
        assert follows == 14
        scores[policy] = document["credit"]
    assert scores == {"full": 16.0, "half": 9.0, "none": 2.0}


def test_a_garbage_answer_is_not_given_a_diagnosis_under_a_loose_rule(tmp_path):
    # Q3b: ∇H5 = 0.622459; with σ′ left out it is 1/Ŷ = 2.648717 (see test_grade.py).  A bare
    # `3` matches 2.65 under abs:0.5, but not at 3 significant figures: no diagnosis.
    path = tmp_path / "g.yaml"
    path.write_text("grad: {H5: 3}\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3b.yaml"), str(path), "-f", "json",
                     "--tolerance", "abs:0.5")
    document = json.loads(result.stdout)
    h5 = next(e for e in document["entries"] if e["entry"] == "∇H5")
    assert h5["status"] == "wrong" and h5["diagnosis"]["kind"] == "other"
    assert document["roots"] == []
    path.write_text("grad: {H5: 2.649}\n", encoding="utf-8")
    document = json.loads(run_cli("grade", str(PROBLEMS / "q3b.yaml"), str(path), "-f", "json",
                                  "--tolerance", "abs:0.5").stdout)
    assert [r["kind"] for r in document["roots"]] == ["missing_activation_derivative"]


@pytest.mark.parametrize("pair, roots", [
    ("sigma_prime+half", {("mse_half", "L"), ("missing_activation_derivative", "h[1]")}),
    ("sign+missed_path", {("sign", "∂net_o[1]/∂h[1]"), ("missed_path", "∇h[1] through net_o[2]")}),
])
def test_two_mistakes_are_two_roots(tmp_path, pair, roots):
    wrong = F.mazur(F.MAZUR_NUMBERS, pair)
    path = tmp_path / "two.yaml"
    path.write_text(F.submission_yaml(wrong, 4), encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "mazur_2_2_2.yaml"), str(path), "-f", "json")
    document = json.loads(result.stdout)
    assert {(r["kind"], r["where"]) for r in document["roots"]} == roots
    statuses = [e["status"] for e in document["entries"]]
    assert statuses.count("wrong") == 2 and "missing" not in statuses
