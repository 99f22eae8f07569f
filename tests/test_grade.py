"""hwsolve grade: every diagnosis kind from a hand-made wrong answer, the seed's own Q3b
answers, folder and CSV modes, bad files.

The wrong answers below were worked by hand from the problem's numbers (the steps are in the
comments), not produced by the grader: Q3b has X1 = 2, X2 = -1, X3 = 1, W1 = 1.5, B1 = 1,
W2 = -3, so H1 = 1.5, H2 = -1, H3 = min(2, 1.5) = 1.5, H4 = 2, H5 = 2, R = -0.5,
Ŷ = σ(-0.5) = 0.377541, dL/dR = Ŷ - 1 = -0.622459; ∇H5 = 0.622459, ∇H3 = -0.622459,
∇H4 = 0.622459, ∇H2 = ∇H4·W2/H1 = -1.244919, ∇H1 = ∇H3·1 + ∇H4·(-W2·H2/H1²) =
-0.622459 - 0.829946 = -1.452405, ∇X1 = ∇H1·W1 + ∇H2·X2·X3 + ∇H3·0 = -2.178608 + 1.244919
= -0.933689 (the seed's table, CSCI 5922 problem set 1, Q3b).
"""

from __future__ import annotations

import csv
import json
import textwrap

import pytest

from conftest import PROBLEMS, run_cli

Q3B = str(PROBLEMS / "q3b.yaml")


