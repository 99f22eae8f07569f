"""Closed-form gradients from published sources, keyed as the source writes them (in hwsolve's
expression syntax).  tests/test_derive.py checks each published form against hwsolve's
entrywise gradient and each derived form the same way, so the two agree.

Sources (abbreviated in the cases):
  COOKBOOK  K. B. Petersen and M. S. Pedersen, "The Matrix Cookbook" (version of Nov. 15, 2012),
            §2.4-2.5 (derivatives of linear, quadratic and trace forms; Frobenius norm).
  CS229     A. Ng, CS229 lecture notes, Part I (least squares, the normal equations:
            ∇θ J = XᵀXθ − Xᵀy) and Part II (logistic regression: ∂ℓ/∂θ = (y − h(x)) x).
  ESL       Hastie, Tibshirani, Friedman, "The Elements of Statistical Learning", 2nd ed.,
            §3.4.1 (ridge regression).
  D2L       Zhang, Lipton, Li, Smola, "Dive into Deep Learning", §5.3 (forward and backward
            propagation of a one-hidden-layer MLP), §3.7 (weight decay), §9.7 (BPTT).
  CS231N    CS231n course notes: "Linear classification" (the multiclass SVM loss and its
            gradient), "Softmax classifier" (∂L/∂f = p − y), "Putting it together: minimal
            neural network case study" (two-layer ReLU net).
  JOHNSON   J. Johnson, "Derivatives, Backpropagation, and Vectorization" (CS231n handout,
            2017): y = xW gives ∂L/∂x = (∂L/∂y) Wᵀ and ∂L/∂W = xᵀ (∂L/∂y).
  CS224N    CS224n (Stanford), Assignment 2, written part: word2vec naive-softmax loss
            J = −log ŷ_o with ŷ = softmax(Uᵀ v_c): ∂J/∂v_c = U(ŷ − y), ∂J/∂U = v_c (ŷ − y)ᵀ.
  CSC413    R. Grosse, CSC413/2516 (Toronto) lecture notes on residual networks: a skip
            connection y = x + W₂h + b₂ passes ȳ straight back: x̄ = ȳ + W₁ᵀ(h̄ ⊙ 1[z > 0]).
  FLASH     T. Dao et al., "FlashAttention" (NeurIPS 2022), Appendix B.2, standard attention
            backward pass: dV = Pᵀ dO, dP = dO Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS K,
            dK = dSᵀ Q (here with the scale 1/√d, d = 4).
  BOYD      S. Boyd, L. Vandenberghe, "Convex Optimization", §A.4.1: ∇ log Σ exp(x) = softmax.
  SYMPY     sympy/sympy issues #15136 (Trace(X**2*B).diff(X)), #15614 (diff(Trace(X@A), X)
            gave 3*A.T; diff(Trace(X.T@A@X), X)), #27406 (diff(Trace(A.T*A) + Trace(B.T*B), A)
            returned 0), #28615 (sqrt(Trace(A.T*A)).diff(A) raised TypeError); the true values
            are the COOKBOOK's.
  SEED      the seed problem set (CSCI 5922 PS1), EC.b: the tanh + squared-error gradient.
"""

P = "softmax(K @ q / 2)"
DS = f"{P} * (V @ g - dot({P}, V @ g))"
P1, P2 = "softmax(K @ Q[1] / 2)", "softmax(K @ Q[2] / 2)"
DS1 = f"{P1} * (V @ G[1] - dot({P1}, V @ G[1]))"
DS2 = f"{P2} * (V @ G[2] - dot({P2}, V @ G[2]))"
R2 = "W2 @ relu(W1 @ x + b1) + b2 - y"
D1 = f"step(W1 @ x + b1) * (transpose(W2) @ ({R2}))"
RS = "x + W2 @ relu(W1 @ x + b1) + b2 - t"
DSK = f"step(W1 @ x + b1) * (transpose(W2) @ ({RS}))"
M = "W @ x - dot(W @ x, [0, 1, 0]) + 1"
SVM = f"step({M}) * [1, 0, 1]"
TWO_LAYER = {"W1": (3, 2), "x": (2,), "b1": (3,), "W2": (2, 3), "b2": (2,), "y": (2,)}
SKIP = {"W1": (3, 2), "x": (2,), "b1": (3,), "W2": (2, 3), "b2": (2,), "t": (2,)}

