"""Batch 3, item 6: a CSV gradebook column `Yhat[1]` was read as a gradient (∇Yhat[1]), not as
the output's entry.  Mazur's outputs are Ŷ = 0.75136507, 0.772928465 (keyed from the post)."""

from conftest import PROBLEMS, run_cli


def test_yhat_columns_are_the_outputs_entries(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("id,Yhat[1],Ŷ[2],L\ns1,0.7514,0.7729,0.2984\n", encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "mazur_2_2_2.yaml"), str(book), "-f", "csv")
    assert result.exit_code == 1                      # 14 entries missing
    header, row = result.stdout.splitlines()[:2]
    assert header.split(",")[11:14] == ["Yhat[1]", "Yhat[2]", "L"]
    assert row.split(",")[11:14] == ["right", "right", "right"]
