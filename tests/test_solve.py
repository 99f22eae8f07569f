"""Solver tests.  Expected values are derived by hand in the comments (exact rationals, or a
rational multiple of one mpmath quantity), never taken from hwsolve itself."""

from fractions import Fraction

import mpmath

from hwsolve import num
import pytest

from hwsolve import api
from hwsolve.errors import HwsolveError
from conftest import PROBLEMS, network_problems, single_problems, spec

mpmath.mp.dps = 50


def mp(x):
    """An exact rational, a ball or an int as an mpf (mpmath does not take Fractions)."""
    if not isinstance(x, (mpmath.mpf, float, int, Fraction)):
        return num.to_mpf(x)
    x = Fraction(x) if not isinstance(x, (mpmath.mpf, float)) else x
    return mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else mpmath.mpf(x)


def close(x, y, digits=45):
    x, y = mp(x), mp(y)
    return abs(x - y) <= mpmath.mpf(10) ** -digits * max(1, abs(y))


def sig(x):
    return 1 / (1 + mpmath.exp(-x))


def test_q3b_by_hand():
    s = api.solve_file(PROBLEMS / "q3b.yaml")
    v, g = s.values, s.grad
    # Forward values are exact: H1 = 1.5, H2 = -1, H3 = 1.5, H4 = -3 * (-1 / 1.5) = 2, R = -0.5
    assert (v["H1"], v["H2"], v["H3"], v["H4"], v["H5"], v["R"]) == \
        (Fraction(3, 2), -1, Fraction(3, 2), 2, 2, Fraction(-1, 2))
    assert close(v["Yhat"], sig(mpmath.mpf(-0.5)))
    assert close(v["L"], mpmath.log(1 + mpmath.exp(0.5)))
    # dL/dR = Ŷ - 1 = -σ(1/2) =: u; every gradient is a rational multiple of u:
    # H5: -u, H4: -u (max passes to H4), H3: u, H2: W2/H1 * (-u) = 2u,
    # H1: u (min passes to H1) + (-W2 H2 / H1²)(-u) = u + 4u/3 = 7u/3, W2: (H2/H1)(-u) = 2u/3,
    # W1: (X1 + X2) 7u/3, B1: 2u, X3: X1 X2 2u = -4u, X2: X1 X3 2u + W1 7u/3 = 4u + 7u/2,
    # X1: 0 (min passes nothing to X1 = 2 > H1) + X2 X3 2u + W1 7u/3 = -2u + 7u/2 = 3u/2.
    u = -sig(mpmath.mpf(0.5))
    expected = {"R": 1, "H5": -1, "H4": -1, "H3": 1, "H2": 2, "H1": Fraction(7, 3),
                "W2": Fraction(2, 3), "W1": Fraction(7, 3), "B1": 2, "X3": -4,
                "X2": Fraction(15, 2), "X1": Fraction(3, 2)}
    for name, ratio in expected.items():
        assert close(g[name], u * mp(ratio)), name
    assert s.warnings == []


def test_q3a_by_hand():
    s = api.solve_file(PROBLEMS / "q3a.yaml")
    v, g = s.values, s.grad
    assert (v["z1"], v["H1"], v["z2"], v["H2"], v["z3"]) == (-2, Fraction(-1, 5), 2, 2,
                                                             Fraction(4, 5))
    yhat = sig(mp(Fraction(4, 5)))
    assert close(v["Yhat"], yhat)
    assert close(v["L"], -mpmath.log(1 - yhat))
    # dL/dz3 = Ŷ - 0 = Ŷ; W3 -> [H1, H2] Ŷ; H1 -> W3[1] Ŷ; z1 -> 0.1 Ŷ (leaky slope, z1 < 0)
    assert close(g["W3"][0], -yhat / 5) and close(g["W3"][1], 2 * yhat)
    assert close(g["B1"], yhat / 10) and close(g["B2"], yhat)
    assert close(g["X1"], -yhat + yhat / 10) and close(g["X2"], yhat / 2 - yhat / 10)
    assert "alpha" in v and "alpha" not in g


def solve_text(text, **choices):
    return api.solve_text(text, name="t", **choices)


def test_exact_tie_in_max_splits_the_gradient():
    s = solve_text(spec("{a: 'max(0.1 + X1, 0.3)', b: a}", inputs="{X1: 0.2}",
                        params="{W: 1}"), activation="identity", loss="mse", label=0)
    # L = a²/2, dL/da = a = 0.3; the tie gives X1 half of it.
    assert s.grad["X1"] == Fraction(3, 20)
    assert any(w.startswith("a: max has a 2-way tie") for w in s.warnings)


def test_three_way_tie_gives_a_third_each():
    s = solve_text(spec("{m: 'max(X1, X2, W)'}", inputs="{X1: 1, X2: 1}", params="{W: 1}"),
                   activation="identity", loss="mse", label=0)
    assert s.grad["X1"] == s.grad["X2"] == s.grad["W"] == Fraction(1, 3)
    s = solve_text(spec("{m: min(V)}", inputs="{X1: 1}", params="{V: [2, 2, 2, 5]}"),
                   activation="identity", loss="mse", label=0)
    assert s.grad["V"] == [Fraction(2, 3)] * 3 + [0]


@pytest.mark.parametrize("nodes, grad, note", [
    ("{a: relu(X1 - 2)}", 0, "relu at 0: derivative taken as 0"),
    ("{a: 'leaky_relu(X1 - 2, 0.2)'}", Fraction(1, 5), "slope 0.2"),
    ("{a: leaky_relu(X1 - 2)}", Fraction(1, 100), "slope 0.01"),
    ("{a: abs(X1 - 2)}", 0, "abs at 0"),
])
def test_kinks_follow_pytorch_and_warn(nodes, grad, note):
    s = solve_text(spec(nodes, inputs="{X1: 2}", params="{W: 1}") + "output: a\n",
                   activation="identity", loss="mse", label=-1)
    # a = 0, dL/da = a - Y = 1, so dL/dX1 is the local derivative at the kink.
    assert s.grad["X1"] == grad
    assert any(w.startswith("a: ") and note in w for w in s.warnings)


