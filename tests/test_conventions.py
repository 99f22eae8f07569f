"""Course conventions (hwsolve/spec/conventions.py): each reproduces its course's own figure.

- CMU 11-785 (HW1P1, "MSELoss"): L = Σ(A − Y)²/(N·C) and dL/dA = 2(A − Y)/(N·C);
- every convention: the cross-entropy of a batch is the mean of the examples' losses, and
  dL/dz = (softmax(z) − y)/N;
- cs231n: the squared L2 norm Σ(Ŷ − Y)² per example; textbook ½Σ.

The expected numbers are written from those formulas with Python floats here, not by hwsolve.
"""

from __future__ import annotations

import json
import math

import pytest

from conftest import run_cli

A = [[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]]
Y = [[0.5, 2.0, 1.0], [1.0, 1.0, 1.0]]

MSE_BATCH = """\
title: an mse batch of N = 2 examples of C = 3 outputs
params: {{b: [0, 0, 0]}}
examples:
  - {{inputs: {{a: [1, 2, 3]}}, label: [0.5, 2, 1]}}
  - {{inputs: {{a: [-1, 0, 4]}}, label: [1, 1, 1]}}
nodes:
  z: a + b
activation: identity
loss: mse
{extra}
"""


def _json(*args):
    result = run_cli(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


@pytest.mark.parametrize("how", ["spec", "cli"])
def test_cmu11785_mse_is_the_sum_over_n_times_c_with_gradient_2_a_minus_y_over_nc(write, how):
    extra = "conventions: cmu11785" if how == "spec" else ""
    path = write(MSE_BATCH.format(extra=extra))
    doc = _json(str(path), *(["--conventions", "cmu11785"] if how == "cli" else []))
    n, c = 2, 3
    loss = sum((a - y) ** 2 for ra, ry in zip(A, Y) for a, y in zip(ra, ry)) / (n * c)
    assert _close(doc["values"]["L"], loss)
    for example, ra, ry in zip(doc["examples"], A, Y):
        for got, a, y in zip(example["grad"]["a"], ra, ry):
            assert _close(got, 2 * (a - y) / (n * c))
    for j in range(c):
        assert _close(doc["grad"]["b"][j], sum(2 * (A[i][j] - Y[i][j]) / (n * c)
                                               for i in range(n)))


@pytest.mark.parametrize("name,per_example", [
    ("textbook", lambda r: 0.5 * sum(x * x for x in r)),
    ("pytorch", lambda r: sum(x * x for x in r) / len(r)),
    ("cs231n", lambda r: sum(x * x for x in r)),
])
def test_each_convention_sets_the_mse_reduction(write, name, per_example):
    doc = _json(str(write(MSE_BATCH.format(extra=f"conventions: {name}"))))
    residuals = [[a - y for a, y in zip(ra, ry)] for ra, ry in zip(A, Y)]
    assert _close(doc["values"]["L"], sum(per_example(r) for r in residuals) / 2)


CE_BATCH = """\
title: a cross-entropy batch of N = 3
params: {{W: [[0.5, -1], [2, 0.25], [1, 1]]}}
examples:
  - {{inputs: {{x: [1, 2]}}, label: 1}}
  - {{inputs: {{x: [0, -1]}}, label: 3}}
  - {{inputs: {{x: [2, 0.5]}}, label: 2}}
nodes:
  z: W @ x
activation: softmax
loss: cross_entropy
conventions: {name}
"""


@pytest.mark.parametrize("name", ["textbook", "pytorch", "cmu11785", "cs231n"])
def test_cross_entropy_of_a_batch_is_the_mean_of_the_examples(write, name):
    doc = _json(str(write(CE_BATCH.format(name=name))))
    W = [[0.5, -1], [2, 0.25], [1, 1]]
    xs, labels = [[1, 2], [0, -1], [2, 0.5]], [1, 3, 2]
    total, grad = 0.0, [[0.0, 0.0] for _ in range(3)]
    for x, c in zip(xs, labels):
        z = [sum(w * v for w, v in zip(row, x)) for row in W]
        lse = math.log(sum(math.exp(t) for t in z))
        total += lse - z[c - 1]
        p = [math.exp(t - lse) for t in z]
        for k in range(3):
            for j in range(2):
                grad[k][j] += (p[k] - (k == c - 1)) * x[j] / 3
    assert _close(doc["values"]["L"], total / 3)
    for k in range(3):
        for j in range(2):
            assert _close(doc["grad"]["W"][k][j], grad[k][j])


def test_the_convention_is_printed_under_the_table_and_a_bad_one_is_an_error(write):
    path = write(MSE_BATCH.format(extra="conventions: pytorch"))
    result = run_cli(str(path), "--width", "200")
    assert result.exit_code == 0 and "conventions: pytorch (mse mean" in result.output
    result = run_cli("q3a", "--loss", "mse", "--act", "tanh", "--width", "200")
    assert "conventions: textbook (mse ½Σ(Ŷ−Y)²" in result.output
    bad = write(MSE_BATCH.format(extra="conventions: mit6.036"))
    result = run_cli(str(bad))
    assert result.exit_code == 2 and "conventions" in result.stderr and "cmu11785" in \
        result.stderr
