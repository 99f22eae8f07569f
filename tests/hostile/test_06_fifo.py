"""Hostile item 6: a named pipe given as a problem, or found by `check` in a folder, hung
forever (open() of a FIFO waits for a writer).  Only regular files are read."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def hwsolve(*args, cwd):
    """A real process with a time limit: a hang fails the test instead of stalling the suite."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "hwsolve", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=30)


def test_a_fifo_given_as_the_problem_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    done = hwsolve("pipe.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "pipe.yaml: is not a regular file" in done.stderr
    assert done.stdout == ""


def test_a_fifo_in_a_checked_folder_is_refused(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "a.yaml").write_text((ROOT / "problems" / "q3a.yaml").read_text())
    os.mkfifo(folder / "b.yaml")
    done = hwsolve("check", "keys", cwd=tmp_path)
    assert done.returncode == 2
    assert "b.yaml: is not a regular file" in done.stderr
    assert "✓ a:" in done.stdout          # the good file is still checked
