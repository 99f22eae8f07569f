"""Issue 21 (curves): the CSVs that training libraries write are read as they are, columns can
be mapped with --column, a history without validation data is "cannot tell" (not "good fit,
keep the settings"), and `hwsolve q2a` takes the curves options.

The files below have the real layouts:
* Keras ``CSVLogger``: ``epoch`` first, then the logs' keys sorted (``accuracy, loss,
  val_accuracy, val_loss``), epochs counted from 0;
* Lightning ``CSVLogger`` ``metrics.csv``: the keys sorted (``epoch, step, ...``), one row per
  logging call with the other cells blank; ``on_epoch`` metrics get ``_epoch``/``_step``
  twins;
* TensorBoard's scalars "download CSV": ``Wall time,Step,Value``, one tag per file, named
  ``run-<run>-tag-<tag>.csv``.
Every expected diagnosis and epoch is the one the curves were built to show.
"""

from __future__ import annotations

import pytest

from conftest import PROBLEMS, run_cli
from hwsolve import api

# val_loss is lowest at epoch 4 (0.452) and rises after; loss falls all along
KERAS = """\
epoch,accuracy,loss,val_accuracy,val_loss
0,0.6125,0.9871,0.6050,0.9412
1,0.7344,0.7012,0.7120,0.7103
2,0.8012,0.5530,0.7701,0.5902
3,0.8456,0.4521,0.8013,0.5011
4,0.8790,0.3770,0.8206,0.4520
5,0.9043,0.3161,0.8190,0.4702
6,0.9250,0.2650,0.8105,0.4988
7,0.9411,0.2207,0.8034,0.5391
8,0.9556,0.1830,0.7960,0.5804
9,0.9660,0.1512,0.7902,0.6230
10,0.9745,0.1248,0.7850,0.6702
11,0.9810,0.1030,0.7811,0.7154
"""


def _lightning() -> str:
    """on_step train loss every 50 steps, on_epoch twins, validation at each epoch's end."""
    val = [0.90, 0.70, 0.55, 0.47, 0.45, 0.47, 0.50, 0.54, 0.58, 0.62, 0.66, 0.70]
    rows = ["epoch,step,train_loss_epoch,train_loss_step,val_acc,val_loss"]
    for epoch, v in enumerate(val):
        train = 1.0 / (epoch + 1.2)
        rows.append(f"{epoch},{epoch * 100 + 49},,{train + 0.01:.4f},,")
        rows.append(f"{epoch},{epoch * 100 + 99},,{train - 0.01:.4f},,")
        rows.append(f"{epoch},{epoch * 100 + 99},,,{1 - v / 2:.4f},{v:.4f}")
        rows.append(f"{epoch},{epoch * 100 + 99},{train:.4f},,,")
    return "\n".join(rows) + "\n"


def _tensorboard(values) -> str:
    return "Wall time,Step,Value\n" + "".join(
        f"{1733380000.123456 + 10 * i!r},{i},{v!r}\n" for i, v in enumerate(values))


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_keras_csvlogger(tmp_path):
    found = api.curves(_write(tmp_path, "training.log.csv", KERAS))
    assert found.diagnosis == "overfitting"
    assert found.evidence["metric"] == "val_accuracy"          # accuracy preferred to loss
    assert found.epoch == 4 and found.remedies[0] == "epochs"
    assert set(found.curves.series) == {"train_loss", "train_accuracy", "val_loss",
                                        "val_accuracy"}


def test_lightning_metrics_csv(tmp_path):
    found = api.curves(_write(tmp_path, "metrics.csv", _lightning()))
    assert found.diagnosis == "overfitting" and found.epoch == 4
    assert found.curves.epochs[0] == 0 and len(found.curves.epochs) == 12
    assert "train_loss_step" in found.curves.ignored


