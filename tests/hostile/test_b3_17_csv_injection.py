"""Batch 3, item 17: the CSV gradebook wrote student ids as they came; a cell starting with =,
+, - or @ is a formula in a spreadsheet.  Such cells now get a leading ' (OWASP)."""

import csv

from conftest import PROBLEMS, run_cli


def test_formula_ids_are_defused(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text('id,Yhat\n"=HYPERLINK(""http://x"",""y"")",0.69\n+1,0.69\n-cmd,0.69\n'
                    "@SUM(A1),0.69\nplain,0.69\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(book), "-f", "csv")
    rows = list(csv.reader(result.stdout.splitlines()))
    ids = [r[0] for r in rows[1:]]
    assert ids == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'-cmd", "'@SUM(A1)", "plain"]
    assert rows[1][1] == "0.0667"          # a negative score or number is not touched
