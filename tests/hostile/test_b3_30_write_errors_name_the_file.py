"""Batch 3, item 30: write errors of --history and --plot named neither the file nor the
option ("No space left on device").  A missing folder and a full disk are both named."""

import errno
import os

import pytest

from conftest import PROBLEMS, run_cli

TRAIN = str(PROBLEMS / "mazur_2_2_2_train.yaml")


@pytest.mark.parametrize("option, name", [("--history", "h.csv"), ("--plot", "l.svg")])
def test_a_missing_folder(tmp_path, option, name):
    if option == "--plot":
        pytest.importorskip("matplotlib")
    out = tmp_path / "no" / name
    result = run_cli(TRAIN, "--train-steps", "2", option, str(out))
    assert result.exit_code == 2
    assert f"{out}, at {option}: cannot be written (No such file or directory)" in result.stderr


@pytest.mark.parametrize("option, name", [("--history", "h.csv"), ("--plot", "l.svg")])
def test_a_full_disk(tmp_path, monkeypatch, option, name):
    if option == "--plot":
        pytest.importorskip("matplotlib")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    out = tmp_path / name
    result = run_cli(TRAIN, "--train-steps", "2", option, str(out))
    assert result.exit_code == 2
    assert f"{out}, at {option}: cannot be written (No space left on device)" in result.stderr


def test_curves_plot_in_a_missing_folder(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "no" / "c.png"
    result = run_cli("curves", str(PROBLEMS / "q2a.yaml"), "--plot", str(out))
    assert result.exit_code == 2
    assert f"{out}, at --plot: cannot be written" in result.stderr
