"""A class, an exam of variants and per-student variants graded in one run.

Every expected value comes from the PyTorch models of tests/grading_fixtures.py or by hand:
Q3a has Ŷ = σ(0.8) = 0.68997 and L = -log(1 - 0.68997) = 1.17110, and 15 entries on its sheet
(columns Yhat, L, W3[2], B3, W2[2], B2, H2, W1[2], B1, H1, X1, X2).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys

import pytest

from conftest import PROBLEMS, run_cli

Q3A = str(PROBLEMS / "q3a.yaml")


def _json(result):
    return json.loads(result.stdout)


def test_integer_guesses_score_zero_at_the_default_rule(tmp_path):
    path = tmp_path / "guess.yaml"
    path.write_text("Yhat: 1\nL: 0\ngrad: {W3: [0, 0], B3: 0, W2: [0, 0], B2: 0, H2: 0, "
                    "W1: [0, 0], B1: 0, H1: 0, X1: 0, X2: 0}\n", encoding="utf-8")
    result = run_cli("grade", Q3A, str(path), "-f", "json")
    document = _json(result)
    assert result.exit_code == 1
    assert document["credit"] == 0 and document["total"] == 15
    assert document["rule"] == "3 significant figures (the grading default)"
    assert document["roots"] == []


def test_only_yhat_scores_one_of_the_sheets_entries(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text("Yhat: 0.690\n", encoding="utf-8")
    document = _json(run_cli("grade", Q3A, str(path), "-f", "json"))
    assert (document["credit"], document["total"]) == (1, 15)
    assert sum(e["status"] == "missing" for e in document["entries"]) == 14


def test_rounded_answers_are_judged_at_the_instructors_rule(tmp_path):
    # ∇X2 = 0.27599 (by hand: ∇z1·X2·... see grading_fixtures.q3a): 0.28 is 2 figures.
    path = tmp_path / "r.yaml"
    path.write_text("grad: {X2: 0.28}\n", encoding="utf-8")
    x2 = lambda d: next(e for e in d["entries"] if e["entry"] == "∇X2")  # noqa: E731
    assert x2(_json(run_cli("grade", Q3A, str(path), "-f", "json")))["status"] == "wrong"
    assert x2(_json(run_cli("grade", Q3A, str(path), "-f", "json", "--tolerance",
                            "sigfigs:2")))["status"] == "right"


def test_a_course_file_sets_the_rule_and_the_follow_through(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "hwsolve.toml").write_text('[course]\ntolerance = "sigfigs:2"\n'
                                          'follow_through = "none"\ndigits = 6\n',
                                          encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text("grad: {X2: 0.28}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    document = _json(run_cli("grade", Q3A, str(path), "-f", "json"))
    assert document["rule"].startswith("2 significant figures (course file ")
    assert document["follow_through"] == 0
    # ∇X2 = 0.275989792 (grading_fixtures.q3a): the table shows the course's 6 digits
    assert "0.27599" in run_cli("grade", Q3A, str(path), "--width", "200").output


GRADE_LIST = """\
title: Q3a with a grade list
inputs: {X1: -1, X2: 1}
params: {W1: [1, -1], B1: 0, W2: [-1, 0.5], B2: 0.5, W3: [1, 1], B3: -1}
constants: {alpha: 0.1}
nodes:
  z1: dot(W1, [X1, X2]) + B1
  H1: leaky_relu(z1, alpha)
  z2: dot(W2, [X1, X2]) + B2
  H2: leaky_relu(z2, alpha)
  z3: dot(W3, [H1, H2]) + B3
