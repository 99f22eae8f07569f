"""Batch 3, item 46: notes named matrix entries X[1][1] while everything else writes
X[1, 1].  Notes and errors both use X[1, 1]."""

import json

from conftest import run_cli

PROBLEM = """\
title: tiny matrix
inputs: {{X: [[{a}, 2], [3, 4]]}}
params: {{W: [[1, 0], [0, 1]]}}
nodes:
  a: W @ X
  s: sum(a)
output: s
loss: none
"""


def test_a_note_names_the_entry(write):
    result = run_cli(str(write(PROBLEM.format(a="1e-400"))), "-f", "json")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w.startswith("X[1, 1]: ") for w in warnings), warnings
    assert not any("][" in w for w in warnings)


def test_an_error_names_the_entry(write):
    result = run_cli(str(write(PROBLEM.format(a="abc"))))
    assert result.exit_code == 2
    assert "at inputs.X[1, 1]:" in result.stderr and "][" not in result.stderr
