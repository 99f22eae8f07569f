"""Format v2 through the engine: tensors, the new functions and losses, loss: none.

Expected numbers come from hand computation (small rational cases) or from PyTorch float64
models written here by hand, never from hwsolve itself.
"""

from fractions import Fraction

import pytest

from hwsolve import api
from hwsolve.errors import HwsolveError
from hwsolve.spec.load import load_problem_text



@pytest.fixture
def torch():
    """PyTorch (the verify extra), only for the tests that build a reference model with it:
    the hand-computed tests of this file run without it (issue 21: no module-level skip)."""
    return pytest.importorskip("torch")


def solved(text: str, **options):
    return api.solve_problem(load_problem_text(text, "v2.yaml"), **options)


def close(a, b, rel=1e-12):
    a = [float(x) for x in _flat(a)]
    b = [float(x) for x in _flat(b)]
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert abs(x - y) <= rel * max(1.0, abs(y)), (a, b)


def _flat(x):
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flat(item)]
    return [x]


def test_gate_circuit_with_loss_none_gives_df_dx_exactly():
    # CS231n's (x + y) * z at x = -2, y = 5, z = -4: dx = dy = -4, dz = 3 (worked by hand).
    s = solved("""
title: gate
inputs: {x: -2, y: 5, z: -4}
nodes: {q: x + y, f: q * z}
activation: identity
loss: none
""")
    assert s.grad["x"] == s.grad["y"] == -4 and s.grad["z"] == 3
    assert s.values["Yhat"] == -12 and "L" not in s.values


def test_matrix_network_rational_exactly():
    # z = W @ x + b, identity output, ½-squared error; by hand:
    # W = [[1, 2], [3, 4]], x = [1, -1], b = [1/2, 0] -> z = [-1/2, -1]; Y = [0, 1]
    # dL/dz = z - Y = [-1/2, -2]; dL/dW = outer(dz, x); dL/dx = Wᵀ dz = [-13/2, -9]
    s = solved("""
title: m
inputs: {x: [1, -1]}
params: {W: [[1, 2], [3, 4]], b: [0.5, 0]}
nodes: {z: W @ x + b}
activation: identity
loss: mse
label: [0, 1]
""")
    h = Fraction(1, 2)
    assert s.values["z"] == [-h, -1]
    assert s.grad["W"] == [[-h, h], [-2, 2]]
    assert s.grad["x"] == [Fraction(-13, 2), -9]
    assert s.grad["b"] == [-h, -2]
    assert s.values["L"] == Fraction(1, 8) + 2


