"""Batch 3, item 7: `curves` read only the first 64 MiB of a CSV and diagnosed that part, so a
run whose loss turned NaN later was called a good fit.  The whole file is read (or refused
past the stated limit), and the NaN found at its own row."""

from conftest import run_cli
from hwsolve.teach import curves_csv


def _rows(first, last):
    return "".join(f"{e},0.5{e:032d},0.6{e:032d}\n" for e in range(first, last))


def test_a_nan_after_the_first_64_mib_is_found(tmp_path):
    path = tmp_path / "long.csv"
    with open(path, "w") as handle:
        handle.write("epoch,train_loss,val_loss\n")
        handle.write(_rows(1, 1_000_000))          # 65.6 MB: past the old 64 MiB cut
        handle.write("1000000,nan,0.7\n")
    assert path.stat().st_size > 64 * 1024 * 1024
    result = run_cli("curves", str(path), "--no-plot")
    assert result.exit_code == 0, result.output
    assert "diagnosis: diverging" in result.stdout
    assert "train_loss is not a finite number at epoch 1000000" in result.stdout


def test_past_the_limit_is_refused_not_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(curves_csv, "MAX_BYTES", 1000)
    path = tmp_path / "run.csv"
    path.write_text("epoch,train_loss\n" + "".join(f"{e},0.5\n" for e in range(1, 400)))
    result = run_cli("curves", str(path))
    assert result.exit_code == 2
    assert f"{path}: is larger than 1,000 bytes" in result.stderr
