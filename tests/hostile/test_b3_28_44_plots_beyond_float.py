"""Batch 3, items 28 and 44: a loss beyond float range crashed the plot (OverflowError), an
all-NaN loss crashed matplotlib, and the terminal plot of a diverging run stopped where L
left float range with no note.  The y-axis turns logarithmic (log10 taken from the exact
integers) or a note says what was not drawn."""

import pytest

from conftest import run_cli


def _csv(tmp_path, rows, name="run.csv"):
    path = tmp_path / name
    path.write_text("epoch,train_loss\n" + "".join(f"{e},{v}\n" for e, v in rows))
    return str(path)


def test_a_loss_beyond_float_range_is_drawn_on_a_log_scale(tmp_path):
    path = _csv(tmp_path, [(e, f"1e{e * 40}") for e in range(1, 21)])   # up to 1e800
    result = run_cli("curves", path, "--width", "80")
    assert result.exit_code == 0, result.output
    assert "diagnosis: diverging" in result.stdout
    assert "loss (log scale)" in result.stdout and "1e+800" in result.stdout
    assert "train_loss leaves float range (from x = 8)" in result.stdout


def test_a_plot_file_of_a_loss_beyond_float_range(tmp_path):
    pytest.importorskip("matplotlib")
    path = _csv(tmp_path, [(e, f"1e{e * 40}") for e in range(1, 21)])
    out = tmp_path / "run.svg"
    result = run_cli("curves", path, "--plot", str(out), "--no-plot")
    assert result.exit_code == 0, result.output
    assert out.read_text().lstrip().startswith("<?xml")


def test_an_all_nan_loss_with_a_plot_file(tmp_path):
    pytest.importorskip("matplotlib")
    path = _csv(tmp_path, [(e, "nan") for e in range(1, 6)])
    out = tmp_path / "run.png"
    result = run_cli("curves", path, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert "diagnosis: diverging" in result.stdout
    assert "loss: nothing to draw; train_loss is NaN or infinite from x = 1 on" in result.stdout
    assert out.read_bytes().startswith(b"\x89PNG")


def test_a_terminal_plot_says_where_nan_begins(tmp_path):
    path = _csv(tmp_path, [(1, 0.5), (2, 0.4), (3, 0.3), (4, "nan"), (5, "inf")])
    result = run_cli("curves", path)
    assert "note: train_loss is NaN or infinite from x = 4 on; not drawn" in result.stdout


def test_a_training_plot_of_a_diverging_run_is_logarithmic(tmp_path):
    text = ("title: diverging\ninputs: {X1: 3}\nparams: {W: 1}\nnodes: {a: W * X1}\n"
            "output: a\nactivation: identity\nloss: mse\nlabel: 0\n")
    path = tmp_path / "d.yaml"
    path.write_text(text)
    result = run_cli(str(path), "--lr", "10", "--train-steps", "40", "--width", "100")
    assert result.exit_code == 0, result.output
    assert "(log scale)" in result.stdout
