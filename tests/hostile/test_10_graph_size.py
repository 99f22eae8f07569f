"""Hostile input 10: `graph -o x.svg` on a 2,000-node chain made Graphviz use 5.7 GB for 25 s
and fail; a 100,000-node .dot took 12 s.  A picture of more than MAX_DRAWN_VERTICES vertices is
refused before Graphviz runs (the message says why and offers .dot); .dot stays linear."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hwsolve import api
from hwsolve.render import graphviz

ROOT = Path(__file__).resolve().parents[2]


def _chain(n: int) -> str:
    lines = ["title: chain", "inputs: {X: 0.5}", "params: {W: 0.9}", "nodes:", "  H1: W * X"]
    lines += [f"  H{i}: tanh(W * H{i - 1})" for i in range(2, n + 1)]
    return "\n".join(lines + ["label: 1"]) + "\n"


def _hwsolve(*args, timeout=60):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "hwsolve", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def test_a_2000_node_picture_is_refused_before_graphviz_runs(tmp_path):
    spec = tmp_path / "chain.yaml"
    spec.write_text(_chain(2_000))
    for suffix in ("svg", "png", "pdf"):
        target = tmp_path / f"x.{suffix}"
        done = _hwsolve("graph", str(spec), "-o", str(target))  # 0.3 s here
        assert done.returncode == 2
        assert str(spec) in done.stderr and "too large to read" in done.stderr
        assert ".dot" in done.stderr and "2,004 vertices" in done.stderr
        assert not target.exists()


def test_the_dot_text_is_linear_in_the_graph(tmp_path):
    spec = tmp_path / "chain.yaml"
    spec.write_text(_chain(20_000))
    target = tmp_path / "x.dot"
    done = _hwsolve("graph", str(spec), "-o", str(target))  # 1.5 s here
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    # One line per vertex and one per edge (W and the previous node feed each node).
    assert text.count(" -> ") == 2 + 2 * 19_999 + 2  # H1 = W·X, each later node, Ŷ and L
    assert text.count("[label=<") == 20_002 + 3  # X, W, the nodes, Ŷ, the label Y and L


def test_the_limit_counts_vertices():
    small = api.solve_text(_chain(graphviz.MAX_DRAWN_VERTICES - 5))
    assert len(small.graph.slots) + 2 <= graphviz.MAX_DRAWN_VERTICES