# (id, source, expression, shapes, {wrt: the published closed form})
CASES = [
    ("least_squares", "COOKBOOK, CS229", "0.5 * sum((W @ x - y) ** 2)",
     {"W": (3, 2), "x": (2,), "y": (3,)},
     {"W": "outer(W @ x - y, x)", "x": "transpose(W) @ (W @ x - y)"}),
    ("least_squares_theta", "CS229 Part I", "0.5 * sum((X @ t - y) ** 2)",
     {"X": (4, 3), "t": (3,), "y": (4,)},
     {"t": "transpose(X) @ X @ t - transpose(X) @ y"}),
    ("ridge", "ESL §3.4.1", "0.5 * sum((X @ w - y) ** 2) + 0.5 * lam * sum(w * w)",
     {"X": (4, 3), "w": (3,), "y": (4,)},
     {"w": "transpose(X) @ (X @ w - y) + lam * w", "lam": "0.5 * sum(w * w)"}),
    ("ridge_mean", "D2L §3.7", "mean((X @ w - y) ** 2) + lam * sum(w ** 2)",
     {"X": (4, 2), "w": (2,), "y": (4,)},
     {"w": "2 / 4 * transpose(X) @ (X @ w - y) + 2 * lam * w"}),
    ("logistic", "CS229 Part II",
     "-(y * log(sigmoid(dot(w, x))) + (1 - y) * log(1 - sigmoid(dot(w, x))))",
     {"w": (3,), "x": (3,)}, {"w": "(sigmoid(dot(w, x)) - y) * x"}),
    ("logistic_bias", "CS229 Part II",
     "-(y * log(sigmoid(dot(w, x) + b)) + (1 - y) * log(1 - sigmoid(dot(w, x) + b)))",
     {"w": (2,), "x": (2,)},
     {"b": "sigmoid(dot(w, x) + b) - y", "w": "(sigmoid(dot(w, x) + b) - y) * x"}),
    ("logistic_batch", "CS229 Part II",
     "-sum(y * log(sigmoid(X @ w)) + (1 - y) * log(1 - sigmoid(X @ w)))",
     {"X": (4, 3), "w": (3,), "y": (4,)}, {"w": "transpose(X) @ (sigmoid(X @ w) - y)"}),
    ("softmax_ce_z", "CS231N softmax", "-dot([0, 1, 0], log_softmax(z))", {"z": (3,)},
     {"z": "softmax(z) - [0, 1, 0]"}),
    ("softmax_ce_z_log", "CS231N softmax", "-dot([0, 0, 1], log(softmax(z)))", {"z": (3,)},
     {"z": "softmax(z) - [0, 0, 1]"}),
    ("softmax_ce_W_x", "CS231N softmax, JOHNSON", "-dot([0, 1, 0], log_softmax(W @ x))",
     {"W": (3, 2), "x": (2,)},
     {"W": "outer(softmax(W @ x) - [0, 1, 0], x)",
      "x": "transpose(W) @ (softmax(W @ x) - [0, 1, 0])"}),
    ("softmax_ce_bias", "CS231N softmax", "-dot([1, 0, 0], log_softmax(W @ x + b))",
     {"W": (3, 2), "x": (2,), "b": (3,)}, {"b": "softmax(W @ x + b) - [1, 0, 0]"}),
    ("word2vec_naive_softmax", "CS224N", "-dot([0, 0, 1, 0], log_softmax(transpose(U) @ v))",
     {"U": (3, 4), "v": (3,)},
     {"v": "U @ (softmax(transpose(U) @ v) - [0, 0, 1, 0])",
      "U": "outer(v, softmax(transpose(U) @ v) - [0, 0, 1, 0])"}),
    ("two_layer_relu", "D2L §5.3, CS231N case study", f"0.5 * sum(({R2}) ** 2)", TWO_LAYER,
     {"W2": f"outer({R2}, relu(W1 @ x + b1))", "b2": R2, "W1": f"outer({D1}, x)", "b1": D1,
      "x": f"transpose(W1) @ ({D1})"}),
    ("skip_connection", "CSC413", f"0.5 * sum(({RS}) ** 2)", SKIP,
     {"x": f"{RS} + transpose(W1) @ ({DSK})", "W2": f"outer({RS}, relu(W1 @ x + b1))",
      "b2": RS, "W1": f"outer({DSK}, x)"}),
    ("quadratic_form", "COOKBOOK", "x @ A @ x", {"A": (3, 3), "x": (3,)},
     {"x": "(A + transpose(A)) @ x", "A": "outer(x, x)"}),
    ("quadratic_form_dot", "COOKBOOK", "dot(x, A @ x)", {"A": (2, 2), "x": (2,)},
     {"x": "(A + transpose(A)) @ x"}),
    ("trace_AXB", "COOKBOOK", "trace(A @ X @ B)", {"A": (2, 3), "X": (3, 3), "B": (3, 2)},
     {"X": "transpose(A) @ transpose(B)"}),
    ("frobenius_norm", "COOKBOOK", "sqrt(sum(X * X))", {"X": (2, 3)},
     {"X": "X / sqrt(sum(X * X))"}),
    ("frobenius_squared", "COOKBOOK", "sum(X * X)", {"X": (3, 2)}, {"X": "2 * X"}),
    ("trace_XtX", "COOKBOOK", "trace(transpose(X) @ X)", {"X": (2, 3)}, {"X": "2 * X"}),
    ("sympy_15136", "SYMPY #15136, COOKBOOK", "trace(X @ X @ B)", {"X": (3, 3), "B": (3, 3)},
     {"X": "transpose(X @ B + B @ X)"}),
    ("sympy_15614", "SYMPY #15614, COOKBOOK", "trace(X @ A)", {"X": (3, 3), "A": (3, 3)},
     {"X": "transpose(A)"}),
    ("sympy_15614_quadratic", "SYMPY #15614, COOKBOOK", "trace(transpose(X) @ A @ X)",
     {"X": (3, 3), "A": (3, 3)}, {"X": "(A + transpose(A)) @ X"}),
    ("sympy_27406", "SYMPY #27406, COOKBOOK", "trace(transpose(A) @ A) + trace(transpose(B) @ B)",
     {"A": (2, 2), "B": (2, 2)}, {"A": "2 * A", "B": "2 * B"}),
    ("sympy_28615", "SYMPY #28615, COOKBOOK", "sqrt(trace(transpose(A) @ A))", {"A": (3, 3)},
     {"A": "A / sqrt(trace(transpose(A) @ A))"}),
    ("attention_one_query", "FLASH", f"dot(g, transpose(V) @ {P})",
     {"g": (2,), "V": (3, 2), "K": (3, 4), "q": (4,)},
     {"V": f"outer({P}, g)", "q": f"transpose(K) @ ({DS}) / 2", "K": f"outer({DS}, q) / 2"}),
    ("attention_two_queries", "FLASH",
     f"dot(G[1], transpose(V) @ {P1}) + dot(G[2], transpose(V) @ {P2})",
     {"G": (2, 2), "V": (3, 2), "K": (3, 4), "Q": (2, 4)},
     {"V": f"outer({P1}, G[1]) + outer({P2}, G[2])",
      "Q": f"[transpose(K) @ ({DS1}) / 2, transpose(K) @ ({DS2}) / 2]",
      "K": f"(outer({DS1}, Q[1]) + outer({DS2}, Q[2])) / 2"}),
    ("linear_layer", "JOHNSON", "dot(g, W @ x + b)", {"g": (3,), "W": (3, 2), "x": (2,),
                                                      "b": (3,)},
     {"W": "outer(g, x)", "b": "g", "x": "transpose(W) @ g"}),
    ("matrix_product", "JOHNSON", "sum(G * (X @ W))", {"G": (2, 4), "X": (2, 3), "W": (3, 4)},
     {"X": "G @ transpose(W)", "W": "transpose(X) @ G"}),
    ("sigmoid_layer", "D2L §5.3", "sum(G * sigmoid(W @ x))", {"G": (3,), "W": (3, 2), "x": (2,)},
     {"W": "outer(G * sigmoid(W @ x) * (1 - sigmoid(W @ x)), x)"}),
    ("rnn_step", "D2L §9.7", "dot(g, tanh(Wh @ h + Wx @ x))",
     {"g": (2,), "Wh": (2, 2), "h": (2,), "Wx": (2, 3), "x": (3,)},
     {"Wh": "outer(g * (1 - tanh(Wh @ h + Wx @ x) ** 2), h)",
      "Wx": "outer(g * (1 - tanh(Wh @ h + Wx @ x) ** 2), x)"}),
    ("bilinear", "COOKBOOK", "u @ A @ v", {"u": (2,), "A": (2, 3), "v": (3,)},
     {"A": "outer(u, v)"}),
    ("bilinear_transposed", "COOKBOOK", "a @ transpose(X) @ b",
     {"a": (2,), "X": (3, 2), "b": (3,)}, {"X": "outer(b, a)"}),
    ("residual_frobenius", "COOKBOOK", "sum((A @ X - B) ** 2)",
     {"A": (3, 2), "X": (2, 2), "B": (3, 2)}, {"X": "2 * transpose(A) @ (A @ X - B)"}),
    ("log_sum_exp", "BOYD §A.4.1", "log(sum(exp(x)))", {"x": (4,)}, {"x": "softmax(x)"}),
    ("multiclass_svm", "CS231N linear classification",
     f"sum(relu({M}) * [1, 0, 1])", {"W": (3, 4), "x": (4,)},
     {"W": f"outer({SVM} - [0, 1, 0] * sum({SVM}), x)"}),
    ("mse_bias", "D2L §3.1", "mean((X @ w + b - y) ** 2)", {"X": (4, 2), "w": (2,), "y": (4,)},
     {"b": "2 * mean(X @ w + b - y)", "w": "2 / 4 * transpose(X) @ (X @ w + b - y)"}),
    ("leaky_relu_layer", "D2L §5.1", "dot(g, leaky_relu(W @ x, 0.1))",
     {"g": (3,), "W": (3, 2), "x": (2,)},
     {"W": "outer(g * (step(W @ x) + 0.1 * (1 - step(W @ x))), x)"}),
    ("l1_norm", "ESL §3.4.2 (the lasso's subgradient off 0)", "sum(abs(w))", {"w": (4,)},
     {"w": "step(w) - step(-w)"}),
    ("tanh_mse_ec_b", "SEED EC.b", "0.5 * (tanh(dot(w, x)) - y) ** 2", {"w": (3,), "x": (3,)},
     {"w": "(tanh(dot(w, x)) - y) * (1 - tanh(dot(w, x)) ** 2) * x"}),
]
