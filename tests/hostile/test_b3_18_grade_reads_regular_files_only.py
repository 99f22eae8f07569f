"""Batch 3, item 18: `grade` opened a CSV without checking that it is a regular file: a FIFO
hung and a link to /dev/zero ate memory.  Every file grade reads (gradebook, submissions,
roster) goes through hwsolve.fileio.read_text: FIFOs, devices and oversize files are refused."""

import os
import subprocess
import sys

import pytest

from conftest import PROBLEMS, ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
Q3A = str(PROBLEMS / "q3a.yaml")


def hwsolve(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "hwsolve", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_fifo_gradebook_is_refused(tmp_path):
    os.mkfifo(tmp_path / "book.csv")
    done = hwsolve("grade", Q3A, "book.csv", cwd=tmp_path)
    assert done.returncode == 2 and "book.csv: is not a regular file" in done.stderr


def test_a_link_to_dev_zero_is_refused(tmp_path):
    os.symlink("/dev/zero", tmp_path / "book.csv")
    done = hwsolve("grade", Q3A, "book.csv", cwd=tmp_path)
    assert done.returncode == 2 and "is not a regular file" in done.stderr


def test_fifos_and_devices_in_a_class_folder_are_flagged(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.yaml").write_text("Yhat: 0.69\n", encoding="utf-8")
    os.mkfifo(folder / "b.yaml")
    os.symlink("/dev/zero", folder / "c.yaml")
    done = hwsolve("grade", Q3A, "class", "-f", "csv", cwd=tmp_path)
    assert done.returncode == 3
    assert "b.yaml): is not a regular file" in done.stderr
    assert "c.yaml): is not a regular file" in done.stderr


def test_a_fifo_roster_and_an_oversize_submission_are_refused(tmp_path):
    os.mkfifo(tmp_path / "roster.csv")
    (tmp_path / "exam").mkdir()
    (tmp_path / "exam" / "q3a-v1.yaml").write_text((ROOT / "problems" / "q3a.yaml").read_text())
    (tmp_path / "a.yaml").write_text("Yhat: 0.69\n", encoding="utf-8")
    done = hwsolve("grade", "exam", "a.yaml", "--roster", "roster.csv", cwd=tmp_path)
    assert done.returncode == 2 and "roster.csv: is not a regular file" in done.stderr
    (tmp_path / "big.yaml").write_text("Yhat: 0.69\n" + "#" * (2 * 1024 * 1024),
                                       encoding="utf-8")
    done = hwsolve("grade", Q3A, "big.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "is larger than 1 MiB" in done.stderr