def test_lightning_rows_that_carry_only_ignored_columns_are_skipped(tmp_path):
    lines = _lightning().splitlines()
    text = "\n".join([lines[0] + ",lr-Adam"] + [line + "," for line in lines[1:3]]
                     + [",150,,,,,0.001"] + [line + "," for line in lines[3:]]) + "\n"
    found = api.curves(_write(tmp_path, "metrics.csv", text))
    assert found.diagnosis == "overfitting" and found.epoch == 4
    assert "lr-Adam" in found.curves.ignored


def test_lightning_with_on_step_logging_only_uses_the_step_axis(tmp_path):
    text = _lightning().replace("train_loss_epoch,train_loss_step", "unused,train_loss")
    found = api.curves(_write(tmp_path, "metrics.csv", text),
                       columns=["unused=ignore"])
    assert found.curves.x_name == "step"
    assert any("the step is the x-axis" in note for note in found.curves.notes)
    assert found.diagnosis == "overfitting" and found.epoch == 499


def test_tensorboard_export_named_by_its_tag(tmp_path):
    values = [2.0 / (s + 1) for s in range(30)]
    path = _write(tmp_path, "run-train-tag-epoch_loss.csv", _tensorboard(values))
    found = api.curves(path)
    assert list(found.curves.series) == ["train_loss"]
    assert any("read the TensorBoard column 'Value' as train_loss" in n
               for n in found.curves.notes)


def test_tensorboard_validation_export(tmp_path):
    path = _write(tmp_path, "run-validation-tag-epoch_accuracy.csv",
                  _tensorboard([0.5 + 0.01 * s for s in range(20)]))
    assert list(api.curves(path).curves.series) == ["val_accuracy"]


def test_tensorboard_export_without_a_hint_asks_for_column(tmp_path):
    path = _write(tmp_path, "export.csv", _tensorboard([1.0, 0.5, 0.25]))
    result = run_cli("curves", str(path))
    assert result.exit_code == 2 and "--column Value=METRIC" in result.stderr
    mapped = run_cli("curves", str(path), "--column", "Value=val_loss", "--no-plot")
    assert mapped.exit_code == 0, mapped.output


def test_column_mapping_and_its_errors(tmp_path):
    path = _write(tmp_path, "log.csv", "iteration,objective,holdout_err\n" + "".join(
        f"{i},{1 / i:.5f},{0.3 + abs(i - 8) / 50:.5f}\n" for i in range(1, 25)))
    result = run_cli("curves", str(path))
    assert result.exit_code == 2 and "unknown column 'iteration'" in result.stderr
    assert "--column 'iteration=METRIC'" in result.stderr
    found = api.curves(path, columns=["iteration=epoch", "objective=train_loss",
                                      "holdout_err=val_loss"])
    assert found.diagnosis == "overfitting" and found.epoch == 8
    bad = run_cli("curves", str(path), "--column", "iteration")
    assert bad.exit_code == 2 and "write NAME=METRIC" in bad.stderr


def test_without_validation_data_it_cannot_tell(tmp_path):
    rows = "".join(f"{e},{0.2 + 0.8 * 0.5 ** e:.6f}\n" for e in range(1, 31))  # levelled off
    path = _write(tmp_path, "train_only.csv", "epoch,loss\n" + rows)
    found = api.curves(path)
    assert found.diagnosis == "undetermined"
    assert "Cannot tell over- from underfitting" in found.advice[0]
    result = run_cli("curves", str(path), "--no-plot")
    assert "good fit" not in result.stdout.lower() and "Keep the settings" not in result.stdout


def test_q2a_through_solve_takes_the_curves_options(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    result = run_cli("q2a", "--plot", "q2a.svg", "--no-plot", "--smooth", "3")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "q2a.svg").read_text().lstrip().startswith("<?xml")
    assert "diagnosis: overfitting" in result.stdout


def test_solve_q2a_with_a_training_option_says_what_to_use():
    result = run_cli("solve", str(PROBLEMS / "q2a.yaml"), "--lr", "0.1")
    assert result.exit_code == 2
    assert "--lr does not apply to a curves problem" in result.stderr
    assert "hwsolve curves" in result.stderr