label: 0
grade: [Yhat, W1, 'W3[2]', value z3]
"""


def test_a_grade_list_in_the_spec_sets_the_entries_scored(tmp_path):
    # by hand: z3 = 1·(-0.2) + 1·2 - 1 = 0.8; ∇W1 = ∇z1·X = 0.069·(-1, 1); ∇W3[2] = 0.69·2
    problem = tmp_path / "p.yaml"
    problem.write_text(GRADE_LIST, encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("Yhat: 0.690\ngrad: {W1: [-0.069, 0.069], X1: 5}\nvalues: {z3: 0.8}\n",
                       encoding="utf-8")
    document = _json(run_cli("grade", str(problem), str(answers), "-f", "json"))
    assert [e["entry"] for e in document["entries"] if e["counted"]] == \
        ["Yhat", "∇W1[1]", "∇W1[2]", "∇W3[2]", "value z3"]
    assert (document["credit"], document["total"]) == (4, 5)
    assert "∇X1" in document["notes"][0]
    problem.write_text(GRADE_LIST.replace("value z3", "value z9"), encoding="utf-8")
    result = run_cli("grade", str(problem), str(answers))
    assert result.exit_code == 2 and "at grade[4]" in result.output and "z9" in result.output


import grading_fixtures as F  # noqa: E402  (torch only where a test asks F for keys)


def test_a_class_of_200_with_two_bad_files(tmp_path):
    folder = tmp_path / "class"
    kinds = F.write_class(folder)
    result = run_cli("grade", Q3A, str(folder), "-f", "csv")
    assert result.exit_code == 3
    rows = list(csv.DictReader(result.stdout.splitlines()))
    graded = [r for r in rows if r["needs_review"] == "no"]
    flagged = [r for r in rows if r["needs_review"] == "yes"]
    assert len(graded) == 200 and len(flagged) == 2
    assert {r["student"] for r in flagged} == {"bad_abc", "bad_twice"}
    assert all(r["score"] == "0.0000" for r in flagged)
    assert "bad_abc.yaml" in result.stderr and "bad_twice.yaml" in result.stderr
    assert "not a plain decimal" in result.stderr and "written twice" in result.stderr
    score = {r["student"]: float(r["score"]) for r in graded}
    for student, kind in kinds.items():
        if kind == "right":
            assert score[student] == 1, student
        elif kind in ("zeros", "rounded"):
            assert score[student] == 0, student
        elif kind == "partial":
            assert score[student] == pytest.approx(9 / 15, abs=1e-4), student  # 6 entries left out
        else:  # one root: one entry charged, the rest follows at full credit
            assert score[student] == pytest.approx(14 / 15, abs=1e-4), (student, kind)
            row = next(r for r in graded if r["student"] == student)
            assert row["roots"].count(" at ") == 1


def test_the_gradebook_is_the_same_from_a_csv(tmp_path):
    right = F.q3a(F.Q3A_NUMBERS)
    wrong = F.q3a(F.Q3A_NUMBERS, "sign")
    header = ["id", "Yhat", "L", "W3[1]", "W3[2]", "B3", "W2[1]", "W2[2]", "B2", "H2", "W1[1]",
              "W1[2]", "B1", "H1", "X1", "X2"]

    def row(sid, a):
        flat = [a["Yhat"], a["L"], *a["W3"], a["B3"], *a["W2"], a["B2"], a["H2"], *a["W1"],
                a["B1"], a["H1"], a["X1"], a["X2"]]
        return [sid] + [F.sig(x, 4) for x in flat]

    book = tmp_path / "book.csv"
    lines = [header, row("ann", right), row("bob", wrong), row("ann", right)]
    book.write_text("\n".join(";".join(r) for r in lines) + "\n", encoding="utf-8")
    result = run_cli("grade", Q3A, str(book), "-f", "json")
    document = _json(result)
    assert result.exit_code == 3            # ann twice: flagged, named once
    by = {s["student"]: s for s in document["students"]}
    assert by["ann"]["needs_review"] and "submitted 2 times" in by["ann"]["reason"]
    assert [(r["kind"], r["where"]) for r in by["bob"]["roots"]] == [("sign", "∂z3/∂H1")]


def _vary_folder(tmp_path, count=30):
    out = tmp_path / "exam"
    result = run_cli("vary", Q3A, "--count", str(count), "--seed", "7", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_an_exam_of_30_variants_with_a_roster(tmp_path):
    from hwsolve import api
    exam = _vary_folder(tmp_path)
    files = sorted(exam.glob("q3a-v*.yaml"))
    assert len(files) == 30
    answers = tmp_path / "answers"
    answers.mkdir()
    roster = ["student,variant"]
    planted = {}
    for i in range(60):
        number = i % 30 + 1
        file = exam / f"q3a-v{number:02d}.yaml"
        numbers = F.numbers_of(api.load(file), F.Q3A_NUMBERS, F.Q3A_NAMES)
        mistake = None if i % 3 else "branch"
        student = f"st{i:02d}"
        (answers / f"{student}.yaml").write_text(
            F.submission_yaml(F.q3a(numbers, mistake), 4, student=student), encoding="utf-8")
        roster.append(f"{student},{number}")
        planted[student] = mistake
    # one student names the variant in the file instead of the roster
    (answers / "solo.yaml").write_text(F.submission_yaml(
        F.q3a(F.numbers_of(api.load(exam / "q3a-v07.yaml"), F.Q3A_NUMBERS, F.Q3A_NAMES)), 4,
        student="solo", variant=7), encoding="utf-8")
    (tmp_path / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    result = run_cli("grade", str(exam), str(answers), "--roster", str(tmp_path / "roster.csv"),
                     "-f", "json")
    assert result.exit_code == 1, result.stderr
    document = _json(result)
    assert document["graded"] == 61 and document["flagged"] == 0
    by = {s["student"]: s for s in document["students"]}
    assert by["solo"]["score"] == 1 and by["solo"]["variant"] == "variant 7"
    for student, mistake in planted.items():
        s = by[student]
        assert s["variant"] == f"variant {int(student[2:]) % 30 + 1}"
        if mistake is None:
            assert s["score"] == 1, student
        else:
            assert [r["kind"] for r in s["roots"]] == ["kink_branch"], student


def test_an_exam_submission_without_a_variant_is_flagged(tmp_path):
    exam = _vary_folder(tmp_path, 3)
    answers = tmp_path / "a"
    answers.mkdir()
    (answers / "x.yaml").write_text("Yhat: 0.5\n", encoding="utf-8")
    (answers / "y.yaml").write_text("variant: 9\nYhat: 0.5\n", encoding="utf-8")
    result = run_cli("grade", str(exam), str(answers))
    assert result.exit_code == 3
    assert "names no variant" in result.stderr and "variant 9 is not in" in result.stderr


def test_variant_seed_is_sha256_of_the_id_and_the_course_seed():
    from hwsolve.teach.roster import variant_seed
    text = "hwsolve-variant-v1\0" + "2026\0" + "ann"
    by_hand = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
    assert variant_seed("ann", 2026) == by_hand == variant_seed(" ann ", 2026)
    assert variant_seed("ann", 2027) != by_hand
    code = "from hwsolve.teach.roster import variant_seed; print(variant_seed('ann', 2026))"
    for hashseed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": hashseed}, check=True)
        assert int(out.stdout) == by_hand


def test_per_student_variants_are_drawn_again_from_the_id(tmp_path):
    from hwsolve import api
    from hwsolve.teach.roster import student_variant
    problem = api.load(Q3A)
    answers = tmp_path / "a"
    answers.mkdir()
    for student in ("ann", "bob", "cy"):
        drawn = student_variant(problem, student, 2026)
        numbers = dict(F.Q3A_NUMBERS)
        numbers.update({k: F._floats(v) for k, v in drawn.values.items() if k in numbers})
        numbers["X"] = [float(drawn.values["X1"]), float(drawn.values["X2"])]
        (answers / f"{student}.yaml").write_text(F.submission_yaml(F.q3a(numbers), 4),
                                                 encoding="utf-8")
    result = run_cli("grade", Q3A, str(answers), "--per-student", "--seed", "2026", "-f", "json")
    document = _json(result)
    assert result.exit_code == 0, result.stdout
    assert [s["score"] for s in document["students"]] == [1, 1, 1]
    # with another course seed the keys differ: the same answers are no longer right
    other = _json(run_cli("grade", Q3A, str(answers), "--per-student", "--seed", "1", "-f",
                          "json"))
    assert any(s["score"] < 1 for s in other["students"])


def test_the_csv_reader_names_the_delimiter(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("id;Yhat;Yhat\ns1;0.69;0.69\n", encoding="utf-8")
    result = run_cli("grade", Q3A, str(book))
    assert result.exit_code == 2
    assert "read with a semicolon between columns" in result.output
    book.write_text("id Yhat L\ns1 0.69 1.17\n", encoding="utf-8")
    result = run_cli("grade", Q3A, str(book))
    assert result.exit_code == 2
    assert "no comma, semicolon or tab" in result.output
    book.write_text("id;Yhat\ns1;0,69\n", encoding="utf-8")
    result = run_cli("grade", Q3A, str(book), "-f", "csv")
    assert result.exit_code == 3 and "decimal comma" in result.stderr


def test_options_that_do_not_fit_the_problem_are_refused(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,variant\nann,1\n", encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("student: ann\nvariant: 3\nYhat: 0.69\n", encoding="utf-8")
    result = run_cli("grade", Q3A, str(answers), "--roster", str(roster))
    assert result.exit_code == 2 and "give PROBLEM as the folder of variants" in result.output
    result = run_cli("grade", Q3A, str(answers))
    assert result.exit_code == 2 and "names variant 3, but the problem is one file" in \
        result.output


def test_a_csv_gradebook_with_a_variant_column(tmp_path):
    from hwsolve import api
    exam = _vary_folder(tmp_path, 3)
    header = ["id", "variant", "Yhat", "L", "W3[1]", "W3[2]", "B3", "W2[1]", "W2[2]", "B2", "H2",
              "W1[1]", "W1[2]", "B1", "H1", "X1", "X2"]
    lines = [",".join(header)]
    for number in (1, 2, 3):
        numbers = F.numbers_of(api.load(exam / f"q3a-v{number}.yaml"), F.Q3A_NUMBERS,
                               F.Q3A_NAMES)
        a = F.q3a(numbers)
        flat = [a["Yhat"], a["L"], *a["W3"], a["B3"], *a["W2"], a["B2"], a["H2"], *a["W1"],
                a["B1"], a["H1"], a["X1"], a["X2"]]
        lines.append(",".join([f"s{number}", str(number)] + [F.sig(x, 4) for x in flat]))
    lines.append(",".join(["s9", "4"] + ["0.5"] * 15))
    book = tmp_path / "book.csv"
    book.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("grade", str(exam), str(book), "-f", "csv")
    assert result.exit_code == 3 and "variant 4 is not in" in result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [(r["student"], r["score"], r["variant"]) for r in rows[:3]] == \
        [("s1", "1.0000", "variant 1"), ("s2", "1.0000", "variant 2"),
         ("s3", "1.0000", "variant 3")]