def test_softmax_classifier_cross_entropy_matches_torch(torch):
    text = """
title: softmax classifier
inputs: {x: [0.5, -1.2]}
params: {W: [[0.2, -0.5], [1.5, 1.3], [0, 0.25]], b: [0.1, -0.2, 0.3]}
nodes: {s: W @ x + b}
activation: softmax
loss: cross_entropy
label: 2
"""
    s = solved(text)
    x = torch.tensor([0.5, -1.2], dtype=torch.float64)
    W = torch.tensor([[0.2, -0.5], [1.5, 1.3], [0, 0.25]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64, requires_grad=True)
    scores = W @ x + b
    loss = torch.nn.functional.cross_entropy(scores.unsqueeze(0), torch.tensor([1]))
    loss.backward()
    close(s.values["L"], loss.item())
    close(s.values["Yhat"], torch.softmax(scores, 0).detach())
    close(s.grad["W"], W.grad)
    close(s.grad["b"], b.grad)
    # dL/ds = p - y, the simplification a course shows
    p = torch.softmax(scores, 0).detach()
    close(s.grad["s"], p - torch.tensor([0, 1, 0], dtype=torch.float64))


def test_probability_label_cross_entropy_matches_torch(torch):
    s = solved("""
title: soft labels
inputs: {z0: [1, 2, 0.5]}
nodes: {z: z0 * 2}
activation: softmax
loss: cross_entropy
label: [0.25, 0.5, 0.25]
""")
    z0 = torch.tensor([1, 2, 0.5], dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy((z0 * 2).unsqueeze(0),
                                             torch.tensor([[0.25, 0.5, 0.25]], dtype=torch.float64))
    loss.backward()
    close(s.values["L"], loss.item())
    close(s.grad["z0"], z0.grad)


def test_multiclass_hinge_matches_the_svm_formula(torch):
    # CS231n's multiclass SVM: scores [3.2, 5.1, -1.7], class 1 (cat): loss 2.9.
    s = solved("""
title: svm
inputs: {s0: [3.2, 5.1, -1.7]}
nodes: {s: s0 * 1}
activation: identity
loss: hinge
label: 1
""")
    assert s.values["L"] == Fraction(29, 10)
    # d/ds: class 2 has a positive margin (+1), class 3 does not (0), class 1 gets -1
    assert s.grad["s"] == [-1, 1, 0]
    scores = torch.tensor([[3.2, 5.1, -1.7]], dtype=torch.float64, requires_grad=True)
    torch_loss = torch.nn.functional.multi_margin_loss(scores, torch.tensor([0])) * 3
    torch_loss.backward()
    close(s.values["L"], torch_loss.item())
    close(s.grad["s0"], scores.grad[0])


def test_binary_hinge_and_its_kink_note():
    s = solved("""
title: hinge
inputs: {x: 2}
params: {w: 0.5}
nodes: {s: w * x}
activation: identity
loss: hinge
label: 1
""")
    assert s.values["L"] == 0 and s.grad["w"] == 0
    assert any("hinge margin exactly 0" in w for w in s.warnings)


def test_l2_regularised_loss_expression_matches_torch(torch):
    s = solved("""
title: l2
inputs: {x: [1, 2]}
params: {W1: [[0.1, -0.2], [0.3, 0.4]], W2: [0.5, -0.6]}
nodes:
  h: tanh(W1 @ x)
  o: dot(W2, h)
loss: "bce + 0.001 * (sum(W1 ** 2) + sum(W2 ** 2))"
label: 1
""")
    x = torch.tensor([1, 2], dtype=torch.float64)
    W1 = torch.tensor([[0.1, -0.2], [0.3, 0.4]], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor([0.5, -0.6], dtype=torch.float64, requires_grad=True)
    o = W2 @ torch.tanh(W1 @ x)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(o, torch.tensor(1.0, dtype=torch.float64)) \
        + 0.001 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    loss.backward()
    close(s.values["L"], loss.item())
    close(s.grad["W1"], W1.grad)
    close(s.grad["W2"], W2.grad)


def test_vector_output_with_output_grad_matches_torch_backward_gradient(torch):
    s = solved("""
title: vjp
inputs: {x: [1, -2, 3]}
params: {A: [[1, 0.5, -1], [2, -1, 0.25]]}
nodes: {y: A @ x, v: y * y}
activation: identity
loss: none
output_grad: [0.5, -2]
""")
    x = torch.tensor([1, -2, 3], dtype=torch.float64, requires_grad=True)
    A = torch.tensor([[1, 0.5, -1], [2, -1, 0.25]], dtype=torch.float64, requires_grad=True)
    v = (A @ x) ** 2
    v.backward(torch.tensor([0.5, -2], dtype=torch.float64))
    close(s.grad["A"], A.grad)
    close(s.grad["x"], x.grad)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, 1)])
def test_conv2d_matches_torch(stride, padding, torch):
    X = [[1, 2, 0, -1], [0.5, -1, 2, 1], [3, 0, 1, 2], [-2, 1, 0.5, 1]]
    K = [[1, 0, -1], [0.5, 2, 0], [0, -1, 1]]
    args = "" if (stride, padding) == (1, 0) else f", {stride}, {padding}"
    s = solved(f"""
title: conv
inputs: {{X: {X}}}
params: {{K: {K}}}
nodes:
  C: conv2d(X, K{args})
  o: sum(C * C)
activation: identity
loss: none
""")
    Xt = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    Kt = torch.tensor(K, dtype=torch.float64, requires_grad=True)
    C = torch.nn.functional.conv2d(Xt[None, None], Kt[None, None], stride=stride,
                                   padding=padding)[0, 0]
    (C * C).sum().backward()
    close(s.values["C"], C.detach())
    close(s.grad["K"], Kt.grad)
    close(s.grad["X"], Xt.grad)


def test_softmax_log_softmax_mean_softplus_transpose_outer_match_torch(torch):
    s = solved("""
title: functions
inputs: {v: [0.3, -1, 2]}
params: {M: [[1, -0.5], [0.25, 2], [-1, 0.5]], u: [1, 2]}
nodes:
  p: softmax(v)
  q: log_softmax(v * 2)
  r: transpose(M) @ p
  o: outer(u, r)
  f: mean(softplus(o)) + dot(q, p) + max(r) - min(q)
activation: identity
loss: none
""")
    v = torch.tensor([0.3, -1, 2], dtype=torch.float64, requires_grad=True)
    M = torch.tensor([[1, -0.5], [0.25, 2], [-1, 0.5]], dtype=torch.float64, requires_grad=True)
    u = torch.tensor([1, 2], dtype=torch.float64, requires_grad=True)
    p = torch.softmax(v, 0)
    q = torch.log_softmax(v * 2, 0)
    r = M.T @ p
    o = torch.outer(u, r)
    f = torch.nn.functional.softplus(o).mean() + q @ p + r.max() - q.min()
    f.backward()
    close(s.values["Yhat"], f.item())
    close(s.grad["v"], v.grad)
    close(s.grad["M"], M.grad)
    close(s.grad["u"], u.grad)