def grade(tmp_path, text: str, *args: str, problem: str = Q3B, name: str = "answers.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = run_cli("grade", problem, str(path), "--format", "json", *args)
    return result, (json.loads(result.output) if result.exit_code in (0, 1) else None)


def entries(document) -> dict:
    return {e["entry"]: e for e in document["entries"]}


SEED = """\
    Yhat: 0.378
    L: 0.974
    grad: {H5: 0.622, H4: 0.622, H3: -0.622, H2: -1.24, H1: -1.45, W2: -0.415, W1: -1.45,
           B1: -1.24, X3: 2.49, X2: -4.67, X1: -0.934}
    local: {'H3/X1': 1}
    """


def test_the_seeds_q3b_answers_are_right_but_its_local_derivative_is_not(tmp_path):
    result, document = grade(tmp_path, SEED)
    assert result.exit_code == 1
    found = entries(document)
    finals = [e for name, e in found.items() if name != "H3/X1"]
    assert len(finals) == 13 and all(e["status"] == "right" for e in finals)
    slip = found["H3/X1"]
    assert slip["status"] == "wrong" and slip["correct"] == 0 and not slip["counted"]
    assert slip["diagnosis"]["kind"] == "kink_branch"
    text = slip["diagnosis"]["text"]
    assert "min passes the gradient only to its smaller argument" in text
    assert "X1 = 2" in text and "H1 = 1.5" in text
    # the local derivative is not one of the sheet's entries: judged and shown, not counted
    assert document["score"] == 1 and document["total"] == 13


def test_the_table_shows_the_reason_and_the_rule(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(textwrap.dedent(SEED), encoding="utf-8")
    result = run_cli("grade", Q3B, str(path), "--width", "200")
    assert result.exit_code == 1
    assert "min passes the gradient" in result.output
    assert "rule: 3 significant figures (the grading default)" in result.output


def test_carried_error_points_at_the_first_wrong_entry(tmp_path):
    # ∇H1 written as -2.0 (wrong); ∂H1/∂W1 = X1 + X2 = 1, so ∇W1 = -2.0 follows from it.
    result, document = grade(tmp_path, "grad: {H1: -2.0, W1: -2.0}\n")
    found = entries(document)
    assert found["∇H1"]["status"] == "wrong"
    w1 = found["∇W1"]
    assert w1["status"] == "follows" and w1["diagnosis"]["kind"] == "carried"
    root = document["roots"][w1["root"]]
    assert root["where"] == "∇H1" and found["∇H1"]["root"] == w1["root"]
    # full follow-through credit by default: 1 of the 13 asked entries
    assert document["credit"] == 1 and document["total"] == 13


def test_carried_through_a_chain_names_the_root(tmp_path):
    # value H2 = -2 (wrong; it is -1): H4 = W2·H2/H1 = -3·(-2)/1.5 = 4 follows from it.
    result, document = grade(tmp_path, "values: {H2: -2, H4: 4}\n")
    found = entries(document)
    assert found["value H4"]["status"] == "follows"
    assert document["roots"][found["value H4"]["root"]]["where"] == "value H2"


def test_carried_from_a_wrong_local_derivative(tmp_path):
    # With the seed's ∂H3/∂X1 = 1: ∇X1 = -2.178608 + 1.244919 + (-0.622459)(1) = -1.556148.
    result, document = grade(tmp_path, "grad: {X1: -1.56}\nlocal: {'H3/X1': 1}\n")
    x1 = entries(document)["∇X1"]
    assert x1["status"] == "follows"
    assert document["roots"][x1["root"]]["where"] == "H3/X1"


def test_missed_path(tmp_path):
    # Without the term through H2 (+1.244919): -0.933689 - 1.244919 = -2.178608.
    result, document = grade(tmp_path, "grad: {X1: -2.18}\n")
    d = entries(document)["∇X1"]["diagnosis"]
    assert d["kind"] == "missed_path" and "through H2" in d["text"]


def test_extra_path(tmp_path):
    # The term through H2 counted twice: -0.933689 + 1.244919 = 0.311230.
    result, document = grade(tmp_path, "grad: {X1: 0.311}\n")
    d = entries(document)["∇X1"]["diagnosis"]
    assert d["kind"] == "extra_path" and "through H2" in d["text"]


def test_kink_branch_in_a_gradient(tmp_path):
    # min giving the gradient to X1 instead of H1: ∇H1 = ∇H4·(-4/3) = -0.829946 and
    # ∇X1 = -0.829946·1.5 + 1.244919 + (-0.622459)(1) = -0.622459.
    result, document = grade(tmp_path, "grad: {X1: -0.622}\n")
    d = entries(document)["∇X1"]["diagnosis"]
    assert d["kind"] == "kink_branch" and "min" in d["text"]


def test_missing_activation_derivative(tmp_path):
    # σ′ left out: dL/dR = dL/dŶ = -1/Ŷ = -2.648717, so ∇H5 = -dL/dR = 2.648717.
    result, document = grade(tmp_path, "grad: {H5: 2.65}\n")
    d = entries(document)["∇H5"]["diagnosis"]
    assert d["kind"] == "missing_activation_derivative" and "σ′" in d["text"]


def test_sign_error(tmp_path):
    # ∇H5 = -dL/dR = +0.622459; -0.622 has the sign flipped.
    result, document = grade(tmp_path, "grad: {H5: -0.622}\n")
    assert entries(document)["∇H5"]["diagnosis"]["kind"] == "sign"


TANH_MSE = """\
    title: Q3a with a tanh output and mse
    inputs: {X1: -1, X2: 1}
    params: {W1: [1, -1], B1: 0, W2: [-1, 0.5], B2: 0.5, W3: [1, 1], B3: -1}
    constants: {alpha: 0.1}
    nodes:
      z1: dot(W1, [X1, X2]) + B1
      H1: leaky_relu(z1, alpha)
      z2: dot(W2, [X1, X2]) + B2
      H2: leaky_relu(z2, alpha)
      z3: dot(W3, [H1, H2]) + B3
    activation: tanh
    loss: mse
    label: 0
    """


@pytest.fixture
def tanh_problem(tmp_path):
    path = tmp_path / "tanh_mse.yaml"
    path.write_text(textwrap.dedent(TANH_MSE), encoding="utf-8")
    return str(path)


def test_tanh_label(tmp_path, tanh_problem):
    # z3 = 0.8, tanh(0.8) = 0.664037.  Label 0 kept instead of -1: L = ½·0.664037² = 0.220472
    # (the right L is ½·1.664037² = 1.384509, the seed's EC.b).
    result, document = grade(tmp_path, "L: 0.220\n", problem=tanh_problem)
    assert entries(document)["L"]["diagnosis"]["kind"] == "tanh_label"
    result, document = grade(tmp_path, "L: 1.385\n", problem=tanh_problem)
    assert entries(document)["L"]["status"] == "right"


def test_mse_half(tmp_path, tanh_problem):
    # The ½ dropped: L = 1.664037² = 2.769018.
    result, document = grade(tmp_path, "L: 2.769\n", problem=tanh_problem)
    d = entries(document)["L"]["diagnosis"]
    assert d["kind"] == "mse_half" and "½" in d["text"]


def test_a_wrong_answer_matching_no_pattern_gets_the_derivation(tmp_path):
    result, document = grade(tmp_path, "grad: {X1: 7.5}\n")
    d = entries(document)["∇X1"]["diagnosis"]
    assert d["kind"] == "other"
    assert "∇H1·∂H1/∂X1" in d["text"] and "-0.9337" in d["text"]


def test_folder_mode_and_summary(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.yaml").write_text(textwrap.dedent(SEED), encoding="utf-8")
    (folder / "bob.yaml").write_text("grad: {X1: -2.18, H5: 0.622}\n", encoding="utf-8")
    (folder / "cy.yaml").write_text("grad: {X1: 0.311}\n", encoding="utf-8")
    result = run_cli("grade", Q3B, str(folder), "--width", "200")
    assert result.exit_code == 1
    lines = result.output
    for student in ("ann", "bob", "cy"):
        assert student in lines
    assert "most often wrong: ∇X1 (2)" in lines
    document = json.loads(run_cli("grade", Q3B, str(folder), "--format", "json").output)
    assert [s["student"] for s in document["students"]] == ["ann", "bob", "cy"]
    assert document["graded"] == 3 and document["flagged"] == 0


def test_csv_gradebook_in_and_out(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("id,Yhat,L,dL/dH5,X1,H3/X1\n"
                    "s1,0.378,0.974,0.622,-0.934,0\n"
                    "s2,0.378,0.974,2.65,-2.18,\n", encoding="utf-8")
    result = run_cli("grade", Q3B, str(book), "--format", "csv")
    assert result.exit_code == 1
    rows = result.output.strip().splitlines()
    header = rows[0].split(",")
    assert header[:11] == ["student", "score", "needs_review", "reason", "variant", "right",
                           "follows", "wrong", "missing", "roots", "rule"]
    assert header[11:] == ["Yhat", "L", "∇H5", "∇H4", "∇H3", "∇H2", "∇H1", "∇W2", "∇W1", "∇B1",
                           "∇X3", "∇X2", "∇X1"]
    s1 = rows[1].split(",")
    assert s1[:10] == ["s1", f"{4 / 13:.4f}", "no", "", "", "4", "0", "0", "9", ""]
    s2 = dict(zip(header, next(csv.reader([rows[2]]))))
    assert s2["∇H5"] == "wrong: missing_activation_derivative"
    assert s2["∇X1"] == "wrong: missed_path" and s2["right"] == "2"


def test_all_right_exits_0(tmp_path):
    result, document = grade(tmp_path, SEED.replace("    local: {'H3/X1': 1}\n", ""))
    assert result.exit_code == 0 and document["score"] == 1


@pytest.mark.parametrize("text, words", [
    ("grad: {Q9: 1}\n", "'Q9' is not an entry"),
    ("grades: {X1: 1}\n", "unknown key 'grades'"),
    ("grad: {X1: one}\n", "not a plain decimal"),
    ("local: {'H3/W2': 1}\n", "not a direct input of H3"),
    ("local: {H3: 1}\n", "keyed 'OF/WRT'"),
    ("- 1\n- 2\n", "must be a mapping"),
])
def test_a_bad_single_submission_is_one_error_with_exit_2(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("grade", Q3B, str(path))
    assert result.exit_code == 2
    assert words in result.output and "bad.yaml" in result.output
    assert "Traceback" not in result.output


def test_a_bad_csv_row_is_flagged_with_its_line_and_the_rest_is_graded(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("id,X1\ns1,-0.934\ns2,abc\n", encoding="utf-8")
    result = run_cli("grade", Q3B, str(book), "--format", "csv")
    assert result.exit_code == 3
    assert "needs review: s2" in result.stderr and "line 3" in result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    assert [r[:3] for r in rows[1:]] == [["s1", f"{1 / 13:.4f}", "no"], ["s2", "0.0000", "yes"]]


def test_grading_under_a_tolerance_rule(tmp_path):
    # ∇X1 = -0.933689: -0.93 passes decimal places, fails rel 1e-3 (error 0.0037 > 0.00093).
    result, document = grade(tmp_path, "grad: {X1: -0.93}\n", "--tolerance", "abs:0.01")
    assert entries(document)["∇X1"]["status"] == "right"
    result, document = grade(tmp_path, "grad: {X1: -0.93}\n", "--tolerance", "rel:1e-3")
    x1 = entries(document)["∇X1"]
    assert x1["status"] == "wrong"
    assert document["rule"] == "relative error at most 0.001 (--tolerance)"


def test_a_wild_upstream_number_does_not_make_what_follows_free(tmp_path):
    # ∇H1 written as 1e400: at 3 significant figures its rounding alone is 5e396, so nothing
    # downstream can be said to follow from it; ∇W1 = 7 is simply wrong (it is -1.452405).
    result, document = grade(tmp_path, "grad: {H1: 1e400, W1: 7}\n")
    found = entries(document)
    assert found["∇W1"]["status"] == "wrong" and document["credit"] == 0


@pytest.mark.parametrize("text, words", [
    ("grad: {W1: [1, 2, 3]}\n", "W1 is a vector of 2, but a vector of 3 was written"),
    ("grad: {B1: [1]}\n", "B1 is a scalar, but a vector of 1 was written"),
    ("grad: {W1: [[1, 2], [3]]}\n", "different lengths"),
    ("Yhat: [0.69, 0.5]\n", "Yhat is a scalar, but a vector of 2 was written"),
])
def test_a_list_of_the_wrong_length_is_refused(tmp_path, text, words):
    path = tmp_path / "short.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(path))
    assert result.exit_code == 2 and words in result.output
