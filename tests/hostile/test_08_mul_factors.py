"""Hostile input 8: Mul's backward was quadratic in its factors (2,900 factors: 25-32 s).
Prefix and suffix products make it linear; the count of multiplications bounds the work."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from hwsolve import num
from hwsolve.ops import rules

ROOT = Path(__file__).resolve().parents[2]


def _count_multiplications(monkeypatch, factors: list) -> tuple:
    calls = [0]
    real = num.mul

    def counting(a, b):
        calls[0] += 1
        return real(a, b)

    monkeypatch.setattr(num, "mul", counting)
    partials, note = rules.Mul.backward(factors, None, [True] * len(factors))
    return partials, calls[0]


def test_backward_is_linear_in_factors(monkeypatch):
    for n in (100, 2_900):
        factors = [Fraction(k % 7 + 1, k % 5 + 1) for k in range(n)]
        partials, count = _count_multiplications(monkeypatch, factors)
        assert count <= 3 * n, (n, count)  # was n * (n - 1)
        assert len(partials) == n


def test_backward_values_are_products_of_the_others(monkeypatch):
    factors = [Fraction(2), Fraction(-3, 4), Fraction(5), Fraction(1, 7), Fraction(0),
               Fraction(9, 2)]
    partials, _ = _count_multiplications(monkeypatch, factors)
    for i, partial in enumerate(partials):
        expected = Fraction(1)
        for j, x in enumerate(factors):
            if j != i:
                expected *= x
        assert partial == expected, i


def test_a_2900_factor_product_solves_in_seconds(tmp_path):
    spec = tmp_path / "mul.yaml"
    spec.write_text("title: t\ninputs: {X: 2, Z: 0.5}\nnodes:\n  H: \"" +
                    "*".join(["X", "Z"] * 1450) + "\"\nlabel: 1\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "hwsolve", str(spec), "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=30)  # 0.3 s here
    assert done.returncode == 0, done.stderr
    grad = json.loads(done.stdout)["grad"]
    # By hand: H = (XZ)^1450 = 1, dL/dH = σ(1) - 1, ∂H/∂X = 1450/X = 725, ∂H/∂Z = 1450/Z = 2900.
    upstream = 1 / (1 + math.exp(-1)) - 1
    assert math.isclose(grad["X"], 725 * upstream, rel_tol=1e-12)
    assert math.isclose(grad["Z"], 2900 * upstream, rel_tol=1e-12)
