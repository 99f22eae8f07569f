"""Batch 3, item 5: an entry written twice (a matrix as a list, and one entry by index) took
the verdict of the last number for both rows.  Now the submission is refused, naming the entry
and both places (exit 2 for one file; flagged for review in a class, exit 3)."""

from conftest import PROBLEMS, run_cli

MAZUR = str(PROBLEMS / "mazur_2_2_2.yaml")


def test_a_matrix_and_one_of_its_entries_is_refused_naming_the_entry(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("grad:\n  W1: [[0.000439, 0.000877], [0.000498, 0.000995]]\n"
                    "  'W1[1,2]': 5\n", encoding="utf-8")
    result = run_cli("grade", MAZUR, str(path))
    assert result.exit_code == 2
    assert "∇W1[1, 2] is written twice" in result.output
    assert "in the list grad.W1, line 2" in result.output and "line 3" in result.output


def test_in_a_class_it_is_flagged_and_the_rest_graded(tmp_path):
    (tmp_path / "a.yaml").write_text("grad: {W1: [[1, 2], [3, 4]], 'W1[2, 1]': 3}\n",
                                     encoding="utf-8")
    (tmp_path / "b.yaml").write_text("L: 0.298\n", encoding="utf-8")
    result = run_cli("grade", MAZUR, str(tmp_path), "-f", "csv")
    assert result.exit_code == 3
    assert "needs review: a" in result.stderr and "∇W1[2, 1] is written twice" in result.stderr
    assert "\nb,0.0588,no," in result.stdout        # 1 of Mazur's 17 entries
