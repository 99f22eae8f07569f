"""Hostile item 1: "a cancellation below rounding is exactly zero" zeroed real differences
that more bits resolve, and declared ties that were not.  Now a difference below the rounding
of its terms is recomputed from the exact inputs at 2x, 4x, 8x the bits, then proved zero with
SymPy, and only then (undecided) taken as zero with a note naming the node.  Both directions
are tested: real differences are resolved, and true ties / zeros of irrational values stay.

Expected numbers: mpmath at 100 digits, from the formulas written next to each test (PyTorch's
float64 cannot see a difference of 1e-57, which is the point of these cases).
"""

from __future__ import annotations

import json
import re

import mpmath
import pytest

from hwsolve import api
from conftest import run_cli, spec



def sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def solve_json(tmp_path, nodes: str, **kw) -> dict:
    path = tmp_path / "p.yaml"
    path.write_text(spec(nodes, **kw))
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def close(a: float, b) -> bool:
    return abs(a - float(b)) <= 1e-14 * max(1.0, abs(float(b)))


def test_a_difference_of_1e_58_is_kept(tmp_path):
    document = solve_json(tmp_path, "{H: W * ((exp(X1) + 1e-58 - exp(X1)) * 1e58)}")
    assert document["values"]["H"] == 1.5          # was 0
    with mpmath.workdps(100):
        expected = sigmoid(mpmath.mpf(1.5)) - 1      # dL/dW = (sigmoid(1.5) - 1) * 1
    assert close(document["grad"]["W"], expected)
    assert not any("cancels below rounding" in w for w in document["warnings"])
    path = tmp_path / "p.yaml"
    table = run_cli(str(path), "--values", "-d", "30", "--width", "200").output
    assert re.search(r"\n\s*H\s+node\s+1\.5\s", table), table


def test_max_of_two_sigmoids_1e_57_apart_is_not_a_tie(tmp_path):
    document = solve_json(tmp_path, "{H: 'max(sigmoid(W1*X1), sigmoid(W2*X1 + 1e-57))'}",
                          params="{W1: 1, W2: 1}")
    assert not any("tie" in w for w in document["warnings"]), document["warnings"]
    assert document["grad"]["W1"] == 0               # was split 1/2 - 1/2
    with mpmath.workdps(100):
        z = 2 + mpmath.mpf(10) ** -57
        h = sigmoid(z)
        expected = (sigmoid(h) - 1) * sigmoid(z) * (1 - sigmoid(z)) * 2
    assert close(document["grad"]["W2"], expected)


@pytest.mark.parametrize("nodes", ["{H: 'max(sigmoid(W*X1), 1/(1 + exp(-W*X1)))'}",
                                   "{H: 'max(sigmoid(W*X1), (tanh(W*X1/2) + 1)/2)'}"])
def test_a_true_tie_of_irrational_values_stays_a_tie(tmp_path, nodes):
    document = solve_json(tmp_path, nodes)
    assert any("H: max has a 2-way tie" in w for w in document["warnings"])
    assert not any("could not be proved" in w for w in document["warnings"])
    with mpmath.workdps(100):
        h = sigmoid(mpmath.mpf(3))
        expected = (sigmoid(h) - 1) * h * (1 - h) * 2  # both halves have the same slope
    assert close(document["grad"]["W"], expected)


@pytest.mark.parametrize("nodes, kink_note", [
    ("{H: W * relu(exp(X1) + 1e-70 - exp(X1)) * 1e70}", False),    # positive, by 1e-70
    ("{H: W + relu(sigmoid(X1) - sigmoid(X1 + 1e-80))}", False),    # negative, by ~1e-81
    ("{H: W + relu(sqrt(X1) * sqrt(X1) - X1)}", True),             # exactly 0
    ("{H: W + abs(log(exp(X1 / 3)) * 3 - X1)}", True),              # exactly 0
])
def test_signs_are_decided_and_true_zeros_stay_zero(tmp_path, nodes, kink_note):
    document = solve_json(tmp_path, nodes)
    notes = " ".join(document["warnings"])
    assert ("at 0: derivative taken as" in notes) is kink_note, notes
    assert "could not be proved" not in notes
    if "1e70" in nodes:
        assert document["values"]["H"] == 1.5  # 1.5 * 1e-70 * 1e70


def test_undecided_zero_is_taken_as_zero_with_a_note_naming_the_node(monkeypatch):
    from hwsolve.engine import precision
    monkeypatch.setattr(precision, "MAX_PROOF_POSITIONS", 0)  # no proof allowed
    solution = api.solve_text(spec("{H: W + relu(sqrt(X1) * sqrt(X1) - X1)}"))
    assert solution.values["H"] == 1.5
    assert any(w.startswith("H: a sign, tie or branch of irrational values is not decided "
                            f"even at {precision.TOP_BITS} bits and could not be proved exact")
               for w in solution.warnings), solution.warnings


def test_common_path_stays_at_the_working_precision():
    solution = api.solve_text(spec("{H: 'sigmoid(W * X1) + max(exp(X2), tanh(X1))'}"))
    assert solution.evaluation.bits == 203
