"""Hostile batch 3, item 22: ``generate 100000 --tensor`` ran for more than 200 s before it
refused the size (each node filtered every vector made so far: quadratic).  The size is now
checked before any work, and the generator's work grows linearly with the node count."""

from __future__ import annotations

import sys

import pytest

from conftest import run_cli
from hwsolve.spec.yamlread import MAX_BYTES
from hwsolve.tools import generate


@pytest.mark.parametrize("tensor", [True, False])
def test_too_big_is_refused_before_generating(monkeypatch, tensor):
    def never(*args, **kwargs):
        raise AssertionError("generated before checking the size")
    from hwsolve.tools.generate import scalar, tensor as tensor_module
    monkeypatch.setattr(tensor_module.TensorGenerator, "build", never)
    monkeypatch.setattr(scalar._Generator, "build", never)
    args = ["generate", "100000"] + (["--tensor"] if tensor else [])
    result = run_cli(*args)
    assert result.exit_code == 2
    assert "more than the 4 MiB hwsolve reads; ask for at most about" in result.stderr
    most = generate.most_nodes(tensor)
    assert f"at most about {most:,} nodes" in result.stderr


def test_the_suggested_count_fits():
    for tensor in (True, False):
        n = generate.most_nodes(tensor)
        assert generate.least_bytes(n, tensor) <= MAX_BYTES
        text = generate.generate_problem(n, 11, tensor=tensor)
        assert len(text.encode("utf-8")) <= MAX_BYTES


def _lines(n: int) -> int:
    """Lines of Python executed to generate an n-node tensor problem (deterministic)."""
    count = [0]

    def trace(frame, event, arg):
        if event == "line":
            count[0] += 1
        return trace
    sys.settrace(trace)
    try:
        generate.generate_problem(n, 3, tensor=True)
    finally:
        sys.settrace(None)
    return count[0]


def test_work_grows_linearly():
    """4× the nodes, about 3× the lines (fixed costs); the quadratic generator took 10×."""
    small, large = _lines(500), _lines(2000)
    assert large / small < 5, (small, large)