def test_two_outputs_sigmoid_mse_is_the_well_known_walkthrough():
    # The 2-2-2 network of the well-known step-by-step backpropagation walkthrough:
    # total error 0.298371109, dE/dw5 = 0.082167041 (published values).
    s = solved("""
title: 2-2-2
inputs: {i: [0.05, 0.10]}
params: {W1: [[0.15, 0.20], [0.25, 0.30]], W2: [[0.40, 0.45], [0.50, 0.55]]}
constants: {b1: 0.35, b2: 0.60}
nodes:
  h: sigmoid(W1 @ i + b1)
  o: W2 @ h + b2
activation: sigmoid
loss: mse
label: [0.01, 0.99]
""")
    assert f"{float(s.values['L']):.9f}" == "0.298371109"
    assert f"{float(s.grad['W2'][0][0]):.9f}" == "0.082167041"


@pytest.mark.parametrize("text, where, message", [
    ("nodes: {z: W @ x}\nparams: {W: [[1, 2]]}\ninputs: {x: [1, 2, 3]}\n", "nodes.z",
     r"a 1×2 matrix @ a vector of 3"),
    ("nodes: {z: x + y}\ninputs: {x: [1, 2], y: [1, 2, 3]}\n", "nodes.z",
     "a vector of 2 and a vector of 3"),
    ("nodes:\n  z: outer(x, x)\ninputs: {x: [1, 2]}\n", "output", "a 2×2 matrix"),
    ("nodes: {z: x * 2}\ninputs: {x: [1, 2]}\nactivation: identity\nloss: none\n"
     "output_grad: [1, 2, 3]\n", "output_grad", "output_grad must be a vector of 2"),
    ("nodes: {z: x * 2}\ninputs: {x: [1, 2]}\nactivation: softmax\nloss: cross_entropy\n"
     "label: 3\n", "label", "from 1 to 2"),
    ("nodes: {z: x * 2}\ninputs: {x: [1, 2]}\nactivation: softmax\nloss: cross_entropy\n"
     "label: [0.5, 0.6]\n", "label", "sum to 1"),
    ("nodes: {z: x * 2}\ninputs: {x: [1, 2]}\nactivation: sigmoid\nloss: cross_entropy\n"
     "label: 1\n", "activation", "needs activation: softmax"),
    ("nodes: {z: x * 2}\ninputs: {x: [1, 2]}\nloss: mse\nlabel: 1\n", "label",
     "must be a vector of 2"),
    ("nodes: {z: x * 2}\ninputs: {x: [1, 2]}\nactivation: softmax\nloss: bce\n"
     "label: [0, 1]\n", "activation", "with softmax use the cross_entropy loss"),
    ("nodes:\n  z: x[3]\ninputs: {x: [1, 2]}\nlabel: 1\n", "nodes.z", "out of range"),
    ("nodes:\n  z: M[1, 3]\ninputs: {M: [[1, 2]]}\nlabel: 1\n", "nodes.z", "out of range"),
    ("nodes: {z: x}\ninputs: {x: 1}\nloss: 'bce + q'\nlabel: 1\n", "loss", "'q' is not defined"),
])
def test_shape_and_head_errors_name_the_key(text, where, message):
    with pytest.raises(HwsolveError, match=message) as info:
        solved("title: bad\n" + text)
    assert info.value.where == where


@pytest.mark.parametrize("node, fragment", [
    ("sum(outer(v, v))", "scalar operations; hwsolve solves at most 1,000,000 per node"),
    ("softmax(v)", "at most 1,000 entries"),
])
def test_tensor_work_beyond_the_bounds_is_refused_before_it_starts(node, fragment):
    # a 100,000-vector: outer(v, v) would be 10^10 entries, softmax 10^10 local derivatives
    values = ", ".join(["1"] * 100_000)
    with pytest.raises(HwsolveError, match=fragment):
        solved(f"title: big\ninputs: {{v: [{values}]}}\nnodes:\n  o: '{node}'\n"
               "activation: identity\nloss: none\noutput_grad: 1\n")


def test_softmax_entries_share_one_normaliser():
    # 1,000 entries: one softmax per node (not per entry); by hand, softmax of equal scores is
    # uniform, so p = 1/1000 each, and d(sum(p * v))/dv_j = p_j + p_j (v_j - Σ p v) = p_j for
    # equal v: 1/1000 each.
    values = ", ".join(["0.5"] * 1000)
    s = solved(f"title: wide\ninputs: {{v: [{values}]}}\nnodes:\n  p: softmax(v)\n"
               "  o: sum(p * v)\nactivation: identity\nloss: none\n")
    assert abs(float(s.values["p"][0]) - 0.001) < 1e-15
    assert all(abs(float(g) - 0.001) < 1e-15 for g in s.grad["v"])
