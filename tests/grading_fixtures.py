"""Submissions for the grading tests, computed independently of hwsolve.

Two networks are written out here in PyTorch float64 (no hwsolve code): Q3a (2-2-1, leaky relu
hidden, sigmoid output, bce) and Mazur's 2-2-2 (sigmoid hidden and output, ½·Σ squared error).
Each takes its numbers from a dict (the problem's, or a variant's), and a *mistake* switch plants
one root error the way a student makes it:

- ``sigma_prime``: σ′ left out at one unit (the sigmoid's backward is the identity there);
- ``tanh_hidden`` / ``tanh_out``: tanh computed where the problem has sigmoid (loss unchanged);
- ``half``: the ½ of the squared error dropped;
- ``missed_path``: one consumer's term left out of one sum (that input detached there);
- ``sign``: one local derivative taken with the wrong sign;
- ``branch``: leaky relu taking its other branch in the backward pass.

The answers are the sheet's entries only (the problem's ``columns``), written to ``digits``
significant figures as a student writes them.  The expected root of each planted mistake is
stated here by hand (kind and place), never read from the grader.
"""

from __future__ import annotations

import random
from pathlib import Path

torch = None


def _torch():
    global torch
    if torch is None:
        import warnings
        warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
        import pytest
        # the verify extra: a test that needs the independent keys skips here, alone, without
        # it (issue 21: no module-level skip hiding the tests that never use torch)
        torch = pytest.importorskip("torch")
    return torch


