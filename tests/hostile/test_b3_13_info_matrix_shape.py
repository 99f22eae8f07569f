"""Hostile batch 3, item 13: ``info`` described every matrix param as a vector: W (3×2) was
"vector of 3, 6 learned".  Each param is now described by its own shape, in every format."""

from __future__ import annotations

import pytest

from conftest import run_cli

PROBLEM = """\
title: shapes
inputs: {x: [1, 2]}
params: {W: [[1, 2], [3, 4], [5, 6]], b: [1, 2, 3], c: 2}
nodes: {h: W @ x + b, z: sum(h) * c}
activation: identity
loss: mse
label: 1
"""


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_each_param_by_its_shape(write, fmt):
    result = run_cli("info", str(write(PROBLEM)), "-f", fmt, "--width", "200")
    assert result.exit_code == 0, result.output
    assert "3×2 matrix, 6 learned" in result.stdout
    assert "vector of 3, 3 learned" in result.stdout
    assert "scalar, 1 learned" in result.stdout
    assert "vector of 3, 6 learned" not in result.stdout
