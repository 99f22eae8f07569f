"""Hostile input 9: table and CSV were quadratic in the number of columns (10,000 inputs: csv
12 s, table 15 s; 100,000: past 60 s; --values on a 100,000-vector past 60 s).  Solution.grad
is now built once, and the answer and values tables are drawn line by line (render.grid)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hwsolve import api
from hwsolve.engine import solve as solve_module
from hwsolve.render import common

ROOT = Path(__file__).resolve().parents[2]


def _inputs(n: int) -> str:
    rows = "\n".join(f"  X{i}: {i % 9}" for i in range(1, n + 1))
    return f"title: t\ninputs:\n{rows}\nparams: {{W: 1}}\nnodes:\n  H: W * X1\nlabel: 1\n"


def test_grad_is_built_once(monkeypatch):
    built = [0]
    real = solve_module.Solution._by_name

    def counting(self, *args, **kwargs):
        built[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(solve_module.Solution, "_by_name", counting)
    solution = api.solve_text(_inputs(300))
    common.csv_text(solution)
    common.markdown(solution)
    assert built[0] == 2  # values and grad, once each (was once per column: 302 for the csv)


@pytest.mark.parametrize("args", [["--format", "csv"], [], ["--format", "markdown"]])
def test_100000_inputs(tmp_path, args):
    spec = tmp_path / "wide.yaml"
    spec.write_text(_inputs(100_000))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "hwsolve", str(spec), *args],
                          capture_output=True, text=True, env=env, timeout=60)  # 1.5-3 s here
    assert done.returncode == 0, done.stderr
    assert "X99999" in done.stdout and "X100000" in done.stdout


def test_values_of_a_100000_vector(tmp_path):
    spec = tmp_path / "vector.yaml"
    spec.write_text("title: t\ninputs:\n  U: [" + ", ".join(str(i % 5) for i in range(100_000))
                    + "]\nparams: {W: 1}\nnodes:\n  H: W * U[1]\nlabel: 1\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "hwsolve", str(spec), "--values"],
                          capture_output=True, text=True, env=env, timeout=60)  # 3 s here
    assert done.returncode == 0, done.stderr
    assert "U[100000]" in done.stdout
    assert done.stdout.count("\n") > 100_000
