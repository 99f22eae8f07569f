"""Batch 3, item 19: `curves` hung on a named pipe.  It is refused on the descriptor."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@pytest.mark.parametrize("name", ["run.csv", "c.yaml", "history"])
def test_curves_refuses_a_fifo(tmp_path, name):
    os.mkfifo(tmp_path / name)
    done = subprocess.run([sys.executable, "-m", "hwsolve", "curves", name], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2
    assert f"{name}: is not a regular file" in done.stderr