def sig(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant figures, as plain text."""
    if x == 0:
        return "0"
    text = f"{x:.{digits - 1}e}"
    return repr(float(text)) if "e" not in repr(float(text)) else text


# ----------------------------------------------------------------------------- autograd pieces

def _functions():
    t = _torch()

    class NoSlope(t.autograd.Function):       # σ with σ′ left out
        @staticmethod
        def forward(ctx, x):
            return t.sigmoid(x)

        @staticmethod
        def backward(ctx, g):
            return g

    class Flip(t.autograd.Function):          # identity whose derivative has the wrong sign
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            return -g

    class OtherBranch(t.autograd.Function):   # leaky relu, backward of the other branch
        @staticmethod
        def forward(ctx, x, alpha):
            ctx.save_for_backward(x)
            ctx.alpha = alpha
            return t.where(x > 0, x, alpha * x)

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * t.where(x > 0, t.full_like(x, ctx.alpha), t.ones_like(x)), None

    return NoSlope, Flip, OtherBranch


# ----------------------------------------------------------------------------- Q3a

Q3A_NUMBERS = {"X": [-1.0, 1.0], "W1": [1.0, -1.0], "B1": 0.0, "W2": [-1.0, 0.5], "B2": 0.5,
               "W3": [1.0, 1.0], "B3": -1.0, "alpha": 0.1, "label": 0.0}
Q3A_ENTRIES = ["Yhat", "L", "W3", "B3", "W2", "B2", "H2", "W1", "B1", "H1", "X1", "X2"]


def q3a(numbers: dict, mistake: str | None = None) -> dict:
    """name -> value (float or list) of the sheet's entries of Q3a, with one planted mistake."""
    t = _torch()
    NoSlope, Flip, OtherBranch = _functions()
    d = t.float64
    x = t.tensor(numbers["X"], dtype=d, requires_grad=True)
    W1 = t.tensor(numbers["W1"], dtype=d, requires_grad=True)
    W2 = t.tensor(numbers["W2"], dtype=d, requires_grad=True)
    W3 = t.tensor(numbers["W3"], dtype=d, requires_grad=True)
    B1, B2, B3 = (t.tensor(numbers[k], dtype=d, requires_grad=True) for k in ("B1", "B2", "B3"))
    alpha, y = numbers["alpha"], numbers["label"]
    x1_for_z2 = x[0].detach() if mistake == "missed_path" else x[0]
    z1 = W1[0] * x[0] + W1[1] * x[1] + B1
    z2 = W2[0] * x1_for_z2 + W2[1] * x[1] + B2
    H1 = OtherBranch.apply(z1, alpha) if mistake == "branch" else \
        t.nn.functional.leaky_relu(z1, alpha)
    H2 = t.nn.functional.leaky_relu(z2, alpha)
    H1.retain_grad()
    H2.retain_grad()
    h1_in = Flip.apply(H1) if mistake == "sign" else H1
    z3 = W3[0] * h1_in + W3[1] * H2 + B3
    if mistake == "tanh_out":
        yhat = t.tanh(z3)
    elif mistake == "sigma_prime":
        yhat = NoSlope.apply(z3)
    else:
        yhat = t.sigmoid(z3)
    L = -(y * t.log(yhat) + (1 - y) * t.log(1 - yhat))
    L.backward()
    return {"Yhat": yhat.item(), "L": L.item(), "W3": W3.grad.tolist(), "B3": B3.grad.item(),
            "W2": W2.grad.tolist(), "B2": B2.grad.item(), "H2": H2.grad.item(),
            "W1": W1.grad.tolist(), "B1": B1.grad.item(), "H1": H1.grad.item(),
            "X1": x.grad[0].item(), "X2": x.grad[1].item()}


# The root each planted Q3a mistake must be named as: (kind, where), stated by hand.
Q3A_ROOTS = {"branch": ("kink_branch", "H1"), "tanh_out": ("wrong_activation", "Yhat"),
             "sigma_prime": ("missing_activation_derivative", "Yhat"),
             "missed_path": ("missed_path", "∇X1 through z2"), "sign": ("sign", "∂z3/∂H1")}


# ----------------------------------------------------------------------------- Mazur 2-2-2

MAZUR_NUMBERS = {"x": [0.05, 0.10], "W1": [[0.15, 0.20], [0.25, 0.30]],
                 "W2": [[0.40, 0.45], [0.50, 0.55]], "b1": 0.35, "b2": 0.60,
                 "label": [0.01, 0.99]}
MAZUR_ENTRIES = ["Yhat", "L", "net_o", "W2", "h", "net_h", "W1"]


def mazur(numbers: dict, mistake: str | None = None) -> dict:
    """Mazur's 2-2-2; ``mistake`` may name two, joined by '+' ("sigma_prime+half")."""
    t = _torch()
    made = set((mistake or "").split("+"))
    NoSlope, Flip, _ = _functions()
    d = t.float64
    x = t.tensor(numbers["x"], dtype=d)
    W1 = t.tensor(numbers["W1"], dtype=d, requires_grad=True)
    W2 = t.tensor(numbers["W2"], dtype=d, requires_grad=True)
    y = t.tensor(numbers["label"], dtype=d)
    net_h = W1 @ x + numbers["b1"]
    net_h.retain_grad()
    if "tanh_hidden" in made:
        h = t.tanh(net_h)
    elif "sigma_prime" in made:
        h = t.stack([NoSlope.apply(net_h[0]), t.sigmoid(net_h[1])])
    else:
        h = t.sigmoid(net_h)
    h.retain_grad()
    h1_for_o2 = h[0].detach() if "missed_path" in made else h[0]
    h1_for_o1 = Flip.apply(h[0]) if "sign" in made else h[0]
    net_o = t.stack([W2[0, 0] * h1_for_o1 + W2[0, 1] * h[1],
                     W2[1, 0] * h1_for_o2 + W2[1, 1] * h[1]]) + numbers["b2"]
    net_o.retain_grad()
    yhat = t.tanh(net_o) if "tanh_out" in made else t.sigmoid(net_o)
    L = ((yhat - y) ** 2).sum() * (1.0 if "half" in made else 0.5)
    L.backward()
    return {"Yhat": yhat.tolist(), "L": L.item(), "net_o": net_o.grad.tolist(),
            "W2": W2.grad.tolist(), "h": h.grad.tolist(), "net_h": net_h.grad.tolist(),
            "W1": W1.grad.tolist()}


MAZUR_ROOTS = {"sigma_prime": ("missing_activation_derivative", "h[1]"),
               "tanh_hidden": ("wrong_activation", "h"), "tanh_out": ("wrong_activation", "Yhat"),
               "half": ("mse_half", "L"), "missed_path": ("missed_path", "∇h[1] through net_o[2]"),
               "sign": ("sign", "∂net_o[1]/∂h[1]")}


# ----------------------------------------------------------------------------- writing

def _yaml_value(value, digits: int) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v, digits) for v in value) + "]"
    return sig(value, digits)


