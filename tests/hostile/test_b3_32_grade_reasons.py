"""Batch 3, item 32: grade gave the wrong reason for files it does not handle: a curves problem
("unknown key 'kind'"), a batch ("the bce loss needs a label"), an empty submission ("a problem
needs at least title…")."""

from conftest import PROBLEMS, run_cli


def test_a_curves_problem(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("Yhat: 0.5\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "curves_goodfit.yaml"), str(path))
    assert result.exit_code == 2
    assert "is a curves problem (kind: curves)" in result.output


def test_a_batch(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("L: 0.5\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "batch_xor_momentum.yaml"), str(path))
    assert result.exit_code == 2
    assert "grade takes a problem with one example" in result.output
    assert "needs a label" not in result.output


def test_an_empty_submission(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(path))
    assert result.exit_code == 2
    assert "the submission is empty" in result.output
    assert "title" not in result.output


def test_a_problem_given_as_the_answers(tmp_path):
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(PROBLEMS / "q3b.yaml"))
    assert result.exit_code == 2
    assert "this is a problem, not a submission" in result.output
