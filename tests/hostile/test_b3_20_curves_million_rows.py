"""Batch 3, item 20: `curves` took 60 s and 500 MB for its documented maximum of 1,000,000
rows: it built a Fraction per cell and kept every row.  Rows now stream into at most 10,000
exact bin means (the time and memory are measured by bench/curves_rows.py, not here).  This
checks what the binning must keep: exact means, the stated bins, and the limit."""

from fractions import Fraction

from conftest import run_cli
from hwsolve import api
from hwsolve.teach import curves_csv


def test_a_long_run_is_binned_exactly_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(curves_csv, "MAX_POINTS", 100)
    rows = "".join(f"{e},{e % 7}.25,0.{e % 10}\n" for e in range(1, 1001))
    path = tmp_path / "run.csv"
    path.write_text("epoch,train_loss,val_accuracy\n" + rows)
    found = api.curves(path)
    assert len(found.curves.epochs) == 100 and found.curves.rows == 1000
    first = sum(Fraction(e % 7) + Fraction(1, 4) for e in range(1, 11)) / 10
    assert found.curves.series["train_loss"][0] == first          # exact, not a float mean
    assert found.curves.epochs[:2] == [10, 20]
    assert any("bins of 10 consecutive epochs" in note for note in found.curves.notes)
    result = run_cli("curves", str(path), "--no-plot")
    assert "note: 1,000 rows: the curves are the exact means of bins of 10" in result.stdout


def test_more_than_a_million_rows_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(curves_csv, "MAX_ROWS", 50)
    path = tmp_path / "run.csv"
    path.write_text("epoch,train_loss\n" + "".join(f"{e},0.5\n" for e in range(1, 60)))
    result = run_cli("curves", str(path))
    assert result.exit_code == 2 and "has more than 50 rows" in result.stderr
