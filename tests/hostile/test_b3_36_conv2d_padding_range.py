"""Batch 3, item 36: conv2d padding -1 got "must be a whole number literal".  It is one: the
message gives the range."""

import pytest

from conftest import run_cli

PROBLEM = """\
title: conv
inputs: {{X: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}}
params: {{K: [[1, 0], [0, 1]]}}
nodes:
  c: conv2d(X, K, {stride}, {padding})
  s: sum(c)
output: s
loss: none
"""


@pytest.mark.parametrize("stride, padding", [(1, -1), (-2, 0), (0, 0), (1, 65)])
def test_out_of_range_gets_the_range(write, stride, padding):
    result = run_cli(str(write(PROBLEM.format(stride=stride, padding=padding))))
    assert result.exit_code == 2
    # the argument at fault, its range and the value given (-1 is a literal too)
    what, low = ("padding", 0) if stride == 1 else ("stride", 1)
    assert f"the {what} of conv2d() must be from {low} to 64, not " \
        f"{padding if what == 'padding' else stride}" in result.stderr
    assert "literal" not in result.stderr


def test_a_non_literal_still_says_literal_and_the_range(write):
    result = run_cli(str(write(PROBLEM.format(stride=1, padding="X"))))
    assert result.exit_code == 2
    assert "must be a whole number literal (from 0 to 64)" in result.stderr
