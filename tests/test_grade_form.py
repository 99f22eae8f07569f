"""Grading a student's closed form (issue 18): 10 slip kinds planted in 10 expressions each, at
least 95 of the 100 named correctly; 50 correct rewrites, all accepted.  The expressions and
their right forms are the published ones of tests/derive_cases.py, and the planted slips are
written by hand or by a plain text edit of a right form (never by the code under test)."""

from __future__ import annotations

import functools
import re

import pytest

from derive_cases import CASES
from hwsolve.derive import grade_form as G

BY_ID = {c[0]: c for c in CASES}
MEANS = [  # (expression, shapes, wrt, N, the right form, keyed by hand)
    ("mean((X @ w - y) ** 2)", {"X": (4, 2), "w": (2,), "y": (4,)}, "w", 4,
     "2 / 4 * transpose(X) @ (X @ w - y)"),
    ("mean((X @ w + b - y) ** 2)", {"X": (3, 2), "w": (2,), "y": (3,)}, "b", 3,
     "2 * mean(X @ w + b - y)"),
    ("mean(X * X)", {"X": (2, 3)}, "X", 6, "2 / 6 * X"),
    ("mean(relu(W @ x))", {"W": (5, 2), "x": (2,)}, "W", 5, "outer(step(W @ x), x) / 5"),
    ("mean(sigmoid(X @ w))", {"X": (4, 3), "w": (3,)}, "w", 4,
     "transpose(X) @ (sigmoid(X @ w) * (1 - sigmoid(X @ w))) / 4"),
    ("mean(exp(W @ x))", {"W": (3, 2), "x": (2,)}, "x", 3, "transpose(W) @ exp(W @ x) / 3"),
    ("mean((W @ x - y) ** 2)", {"W": (3, 2), "x": (2,), "y": (3,)}, "W", 3,
     "2 / 3 * outer(W @ x - y, x)"),
    ("mean(tanh(X @ w))", {"X": (5, 2), "w": (2,)}, "w", 5,
     "transpose(X) @ (1 - tanh(X @ w) ** 2) / 5"),
    ("mean(abs(W @ x))", {"W": (3, 3), "x": (3,)}, "x", 3,
     "transpose(W) @ (step(W @ x) - step(-(W @ x))) / 3"),
    ("mean(log(1 + exp(-(y * (X @ w)))))", {"X": (4, 2), "w": (2,), "y": (4,)}, "w", 4,
     "-transpose(X) @ (y * sigmoid(-(y * (X @ w)))) / 4"),
]
ACTIVATIONS = [  # (expression, shapes, wrt, σ where σ′ belongs, σ′ left out)
    ("sum(G * sigmoid(W @ x))", {"G": (3,), "W": (3, 2), "x": (2,)}, "W",
     "outer(G * sigmoid(W @ x), x)", "outer(G, x)"),
    ("sum(G * sigmoid(W @ x))", {"G": (3,), "W": (3, 2), "x": (2,)}, "x",
     "transpose(W) @ (G * sigmoid(W @ x))", "transpose(W) @ G"),
    ("sum(G * sigmoid(W @ x + b))", {"G": (3,), "W": (3, 2), "x": (2,), "b": (3,)}, "b",
     "G * sigmoid(W @ x + b)", "G"),
    ("dot(g, tanh(Wh @ h + Wx @ x))", {"g": (2,), "Wh": (2, 2), "h": (2,), "Wx": (2, 3),
                                       "x": (3,)}, "Wh",
     "outer(g * tanh(Wh @ h + Wx @ x), h)", "outer(g, h)"),
    ("dot(g, tanh(Wh @ h + Wx @ x))", {"g": (2,), "Wh": (2, 2), "h": (2,), "Wx": (2, 3),
                                       "x": (3,)}, "Wx",
     "outer(g * tanh(Wh @ h + Wx @ x), x)", "outer(g, x)"),
    ("dot(g, tanh(Wh @ h + Wx @ x))", {"g": (2,), "Wh": (2, 2), "h": (2,), "Wx": (2, 3),
                                       "x": (3,)}, "h",
     "transpose(Wh) @ (g * tanh(Wh @ h + Wx @ x))", "transpose(Wh) @ g"),
    ("0.5 * (tanh(dot(w, x)) - y) ** 2", {"w": (3,), "x": (3,)}, "w",
     "(tanh(dot(w, x)) - y) * tanh(dot(w, x)) * x", "(tanh(dot(w, x)) - y) * x"),
    ("0.5 * sum((sigmoid(W @ x) - y) ** 2)", {"W": (2, 3), "x": (3,), "y": (2,)}, "W",
     "outer((sigmoid(W @ x) - y) * sigmoid(W @ x), x)", "outer(sigmoid(W @ x) - y, x)"),
    ("dot(v, tanh(A @ u))", {"v": (3,), "A": (3, 2), "u": (2,)}, "u",
     "transpose(A) @ (v * tanh(A @ u))", "transpose(A) @ v"),
    ("sigmoid(dot(w, x))", {"w": (3,), "x": (3,)}, "w", "sigmoid(dot(w, x)) * x", "x"),
]
SOFTMAX = [  # (expression, shapes, wrt, the form with the Jacobian's diagonal only)
    ("dot(g, softmax(z))", {"g": (3,), "z": (3,)}, "z",
     "g * softmax(z) * (1 - softmax(z))"),
    ("dot(g, softmax(W @ x))", {"g": (3,), "W": (3, 2), "x": (2,)}, "W",
     "outer(g * softmax(W @ x) * (1 - softmax(W @ x)), x)"),
    ("dot(g, softmax(W @ x))", {"g": (3,), "W": (3, 2), "x": (2,)}, "x",
     "transpose(W) @ (g * softmax(W @ x) * (1 - softmax(W @ x)))"),
    ("-dot([0, 1, 0], log(softmax(z)))", {"z": (3,)}, "z", "-[0, 1, 0] * (1 - softmax(z))"),
    ("-dot([0, 1, 0], log(softmax(W @ x)))", {"W": (3, 2), "x": (2,)}, "W",
     "outer(-[0, 1, 0] * (1 - softmax(W @ x)), x)"),
    ("-dot([0, 1, 0], log(softmax(W @ x)))", {"W": (3, 2), "x": (2,)}, "x",
     "transpose(W) @ (-[0, 1, 0] * (1 - softmax(W @ x)))"),
    ("dot(g, transpose(V) @ softmax(K @ q))", {"g": (2,), "V": (3, 2), "K": (3, 4), "q": (4,)},
     "q", "transpose(K) @ (V @ g * softmax(K @ q) * (1 - softmax(K @ q)))"),
    ("dot(g, transpose(V) @ softmax(K @ q))", {"g": (2,), "V": (3, 2), "K": (3, 4), "q": (4,)},
     "K", "outer(V @ g * softmax(K @ q) * (1 - softmax(K @ q)), q)"),
    ("-dot([0, 0, 1, 0], log(softmax(transpose(U) @ v)))", {"U": (3, 4), "v": (3,)}, "v",
     "U @ (-[0, 0, 1, 0] * (1 - softmax(transpose(U) @ v)))"),
    ("0.5 * sum((softmax(z) - y) ** 2)", {"z": (3,), "y": (3,)}, "z",
     "(softmax(z) - y) * softmax(z) * (1 - softmax(z))"),
]


