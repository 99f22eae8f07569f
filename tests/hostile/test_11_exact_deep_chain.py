"""Hostile input 11: `--exact` on a valid 80-node sigmoid chain failed with "the input is nested
too deeply to process": the closed-form printers recurse.  A closed form nested deeper than
symbolic.MAX_CLOSED_FORM_DEPTH is now skipped with a note naming the node."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from hwsolve.work import symbolic

ROOT = Path(__file__).resolve().parents[2]


def _chain(n: int) -> str:
    lines = ["title: sigmoid chain", "inputs: {X: 0.5}", "params: {W: 0.9}", "nodes:",
             "  H1: W * X"]
    lines += [f"  H{i}: sigmoid(W * H{i - 1})" for i in range(2, n + 1)]
    return "\n".join(lines + ["label: 1"]) + "\n"


def _run(tmp_path, *args):
    spec = tmp_path / "chain.yaml"
    spec.write_text(_chain(80))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "hwsolve", str(spec), *args],
                          capture_output=True, text=True, env=env, timeout=60)  # ~1 s here


@pytest.mark.parametrize("args", [["--exact"], ["--exact", "--steps"],
                                  ["--exact", "--steps", "--format", "latex"],
                                  ["--exact", "--format", "json"]])
def test_80_node_sigmoid_chain(tmp_path, args):
    done = _run(tmp_path, *args, "--width", "200")
    assert done.returncode == 0, done.stderr
    assert "nested too deeply" not in done.stderr


def test_the_note_names_the_node(tmp_path):
    done = _run(tmp_path, "--exact", "--steps", "--width", "200")
    assert "closed form skipped for H80: it would nest more than" in done.stdout
    # The early nodes keep their closed forms: H2 = σ(9/20) = 1/(1 + e^(-9/20)).
    assert "H2 = σ(W·H1) = σ(0.9·0.45) = 1/(1 + e^(-81/200))" in done.stdout


def test_too_large_walks_without_recursion():
    x = symbolic.leaf("x")
    deep = x
    for _ in range(5_000):
        deep = sp.exp(deep, evaluate=False)
    reason = symbolic.too_large(deep)
    assert reason is not None and "levels deep" in reason.reason
    wide = sp.Add(*[sp.exp(symbolic.leaf(f"x{i}")) for i in range(400)])
    assert "operations" in symbolic.too_large(wide).reason
    assert symbolic.too_large(sp.exp(x) + 1) is None
