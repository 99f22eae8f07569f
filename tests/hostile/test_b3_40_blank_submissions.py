"""Batch 3, item 40: a folder of blank submissions gave "every entry of every submission is
right", exit 0.  Blank files are flagged for review (exit 3), and the summary does not say so."""

from conftest import PROBLEMS, run_cli


def test_a_folder_of_blank_files_is_flagged(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text("" if name != "c" else "# nothing\n",
                                               encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(tmp_path))
    assert result.exit_code == 3
    assert "every entry" not in result.output
    assert result.stderr.count("the submission is empty") == 3


def test_a_blank_csv_row_answering_nothing_is_flagged(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("id,Yhat,L\ns1,,\ns2,0.69,1.171\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(book), "-f", "csv")
    assert result.exit_code == 3
    assert "s1" in result.stderr and "answers nothing" in result.stderr