def _published(case_id: str, wrt: str) -> tuple:
    _, _, expression, shapes, forms = BY_ID[case_id]
    return expression, shapes, wrt, forms[wrt]


def _drop_first_transpose(form: str) -> str:
    start = form.index("transpose(")
    depth, k = 0, start + len("transpose")
    for k in range(start + len("transpose"), len(form)):
        depth += {"(": 1, ")": -1}.get(form[k], 0)
        if depth == 0:
            break
    return form[:start] + form[start + len("transpose("):k] + form[k + 1:]


def _planted() -> list:
    """(kind, expression, shapes, wrt, the planted form)."""
    out = []
    for cid, w in [("least_squares", "W"), ("least_squares", "x"), ("ridge", "w"),
                   ("logistic", "w"), ("softmax_ce_W_x", "x"), ("word2vec_naive_softmax", "v"),
                   ("two_layer_relu", "W1"), ("trace_AXB", "X"), ("linear_layer", "b"),
                   ("log_sum_exp", "x")]:
        e, s, w, f = _published(cid, w)
        out.append(("sign", e, s, w, f"-({f})"))
    for cid, w in [("least_squares", "W"), ("least_squares", "x"), ("least_squares_theta", "t"),
                   ("ridge", "w"), ("two_layer_relu", "W2"), ("two_layer_relu", "b2"),
                   ("two_layer_relu", "W1"), ("skip_connection", "W2"),
                   ("skip_connection", "x"), ("tanh_mse_ec_b", "w")]:
        e, s, w, f = _published(cid, w)
        out.append(("factor_two", e, s, w, f"2 * ({f})" if len(out) % 2 else f"({f}) / 2"))
    for e, s, w, n, f in MEANS:
        out.append(("dropped_mean", e, s, w, f"{n} * ({f})"))
    for cid, w in [("least_squares", "W"), ("softmax_ce_W_x", "W"),
                   ("word2vec_naive_softmax", "U"), ("two_layer_relu", "W2"),
                   ("two_layer_relu", "W1"), ("skip_connection", "W1"), ("trace_AXB", "X"),
                   ("linear_layer", "W"), ("matrix_product", "X"), ("rnn_step", "Wx")]:
        e, s, w, f = _published(cid, w)
        out.append(("layout", e, s, w, f"transpose({f})"))
    for cid, w in [("least_squares", "x"), ("least_squares_theta", "t"), ("ridge", "w"),
                   ("logistic_batch", "w"), ("softmax_ce_W_x", "x"), ("two_layer_relu", "x"),
                   ("quadratic_form", "x"), ("trace_AXB", "X"), ("sympy_15614", "X"),
                   ("residual_frobenius", "X")]:
        e, s, w, f = _published(cid, w)
        out.append(("transpose", e, s, w, _drop_first_transpose(f)))
    for cid, w in [("least_squares", "x"), ("least_squares_theta", "t"), ("logistic_batch", "w"),
                   ("softmax_ce_W_x", "x"), ("word2vec_naive_softmax", "v"),
                   ("linear_layer", "x"), ("matrix_product", "X"), ("matrix_product", "W"),
                   ("trace_AXB", "X"), ("sympy_15614_quadratic", "X")]:
        e, s, w, f = _published(cid, w)
        out.append(("hadamard_for_matmul", e, s, w, f.replace(" @ ", " * ", 1)))
    for cid, w in [("two_layer_relu", "W1"), ("two_layer_relu", "b1"), ("two_layer_relu", "x"),
                   ("skip_connection", "W1"), ("sigmoid_layer", "W"), ("rnn_step", "Wh"),
                   ("rnn_step", "Wx"), ("leaky_relu_layer", "W"), ("attention_one_query", "q"),
                   ("attention_one_query", "K")]:
        e, s, w, f = _published(cid, w)
        out.append(("matmul_for_hadamard", e, s, w, f.replace(" * ", " @ ", 1)))
    for e, s, w, sigma, missing in ACTIVATIONS:
        out.append(("sigma_for_sigma_prime", e, s, w, sigma))
        out.append(("missing_activation_derivative", e, s, w, missing))
    for e, s, w, f in SOFTMAX:
        out.append(("softmax_diagonal", e, s, w, f))
    return out


