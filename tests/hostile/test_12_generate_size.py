"""Hostile input 12: `generate 100000` wrote 5.1 MB that hwsolve then refused as larger than
4 MiB.  The generator must not write what the solver refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hwsolve.spec.yamlread import MAX_BYTES
from hwsolve.tools import generate

ROOT = Path(__file__).resolve().parents[2]


def test_generate_100000_refuses_instead_of_writing_an_unreadable_file(tmp_path):
    target = tmp_path / "big.yaml"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "hwsolve", "generate", "100000", "-o",
                           str(target)], capture_output=True, text=True, env=env,
                          timeout=120)  # about 4 s here
    assert done.returncode == 2, done.stderr
    assert "4 MiB" in done.stderr and "at most about" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists()


def test_the_limit_is_the_readers(monkeypatch):
    text = generate.generate_problem(50, 1)
    size = len(text.encode("utf-8"))
    assert size <= MAX_BYTES
    monkeypatch.setattr(generate, "MAX_BYTES", size - 1)
    with pytest.raises(ValueError, match="at most about"):
        generate.generate_problem(50, 1)
    monkeypatch.setattr(generate, "MAX_BYTES", size)
    assert generate.generate_problem(50, 1) == text