@pytest.mark.parametrize("nodes, message", [
    ("{a: X1 - 2, b: W / a}", "node b .*division by zero"),
    ("{a: log(X1 - 2)}", "node a .*log of a non-positive number"),
    ("{a: sqrt(X1 - 2)}", "node a .*sqrt at 0 is infinite"),
    ("{a: sqrt(X1 - 3)}", "node a .*square root of a negative"),
    ("{a: (X1 - 3) ** W}", "node a .*not real"),
    ("{a: (X1 - 2) ** 0.5}", "node a .*infinite"),
    ("{a: X1 - 1.5, b: (X1 - 3) ** a}", "node b .*not real"),
    ("{a: X1 - 1, b: (X1 - 3) ** a}", "node b .*positive base"),
    ("{a: exp(1e20 * X1)}", "node a .*too large"),
])
def test_domain_errors_name_the_node(nodes, message):
    with pytest.raises(HwsolveError, match=message) as info:
        solve_text(spec(nodes, inputs="{X1: 2}", params="{W: 0.5}"))
    assert info.value.where.startswith("nodes.")


def test_variable_exponent():
    # a = W ** X1 = 4; da/dW = X1 W = 4; da/dX1 = W² ln W
    s = solve_text(spec("{a: W ** X1}", inputs="{X1: 2}", params="{W: 2}"),
                   activation="identity", loss="mse", label=3)
    assert s.values["a"] == 4 and s.grad["W"] == 4
    assert close(s.grad["X1"], 4 * mpmath.log(2))


@pytest.mark.parametrize("z, y", [(800, 0), (-800, 1), (40, 0), (-40, 1), (800, 1), (-800, 0)])
def test_saturated_bce_stays_finite_and_exact(z, y):
    s = solve_text(spec("{z: X1}", inputs=f"{{X1: {z}}}", label=str(y)))
    zz = mpmath.mpf(z)
    expected_loss = mpmath.log1p(mpmath.exp(-zz)) if y else mpmath.log1p(mpmath.exp(zz))
    assert close(s.values["L"], expected_loss, 40)
    assert close(s.grad["z"], sig(zz) - y, 40)
    assert mpmath.isfinite(s.grad["Yhat"])


def test_tanh_replaces_label_zero_and_says_so():
    s = solve_text(spec("{z: X1}", inputs="{X1: 0.5}", label="0"), activation="tanh",
                   loss="mse")
    assert s.setup.label == -1 and s.setup.label_given == 0
    assert close(s.values["L"], (mpmath.tanh(0.5) + 1) ** 2 / 2)
    assert any("replaced by -1" in w for w in s.warnings)
    assert api.to_dict(s)["label"] == -1


@pytest.mark.parametrize("choices, message", [
    ({"activation": "tanh"}, "bce needs an output in \\(0, 1\\)"),
    ({"activation": "identity"}, "bce needs an output in \\(0, 1\\)"),
    ({"label": Fraction(3, 2)}, "label in \\[0, 1\\]"),
    ({"variant": "nope"}, "no variant 'nope'"),
])
def test_refused_heads(choices, message):
    with pytest.raises(HwsolveError, match=message):
        solve_text(spec("{z: X1}"), **choices)


def test_gradients_sum_over_every_consumer():
    # a = X1 W; b = a², c = 3a, d = b + c; dd/da = 2a + 3
    s = solve_text(spec("{a: X1 * W, b: a ** 2, c: 3 * a, d: b + c}", inputs="{X1: 2}",
                        params="{W: 0.5}"), activation="identity", loss="mse", label=0)
    # a = 1, d = 4, dL/dd = 4, dL/da = 4 * 5 = 20, dL/dW = 20 * X1 = 40
    assert s.grad["a"] == 20 and s.grad["W"] == 40 and s.grad["X1"] == 10


def test_nodes_after_the_output_are_reported():
    s = solve_text(spec("{a: X1 * W, b: a + 1}") + "output: a\n")
    assert s.grad["b"] == 0
    assert any("node b comes after the output a and does not affect" in w for w in s.warnings)


def test_shipped_problems_solve_in_every_variant():
    for path in single_problems(network_problems()):
        problem = api.load(path)
        for variant in [None, *problem.variants]:
            solution = api.solve_problem(problem, variant=variant)
            if solution.head_slots.forward_only:  # values only, by design
                assert solution.grad == {} and solution.values
                continue
            assert set(solution.grad) >= set(problem.params) | set(problem.inputs)


def test_irrational_ties_and_zeros_are_decided_exactly():
    # sqrt(2)·sqrt(2) is 2 up to rounding noise: a tie with 2, and relu's argument is 0.
    s = solve_text(spec("{a: sqrt(X1) * sqrt(X1), m: 'max(a, 2 * W)', r: relu(a - X1), "
                        "t: m + r}", inputs="{X1: 2}", params="{W: 1}"),
                   activation="identity", loss="mse", label=0)
    assert s.values["r"] == 0
    assert any("m: max has a 2-way tie" in w for w in s.warnings)
    assert any("r: relu at 0" in w for w in s.warnings)
    # A genuinely tiny value is not a cancellation and keeps its sign.
    s = solve_text(spec("{a: relu(exp(-200 * X1))}", inputs="{X1: 1}"),
                   activation="identity", loss="mse", label=0)
    assert s.values["a"] > 0 and not s.warnings