PLANTED = _planted()


@functools.lru_cache(maxsize=None)
def _context(expression: str, shapes: tuple) -> G.Context:
    return G.for_expression(expression, dict(shapes), seed=5)


def _grade(expression, shapes, wrt, form):
    return G.grade_one(_context(expression, tuple(sorted(shapes.items()))), wrt, form)


def test_ten_kinds_ten_expressions_each():
    kinds = {}
    for kind, *_ in PLANTED:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert len(kinds) == 10 and all(n == 10 for n in kinds.values()), kinds
    assert set(kinds) == set(G.SLIPS) - {"layout"} | {"layout"}


def test_at_least_95_of_100_planted_slips_are_named():
    named, misses = 0, []
    for kind, e, s, w, form in PLANTED:
        v = _grade(e, s, w, form)
        if v.verdict == "wrong" and v.kind == kind:
            named += 1
        else:
            misses.append((kind, e, w, form, v.verdict, v.kind))
    print(f"named {named} of {len(PLANTED)}; misses: {misses}")
    assert named >= 95, misses


REWRITES = [  # (case, wrt, a correct rewrite)
    ("least_squares", "W", "outer(W @ x, x) - outer(y, x)"),
    ("least_squares", "W", "outer(-y + W @ x, x)"),
    ("least_squares", "x", "(W @ x - y) @ W"),
    ("least_squares", "x", "transpose(W) @ W @ x - transpose(W) @ y"),
    ("least_squares", "x", "transpose(W) @ (W @ x) - transpose(W) @ y + 0 * x"),
    ("least_squares_theta", "t", "transpose(X) @ (X @ t - y)"),
    ("least_squares_theta", "t", "(X @ t - y) @ X"),
    ("ridge", "w", "lam * w + transpose(X) @ (X @ w - y)"),
    ("ridge", "w", "transpose(X) @ X @ w + lam * w - transpose(X) @ y"),
    ("ridge", "lam", "0.5 * dot(w, w)"),
    ("ridge_mean", "w", "0.5 * (transpose(X) @ (X @ w - y)) + 2 * lam * w"),
    ("logistic", "w", "x * sigmoid(dot(w, x)) - y * x"),
    ("logistic", "w", "(1 / (1 + exp(-dot(w, x))) - y) * x"),
    ("logistic_bias", "b", "-(y - sigmoid(b + dot(x, w)))"),
    ("logistic_batch", "w", "(sigmoid(X @ w) - y) @ X"),
    ("softmax_ce_z", "z", "exp(z) / sum(exp(z)) - [0, 1, 0]"),
    ("softmax_ce_z", "z", "-[0, 1, 0] + softmax(z)"),
    ("softmax_ce_z_log", "z", "exp(log_softmax(z)) - [0, 0, 1]"),
    ("softmax_ce_W_x", "W", "outer(softmax(W @ x), x) - outer([0, 1, 0], x)"),
    ("softmax_ce_W_x", "x", "(softmax(W @ x) - [0, 1, 0]) @ W"),
    ("softmax_ce_W_x", "x", "transpose(W) @ softmax(W @ x) - transpose(W) @ [0, 1, 0]"),
    ("softmax_ce_bias", "b", "softmax(b + W @ x) - [1, 0, 0]"),
    ("word2vec_naive_softmax", "v", "U @ softmax(transpose(U) @ v) - U @ [0, 0, 1, 0]"),
    ("word2vec_naive_softmax", "U", "transpose(outer(softmax(transpose(U) @ v) - [0, 0, 1, 0], v))"),
    ("word2vec_naive_softmax", "U", "outer(v, softmax(v @ U)) - outer(v, [0, 0, 1, 0])"),
    ("quadratic_form", "x", "A @ x + transpose(A) @ x"),
    ("quadratic_form", "x", "A @ x + x @ A"),
    ("quadratic_form", "A", "transpose(outer(x, x))"),
    ("quadratic_form_dot", "x", "(transpose(A) + A) @ x"),
    ("trace_AXB", "X", "transpose(B @ A)"),
    ("trace_AXB", "X", "transpose(A) @ transpose(B) * 1"),
    ("frobenius_norm", "X", "X * (1 / sqrt(sum(X ** 2)))"),
    ("frobenius_squared", "X", "X + X"),
    ("trace_XtX", "X", "2 * transpose(transpose(X))"),
    ("sympy_15136", "X", "transpose(B) @ transpose(X) + transpose(X) @ transpose(B)"),
    ("sympy_15614", "X", "transpose(A @ [[1, 0, 0], [0, 1, 0], [0, 0, 1]])"),
    ("sympy_15614_quadratic", "X", "A @ X + transpose(A) @ X"),
    ("sympy_27406", "A", "A * 2"),
    ("sympy_28615", "A", "A / sqrt(sum(A * A))"),
    ("linear_layer", "x", "g @ W"),
    ("linear_layer", "W", "transpose(outer(x, g))"),
    ("matrix_product", "X", "transpose(W @ transpose(G))"),
    ("matrix_product", "W", "transpose(transpose(G) @ X)"),
    ("sigmoid_layer", "W", "outer(G * (sigmoid(W @ x) - sigmoid(W @ x) ** 2), x)"),
    ("rnn_step", "Wh", "outer(g - g * tanh(Wh @ h + Wx @ x) ** 2, h)"),
    ("bilinear", "A", "transpose(outer(v, u))"),
    ("bilinear_transposed", "X", "transpose(outer(a, b))"),
    ("residual_frobenius", "X", "2 * (transpose(A) @ A @ X - transpose(A) @ B)"),
    ("log_sum_exp", "x", "exp(x - log(sum(exp(x))))"),
    ("tanh_mse_ec_b", "w", "x * (tanh(dot(w, x)) - y) * (1 - tanh(dot(w, x)) * tanh(dot(w, x)))"),
]


