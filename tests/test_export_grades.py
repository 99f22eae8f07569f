"""grade --format gradescope|canvas|moodle: Gradescope's results.json (validated against a
schema written from Gradescope's specification), LMS gradebook CSVs of a 200-student class,
and per-student feedback files; --hide-key never lets a correct value through."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

from hwsolve import api, num
from hwsolve.render.grade import md
from conftest import run_cli
from grading_fixtures import write_class

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    kinds = write_class(folder / "answers", 200)
    return folder, kinds


def _results(path, *extra):
    result = run_cli("grade", "q3a", str(path), "-f", "gradescope", *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_results_json_validates_and_scores(klass):
    folder, kinds = klass
    for student in ("s000", "s003", "s004", "s005", "s006", "s007"):
        doc = _results(folder / "answers" / f"{student}.yaml", "--visibility", "after_due_date")
        jsonschema.validate(doc, SCHEMA)
        book = api.grade("q3a", folder / "answers" / f"{student}.yaml")
        report = book.reports[0]
        counted = [e for e in report.entries if e.counted]
        assert [t["name"] for t in doc["tests"]] == [e.entry for e in counted]
        assert all(t["visibility"] == "after_due_date" and t["output_format"] == "md"
                   for t in doc["tests"])
        assert doc["score"] == pytest.approx(float(report.credit))
        for t, e in zip(doc["tests"], counted):
            assert t["max_score"] == 1.0
            assert (t["status"] == "passed") == (t["score"] == 1.0)
            if e.status == "wrong":
                assert t["score"] == 0 and md(e.text) in t["output"]
        if kinds[student] != "right":
            assert any(t["status"] == "failed" for t in doc["tests"])


def _roundings(value) -> set:
    """The texts a correct value can show as: 2 to 12 significant figures, and the key."""
    found = {num.fmt_sig(value, d) for d in range(2, 13)}
    return {t.lstrip("-") for t in found if len(t.strip("-0.")) >= 2}


def test_hide_key_lets_no_correct_value_through(klass, tmp_path):
    folder, kinds = klass
    for student in ("s000", "s003", "s004", "s005", "s006", "s007", "s008"):
        path = folder / "answers" / f"{student}.yaml"
        doc = _results(path, "--hide-key")
        jsonschema.validate(doc, SCHEMA)
        report = api.grade("q3a", path).reports[0]
        shown = json.dumps(doc, ensure_ascii=False)
        fb = tmp_path / student
        assert run_cli("grade", "q3a", str(path), "-f", "gradescope", "--hide-key",
                       "--feedback", str(fb)).exit_code in (0, 1)
        shown += "".join(p.read_text(encoding="utf-8") for p in fb.iterdir())
        numbers = set(re.findall(r"\d+\.?\d*(?:e-?\d+)?", shown))
        for e in report.entries:
            for text in _roundings(e.correct):
                assert text not in numbers, (student, e.entry, text)
        # without --hide-key the key is there
        plain = json.dumps(_results(path), ensure_ascii=False)
        if kinds[student] != "right":
            assert any(t in plain for e in report.entries if e.status == "wrong"
                       for t in _roundings(e.correct))


def test_canvas_gradebook_of_200_students(klass, tmp_path):
    folder, kinds = klass
    out = tmp_path / "canvas.csv"
    result = run_cli("grade", "q3a", str(folder / "answers"), "-f", "canvas", "--points", "20",
                     "-o", str(out))
    assert result.exit_code == 3      # two broken files are flagged
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:4] == ["Student", "ID", "SIS User ID", "Section"]
    assert all(h.isascii() for h in header) and header[4] == "hwsolve q3a"
    assert rows[1][0] == "Points Possible" and rows[1][4] == "20"
    body = rows[2:]
    assert len(body) == 202
    book = api.grade("q3a", folder / "answers")
    by_student = {r.student: r for r in book.rows}
    for row in body:
        assert row[0] == row[2]
        report = by_student[row[2]]
        expected = 0.0 if not hasattr(report, "score") else float(report.score) * 20
        assert float(row[4]) == pytest.approx(expected, abs=1e-4)
        assert 0 <= float(row[4]) <= 20
    assert any(float(r[4]) == 20 for r in body) and any(float(r[4]) < 20 for r in body)
    # never replaced without --force
    again = run_cli("grade", "q3a", str(folder / "answers"), "-f", "canvas", "-o", str(out))
    assert again.exit_code == 2 and out.read_bytes() == raw


def test_moodle_gradebook_and_feedback(klass, tmp_path):
    folder, _ = klass
    out, fb = tmp_path / "moodle.csv", tmp_path / "feedback"
    result = run_cli("grade", "q3a", str(folder / "answers"), "-f", "moodle",
                     "--id-column", "ID number", "--feedback", str(fb), "-o", str(out))
    assert result.exit_code == 3
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["ID number", "hwsolve q3a", "hwsolve q3a feedback"]
    assert len(rows) == 203
    assert all(0 <= float(r[1]) <= 100 for r in rows[1:])
    files = sorted(p.name for p in fb.iterdir())
    assert len(files) == 202 and "s000.md" in files
    flagged = (fb / "bad_abc.md").read_text(encoding="utf-8")
    assert "review" in flagged
    again = run_cli("grade", "q3a", str(folder / "answers"), "-f", "moodle", "--feedback",
                    str(fb), "-o", str(tmp_path / "other.csv"))
    assert again.exit_code == 2 and "--force" in again.output + again.stderr


def test_csv_cells_are_safe(tmp_path):
    answers = tmp_path / "a.csv"
    answers.write_text("student,Yhat,L\n=HYPERLINK(1),0.5,0.7\n@sum,0.5,0.7\n",
                       encoding="utf-8")
    result = run_cli("grade", "q3a", str(answers), "-f", "canvas")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    ids = [r[2] for r in rows[2:]]
    assert ids == ["'=HYPERLINK(1)", "'@sum"]
