"""Hostile item 13: X1 ** 0 at X1 = 0 was refused as "0 raised to a negative power"; its value
is 1 and its gradient 0.  Expected numbers from PyTorch float64 autograd:
    z = x**0 + w at x = 0, w = 1.5, bce with Y = 1:
    Yhat 0.9241418199787566, L 0.07888973429254963, dL/dW -0.07585818002124345, dL/dX1 0.0
"""

from __future__ import annotations

import json

from conftest import run_cli, spec


def test_zero_to_the_zero_has_value_one_and_gradient_zero(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(spec("{H: X1 ** 0 + W}", inputs="{X1: 0}"))
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["values"]["H"] == 2.5
    assert abs(document["values"]["Yhat"] - 0.9241418199787566) < 1e-15
    assert abs(document["values"]["L"] - 0.07888973429254963) < 1e-15
    assert abs(document["grad"]["W"] - -0.07585818002124345) < 1e-15
    assert document["grad"]["X1"] == 0


def test_variable_base_and_exponent_at_zero(tmp_path):
    """W ** X1 with X1 = 0 and W = 0: 0 ** 0 = 1; d/dW is 0 (exponent 0), and d/dX1 is taken
    as 0 at a zero base (PyTorch: 0 ** 0 has grad 0 for both)."""
    path = tmp_path / "p.yaml"
    path.write_text(spec("{H: W ** X1}", inputs="{X1: 0}", params="{W: 0}"))
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["values"]["H"] == 1
    assert document["grad"]["W"] == 0