def test_fifty_correct_rewrites_are_accepted():
    assert len(REWRITES) == 50
    refused = []
    for cid, wrt, form in REWRITES:
        e, s, w, _ = _published(cid, wrt)
        v = _grade(e, s, w, form)
        if v.verdict != "right":
            refused.append((cid, wrt, form, v.kind, v.message))
    assert not refused, refused


def test_the_published_forms_themselves_are_right():
    for cid, _, e, s, forms in CASES[:12]:
        for w, f in forms.items():
            assert _grade(e, s, w, f).verdict == "right", (cid, w)


@pytest.mark.parametrize("form, kind", [
    ("outer(W @ x - y", "unreadable"),
    ("outer(W @ x - y, y)", "shape"),
    ("3 * outer(W @ x - y, x)", "other"),
])
def test_unnamed_mistakes_say_what_is_wrong(form, kind):
    v = _grade("0.5 * sum((W @ x - y) ** 2)", {"W": (3, 2), "x": (2,), "y": (3,)}, "W", form)
    assert v.verdict == "wrong" and v.kind == kind and v.message
    assert not re.search(r"Traceback", v.message)


def test_hwsolve_grade_reads_and_grades_closed_forms(tmp_path):
    import json

    from conftest import run_cli

    (tmp_path / "alice.yaml").write_text(
        'student: alice\nL: 0.417\nderive:\n  W: "outer(Yhat - Y, x)"\n'
        '  x: "W @ (Yhat - Y)"\n', encoding="utf-8")
    (tmp_path / "bob.yaml").write_text(
        'student: bob\nderive:\n  W: "outer(x, Yhat - Y)"\n  x: "-(transpose(W) @ d)"\n',
        encoding="utf-8")
    out = run_cli("grade", "softmax_3x2", str(tmp_path), "-f", "json")
    data = {s["student"]: s for s in json.loads(out.output)["students"]}
    alice = {e["entry"]: e for e in data["alice"]["entries"]}
    assert alice["derive W"]["status"] == "right"
    assert alice["derive W"]["correct"] == "outer((Yhat - Y), x)"
    assert alice["derive x"]["diagnosis"]["kind"] == "transpose"
    bob = {e["entry"]: e for e in data["bob"]["entries"]}
    assert bob["derive W"]["diagnosis"]["kind"] == "layout"
    assert bob["derive x"]["diagnosis"]["kind"] == "unreadable"  # d is not a name here
    (tmp_path / "carl.yaml").write_text("derive: [1, 2]\n", encoding="utf-8")
    out = run_cli("grade", "softmax_3x2", str(tmp_path / "carl.yaml"))
    assert out.exit_code == 2 and "derive must be a mapping" in out.output
