"""The shown work of format v2: tensor entries, softmax, the softmax/cross-entropy shortcut,
hinge, loss: none, matrix forms and --steps NAME.  Numbers are computed here by hand (math),
not taken from hwsolve."""

import json
import math

from conftest import run_cli


def _softmax(zs):
    exps = [math.exp(z) for z in zs]
    return [e / sum(exps) for e in exps]


def _sig(x):
    return f"{x:.3g}"


def test_softmax_local_derivatives_and_the_cross_entropy_shortcut():
    # z = W @ x = [-0.8, 1.1, 0.1] (W rows [0.2, -0.5], [-0.3, 0.7], [0.5, -0.2], x = [1, 2])
    p = _softmax([-0.8, 1.1, 0.1])
    out = run_cli("softmax_3x2", "--steps", "--width", "200").output
    assert "Ŷ[2] = softmax(z)₂ = softmax(-0.8, 1.1, 0.1)₂ = " + _sig(p[1]) in out
    # ∂p1/∂z2 = -p1·p2, a course's pᵢ(δᵢⱼ − pⱼ)
    assert (f"∂Ŷ[1]/∂z[2] = -softmax(z)₁·softmax(z)₂ = -{_sig(p[0])}·{_sig(p[1])} = "
            f"{_sig(-p[0] * p[1])}") in out
    assert "∂Ŷ[2]/∂z[2] = softmax(z)₂·(1 - softmax(z)₂)" in out
    # dL/dz2 = p2 - 1
    assert f"that is dL/dz[2] = Ŷ[2] - Y[2] = {_sig(p[1])} - 1 = {_sig(p[1] - 1)}" in out
    assert "in matrix form, dL/dW = dL/dz · xᵀ" in out


def test_loss_none_on_a_circuit_reads_df_dx_and_never_L():
    out = run_cli("cs231n_gate_circuit", "--steps").output
    assert "df/dx = df/dq·∂q/∂x" in out and "so df/dx = -4·1 = -4" in out
    assert "df/dz = ∂f/∂z" in out and "so df/dz = 1·3 = 3" in out
    assert "dL/" not in out and "L =" not in out


def test_loss_none_with_output_grad_differentiates_y_hat():
    out = run_cli("autograd_vector_q", "--steps", "--width", "200").output
    assert "dŶ/d" in out and "dL/" not in out
    assert "output_grad" in out


def test_hinge_steps_are_relu_case_rules_of_the_margins():
    # CS231n scores (cat, car, frog) = (-2.85, 0.86, 0.28), true class 3 (frog):
    # margins -2.85 - 0.28 + 1 = -2.13 (off), 0.86 - 0.28 + 1 = 1.58 (on): L = 1.58
    out = run_cli("cs231n_svm_hinge", "--steps", "--width", "200").output
    assert "relu'(1 + Ŷ[1] - Ŷ[3]) = 0 since 1 + Ŷ[1] - Ŷ[3] = -2.13 < 0" in out
    assert "= 1.58" in out


def test_steps_name_shows_only_the_path_to_that_gradient():
    # The walkthrough's dE/dw5 = 0.082167041: W2[1, 1] through net_o[1], Ŷ[1] and L
    out = run_cli("mazur_2_2_2", "--steps", "W2[1, 1]", "--width", "200").output
    # by hand 0.138·0.593 = 0.0818: the shown 0.0822 comes from unrounded factors, so ≈
    assert "so dL/dW2[1, 1] = 0.138·0.593 ≈ 0.0822" in out
    assert "dL/dW1" not in out and "dL/dh[" not in out and "dL/dŶ[2]" not in out
    document = json.loads(run_cli("mazur_2_2_2", "--steps", "W2[1, 1]", "--format",
                                  "json").stdout)
    nodes = [step["node"] for step in document["steps"]["backward"]]
    assert nodes == ["Yhat[1]", "net_o[1]", "W2[1, 1]"]
    assert document["steps"]["backward"][-1]["total"] == document["grad"]["W2"][0][0]


def test_steps_name_works_in_every_format_and_refuses_an_unknown_name():
    for fmt in ("table", "markdown", "latex", "json"):
        result = run_cli("q3b", "--steps", "X1", "--format", fmt)
        assert result.exit_code == 0 and "X" in result.output, fmt
    bad = run_cli("q3b", "--steps", "Q")
    assert bad.exit_code == 2 and "'Q' has no gradient here" in bad.stderr


def test_large_problems_point_to_steps_name():
    # 784-64-10 would need ~100,000 chain-rule terms: refused, with the way to one gradient
    from hwsolve import api
    from hwsolve.work import steps
    import pytest
    from hwsolve.errors import HwsolveError
    text = """title: wide
inputs: {x: [%s]}
params: {W: [%s]}
nodes: {z: W @ x}
activation: softmax
loss: cross_entropy
label: 1
""" % (", ".join(["0.5"] * 200), ", ".join(["[" + ", ".join(["0.25"] * 200) + "]"] * 30))
    solution = api.solve_text(text)
    with pytest.raises(HwsolveError, match="--steps NAME shows the work of one gradient"):
        steps.build(solution)
    work = steps.build(solution, only="W[1, 1]")
    assert [s.symbol.name for s in work.backward][-1] == "W[1, 1]"