def submission_yaml(answers: dict, digits: int = 4, student: str | None = None,
                    variant: int | None = None, leave_out: tuple = ()) -> str:
    lines = []
    if student is not None:
        lines.append(f"student: {student}")
    if variant is not None:
        lines.append(f"variant: {variant}")
    for key in ("Yhat", "L"):
        if key in answers and key not in leave_out:
            lines.append(f"{key}: {_yaml_value(answers[key], digits)}")
    grads = [f"  {name}: {_yaml_value(value, digits)}" for name, value in answers.items()
             if name not in ("Yhat", "L") and name not in leave_out]
    if grads:
        lines += ["grad:"] + grads
    return "\n".join(lines) + "\n"


def numbers_of(problem, base: dict, names: dict) -> dict:
    """A variant's numbers (from its loaded problem) in the layout of ``base``."""
    found = dict(base)
    tables = {**problem.inputs, **problem.params, **problem.constants}
    for key, source in names.items():
        value = tables[source] if isinstance(source, str) else [tables[s] for s in source]
        found[key] = _floats(value)
    return found


def _floats(value):
    if isinstance(value, (list, tuple)):
        return [_floats(v) for v in value]
    return float(value)


Q3A_NAMES = {"X": ("X1", "X2"), "W1": "W1", "B1": "B1", "W2": "W2", "B2": "B2", "W3": "W3",
             "B3": "B3", "alpha": "alpha"}


# ----------------------------------------------------------------------------- a class of 200

TYPICAL = ("right", "right", "right", "branch", "tanh_out", "sigma_prime", "missed_path", "sign",
           "rounded", "partial", "zeros")


def write_class(folder: Path, count: int = 200, seed: int = 5922) -> dict:
    """``count`` Q3a submissions with typical mistakes, plus 2 bad files (``bad_abc.yaml``: L is
    not a number; ``bad_twice.yaml``: W1 as a list and W1[2] again).  Returns student -> the
    kind of submission written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {}
    right = q3a(Q3A_NUMBERS)
    for i in range(count):
        kind = TYPICAL[i % len(TYPICAL)] if i < len(TYPICAL) else rng.choice(TYPICAL)
        student = f"s{i:03d}"
        if kind == "zeros":
            text = "Yhat: 1\nL: 0\ngrad: {W3: [0, 0], B3: 0, W2: [0, 0], B2: 0, H2: 0, " \
                   "W1: [0, 0], B1: 0, H1: 0, X1: 0, X2: 0}\n"
        elif kind == "rounded":
            text = submission_yaml(right, digits=1)
        elif kind == "partial":
            text = submission_yaml(right, leave_out=("W1", "B1", "H1", "X1", "X2"))
        elif kind == "right":
            text = submission_yaml(right, digits=rng.choice((3, 4, 6)))
        else:
            text = submission_yaml(q3a(Q3A_NUMBERS, kind), digits=4)
        (folder / f"{student}.yaml").write_text(text, encoding="utf-8")
        kinds[student] = kind
    (folder / "bad_abc.yaml").write_text("Yhat: 0.69\nL: abc\n", encoding="utf-8")
    (folder / "bad_twice.yaml").write_text("Yhat: 0.69\ngrad: {W1: [-0.069, 0.069], "
                                          "'W1[2]': 0.07}\n", encoding="utf-8")
    return kinds
