"""Precision traps (issue 15): each gives the true value, or a note naming what it could not
decide -- never a wrong digit.

Every expected number here is worked out by hand next to its case: the traps are built so
that the true value is an exact small number (1, -1/2, 0) however irrational the way to it.
"""

from __future__ import annotations

import textwrap

import pytest

from hwsolve import api, num
from hwsolve.ops.rules import RULES


def solve(text: str):
    return api.solve_text(textwrap.dedent(text))


def unproved(solution) -> list:
    return [w for w in solution.warnings if "not proved" in w or "could not" in w]


# ----------------------------------------------------------------------------- the two

def test_a_softmax_entry_against_its_quotient_at_1e_80():
    """e = (p[1] + 1e-80 - q)·1e80 with p = softmax(v), q = e^v1/(e^v1 + e^v2): p[1] = q, so
    e = 1.  The old identity-keyed softmax memo reused a 203-bit value at higher precision and
    printed e = -3.95e17 with no note."""
    s = solve("""\
        title: trap
        inputs: {v: [1, 2]}
        params: {W: 1}
        nodes:
          p: softmax(v)
          q: exp(v[1]) / (exp(v[1]) + exp(v[2]))
          d: W * (p[1] + 1e-80 - q)
          e: d * 1e80
        activation: identity
        loss: none
        """)
    assert num.fmt_sig(s.values["e"], 30) == "1"
    assert num.fmt_sig(s.values["d"], 30) == "1e-80"
    assert num.fmt_sig(s.grad["W"], 30) == "1"     # ∂e/∂W = (p[1] + 1e-80 - q)·1e80 = 1
    assert not any(w.startswith(("e:", "d:")) for w in s.warnings), s.warnings
    # ∂e/∂v = 1e80·(∂p[1]/∂v - ∂q/∂v) = 0 exactly: no ball shows it, SymPy proves it (or, on
    # a machine too slow for the proof's time budget, the note says it is not proved)
    for k, g in enumerate(s.grad["v"], 1):
        assert (num.is_exact(g) and g == 0) or any(
            w.startswith("the gradient of") and f"v[{k}]" in w for w in s.warnings), s.warnings


def test_two_means_that_differ_by_1e_600():
    """d = mean([W e, 0]) - mean([W e, 1e-600]) = -1e-600/2, so Ŷ = d·1e600 = -0.5.  The
    old proof step treated mean as abs and "proved" d = 0."""
    s = solve("""\
        title: trap
        inputs: {X1: 1}
        params: {W: 1}
        nodes:
          d: mean([W*exp(X1), 0]) - mean([W*exp(X1), 1e-600])
          e: d * 1e600
        activation: identity
        loss: none
        """)
    assert num.fmt_sig(s.values["Yhat"], 30) == "-0.5"
    assert num.fmt_sig(s.values["d"], 30) == "-5e-601"
    # ∂Ŷ/∂W = 1e600·(e/2 - e/2) = 0 and ∂Ŷ/∂X1 = 0 exactly: proved by SymPy, or noted
    for name in ("W", "X1"):
        g = s.grad[name]
        assert (num.is_exact(g) and g == 0) or any(
            w.startswith("the gradient of") and name in w for w in s.warnings), s.warnings


# ----------------------------------------------------------------------------- every op

# F(u) for each op: the trap compares F of two separately computed balls u = u2 = e^X1 (and
# of w = w2 = e^-X1 where the op needs an argument below 1), so a = b exactly, and
# e = W·(a + S - b)/S = 1 for S = 1e-80 and 1e-600.  Each op's value is what the refinement
# must recompute more precisely; a vector op is read through its first entry.
CASES = {
    "add": "{u} + 1/3",
    "sub": "{u} - 1/3",
    "neg": "-{u}",
    "mul": "{u} * {u}",
    "div": "1 / {u}",
    "pow": "{u} ** 1.5",
    "exp": "exp({u})",
    "log": "log({u})",
    "sqrt": "sqrt({u})",
    "sigmoid": "sigmoid({u})",
    "tanh": "tanh({w})",
    "relu": "relu({u})",
    "leaky_relu": "leaky_relu(-{u}, 0.1)",
    "abs": "abs(-{u})",
    "max": "max({u}, 2)",
    "min": "min({u}, 3)",
    "dot": "dot([{u}, 1], [{u}, 2])",
    "sum": "sum([{u}, {w}, 1])",
    "mean": "mean([{u}, {w}])",
    "softplus": "softplus({w})",
    "softmax": "softmax([{u}, 1, {w}])",
    "log_softmax": "log_softmax([{u}, 1, {w}])",
    # issue 18
    "step": "step({u} - 2)",  # e - 2 > 0: 1 (a constant piece; the trap checks d keeps S)
    "trace": "trace([[{u}, 1], [2, {w}]])",  # e + 1/e (trace is written through sum)
    # issue 19
    "var": "var([{u}, {w}, 1])",
    "layer_norm": "layer_norm([{u}, {w}, 1], [1, 1, 1], [0, 0, 0])",
    "batch_norm": "batch_norm([[{u}], [{w}], [1]], 1, 0)",
    "gelu": "gelu({w})",
    "gelu_tanh": "gelu_tanh({w})",
    "dropout": "dropout({u}, 1, 0.5)",
    "masked_softmax": "softmax([{u}, 1, {w}], [1, 0, 1])",
    "max_pool": "max_pool2d([[{u}, 1], [{w}, 2]], 2)",  # max(e, 1, 1/e, 2) = e
}
# how the trap reads a vector or matrix op: through its first entry
FIRST = {"softmax": "[1]", "log_softmax": "[1]", "layer_norm": "[1]",
         "masked_softmax": "[1]", "batch_norm": "[1, 1]", "max_pool": "[1, 1]"}
# ops met only as part of something else: identity is the identity activation (the head of
# every case below), the losses are the head's L (test_a_cancellation_reaches_every_loss)
THROUGH_THE_HEAD = {"identity", "loss_mse", "loss_bce", "loss_cross_entropy", "loss_hinge",
                    "loss_huber", "loss_smooth_l1", "loss_l1", "loss_mse_mean", "loss_sse"}


def test_every_op_of_the_registry_has_a_trap():
    missing = sorted(set(RULES) - set(CASES) - THROUGH_THE_HEAD)
    assert not missing, f"add a precision trap for {missing} to CASES"


def _trap(op: str, scale: str) -> str:
    first = FIRST.get(op, "")
    a = CASES[op].format(u="u", w="w")
    b = CASES[op].format(u="u2", w="w2")
    return f"""\
        title: trap {op} {scale}
        inputs: {{X1: 1}}
        params: {{W: 1}}
        nodes:
          u: exp(X1)
          u2: exp(X1)
          w: exp(-X1)
          w2: exp(-X1)
          a: {a}
          b: {b}
          d: W * (a{first} + {scale} - b{first})
          e: d / {scale}
        activation: identity
        loss: none
        """


@pytest.mark.parametrize("scale", ["1e-80", "1e-600"])
@pytest.mark.parametrize("op", sorted(CASES))
def test_a_cancellation_through_every_op(op, scale):
    s = solve(_trap(op, scale))
    assert num.fmt_sig(s.values["e"], 30) == "1", (op, scale, s.values["e"])
    assert num.fmt_sig(s.values["d"], 30) == scale.replace("1e", "1e")
    assert num.fmt_sig(s.grad["W"], 30) == "1"
    # no value is left unproved: only the true zeros of the gradients of u, u2, w, w2
    # (a - b differentiated) may be noted, as not proved
    for warning in unproved(s):
        assert warning.startswith("the gradient of"), warning


@pytest.mark.parametrize("activation, loss, label, expected, slope", [
    ("identity", "mse", 0, "0.5", "1"),                # ½(1 - 0)²; slope 1 - 0
    ("sigmoid", "bce", 1, "0.313261687518222834048995494968", None),  # softplus(-1) = ln(1 + 1/e) (mpmath, 40 digits)
    # issue 19: Ŷ = e = 1 against 0, so the residual r = 1 sits exactly on the huber and
    # smooth-l1 boundary at delta = beta = 1 (both pieces give ½ there, both slopes 1)
    ("identity", "huber", 0, "0.5", "1"),              # ½r² = δ(|r| - ½δ) = ½
    ("identity", "huber\n        delta: 0.5", 0, "0.375", "0.5"),  # 0.5·(1 - 0.25); slope δ
    ("identity", "smooth_l1", 0, "0.5", "1"),          # ½r²/β = |r| - ½β = ½
    ("identity", "smooth_l1\n        beta: 2", 0, "0.25", "0.5"),  # ½·1²/2; slope r/β
    ("identity", "l1", 0, "1", "1"),                   # |1 - 0|; slope sign(1)
    ("identity", "l1", 1, "0", "0"),                   # a residual of exactly 0: sign(0) = 0
    ("identity", "mse\n        conventions: pytorch", 2, "1", "-2"),  # (1 - 2)²; 2(1 - 2)
    ("identity", "mse\n        conventions: cs231n", 3, "4", "-4"),   # (1 - 3)²; 2(1 - 3)
])
def test_a_cancellation_reaches_every_loss(activation, loss, label, expected, slope):
    text = _trap("exp", "1e-80").replace("activation: identity", f"activation: {activation}")
    text = text.replace("loss: none", f"loss: {loss}\n        label: {label}")
    s = solve(text)
    assert num.fmt_sig(s.values["L"], 30) == expected
    if slope is not None:  # ∂L/∂W = ∂L/∂Ŷ·∂Ŷ/∂W = the loss's slope at Ŷ = 1, times 1
        assert num.fmt_sig(s.grad["W"], 30) == slope, (loss, s.grad["W"], s.warnings)
    # a residual on a branch boundary (r = 0 for l1, |r| = δ or β) is proved from the
    # registry's forms (r = e - y with e = 1 exactly), not left as a note
    assert not unproved(s), s.warnings


def test_an_unproved_huber_boundary_is_noted_with_the_true_value(monkeypatch):
    """The huber trap above with the proof switched off: |r| = δ = 1 is not decided, and
    either piece is right there (½r² = δ(|r| - ½δ) = ½, slope 1 both sides): L = 0.5 and
    ∂L/∂W = 1 are printed, with the note that the branch was not proved."""
    from hwsolve.engine import precision
    monkeypatch.setattr(precision, "MAX_PROOF_POSITIONS", 0)
    text = _trap("exp", "1e-80").replace("loss: none", "loss: huber\n        label: 0")
    s = solve(text)
    assert num.fmt_sig(s.values["L"], 30) == "0.5"
    assert num.fmt_sig(s.grad["W"], 30) == "1"
    assert any(w.startswith("L: a sign, tie or branch") for w in s.warnings), s.warnings


def test_a_zero_hinge_margin_is_decided_or_noted():
    """hinge with label 1 on Ŷ = e = 1: the margin 1 - e is exactly 0, as a ball around 0:
    L = 0 is printed either way, and the gradient is either proved or noted."""
    text = _trap("exp", "1e-80").replace("loss: none", "loss: hinge\n        label: 1")
    s = solve(text)
    assert num.fmt_sig(s.values["L"], 30) == "0"
    assert any("hinge" in w or "not proved" in w or "could not" in w for w in s.warnings)


def test_cross_entropy_through_a_cancelled_score():
    """Scores [e, 0] with e = 1 after a 1e-80 cancellation, class 1: L = ln(1 + e^-1)."""
    text = _trap("exp", "1e-80").replace("          e: d / 1e-80\n",
                                          "          e: '[d / 1e-80, 0]'\n")
    text = text.replace("activation: identity", "activation: softmax")
    text = text.replace("loss: none", "loss: cross_entropy\n        label: 1")
    s = solve(text)
    assert num.fmt_sig(s.values["L"], 30) == "0.313261687518222834048995494968"


# ----------------------------------------------------------------------------- kinks and ties

def test_a_kink_at_exactly_zero_through_irrational_arithmetic():
    """tanh(x) = 2σ(2x) - 1 exactly, so the relu's argument is 0 for every x: no ball
    decides it; SymPy proves it from the registry's forms, and relu'(0) = 0 applies."""
    s = solve("""\
        title: kink
        inputs: {x: 0.7}
        params: {W: 2}
        nodes:
          k: relu(tanh(x) - (2*sigmoid(2*x) - 1))
          h: W * x + k
        activation: identity
        loss: none
        """)
    assert s.values["k"] == 0 and num.is_exact(s.values["k"])
    assert num.fmt_sig(s.values["h"], 30) == "1.4"
    assert s.grad["W"] == num.parse_decimal("0.7")
    assert any(w.startswith("k: relu at 0") for w in s.warnings), s.warnings
    assert not unproved(s), s.warnings


def test_a_step_at_exactly_zero_through_irrational_arithmetic():
    """As above through step (issue 18): step(0) = 0 (relu's convention, relu' = step), proved
    from the registry's forms, so h = W·x + 0 = 1.4 and ∂h/∂x = W = 2 (step' = 0)."""
    s = solve("""\
        title: kink
        inputs: {x: 0.7}
        params: {W: 2}
        nodes:
          k: step(tanh(x) - (2*sigmoid(2*x) - 1))
          h: W * x + k
        activation: identity
        loss: none
        """)
    assert s.values["k"] == 0 and num.is_exact(s.values["k"])
    assert num.fmt_sig(s.values["h"], 30) == "1.4"
    assert s.grad["x"] == 2 and s.grad["W"] == num.parse_decimal("0.7")
    assert any(w.startswith("k: step at 0") for w in s.warnings), s.warnings
    assert not unproved(s), s.warnings


def test_an_unprovable_kink_is_noted_and_flags_what_depends_on_it(monkeypatch):
    """With the proof switched off, the relu's branch is not decided: the node is named, and
    every value after it is flagged as not proved (issue 20, item 11)."""
    from hwsolve.engine import precision
    monkeypatch.setattr(precision, "MAX_PROOF_POSITIONS", 0)
    s = solve("""\
        title: kink
        inputs: {x: 0.7}
        params: {W: 2}
        nodes:
          k: relu(tanh(x) - (2*sigmoid(2*x) - 1))
          h: W * x + k
          t: h * 3
        activation: identity
        loss: none
        """)
    assert any(w.startswith("k: a sign, tie or branch") for w in s.warnings), s.warnings
    assert any(w.startswith("h: depends on k") for w in s.warnings), s.warnings
    flagged = [w for w in s.warnings if w.startswith("not proved")]
    assert flagged and all(name in flagged[0] for name in ("k", "h", "t", "Yhat")), s.warnings
    # ∂/∂x flows back through k's undecided branch: flagged too (W's does not: it skips k)
    upstream = [w for w in s.warnings if w.startswith("gradients not proved")]
    assert upstream and upstream[0].split(": ")[1].split(", ") == ["x"], s.warnings


def test_a_tie_that_appears_only_after_a_training_step():
    """a = 1/2 and c = 1/4 differ, so t = max(a·e^x, c·e^x) has no tie before training.  The
    output is z = a·x with x = 1, L = ½(z - 0)²: ∂L/∂a = a·x² = 1/2, and one SGD step with
    lr = 1/2 gives a' = 1/2 - 1/4 = 1/4 = c.  After the step the two products are equal
    irrational values, which no ball separates: the tie is proved from the registry's forms
    (a·e - c·e = 0 with a = c = 1/4) and the node's gradient is split."""
    from hwsolve.engine.batch import Batch
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.engine.train import TrainConfig, train
    from hwsolve.spec.load import load_problem_text
    from fractions import Fraction
    problem = load_problem_text(textwrap.dedent("""\
        title: tie after a step
        inputs: {x: 1}
        params: {a: 0.5}
        constants: {c: 0.25}
        nodes:
          t: max(a * exp(x), c * exp(x))
          z: a * x
        activation: identity
        loss: mse
        label: 0
        """))
    run = train(Batch(problem, resolve_setup(problem)),
                TrainConfig("sgd", lr=Fraction(1, 2), steps=1))
    assert run.steps[0].after["a"] == Fraction(1, 4)
    before = run.first.example(1)
    assert not any("tie" in w for w in before.warnings), before.warnings
    after = run.last.example(1)
    assert after.values["a"] == Fraction(1, 4)
    assert any("t: max has a 2-way tie" in w for w in after.warnings), after.warnings
    assert not unproved(after), after.warnings


# ----------------------------------------------------------------------------- the proof step

def test_the_proof_takes_each_op_from_the_registry_and_refuses_one_without_a_form():
    """The old proof step treated every op it did not list (mean, softmax, …) as abs.  Now
    each form comes from the registry, and an op without one is a registry error."""
    import sympy
    from hwsolve.engine.precision import sympy_form
    from hwsolve.errors import HwsolveError
    from hwsolve.ops.registry import REGISTRY
    from hwsolve.work.symbolic import _FORMS
    x = sympy.Symbol("x", real=True)
    assert sympy_form(REGISTRY, _FORMS, sympy, "mean", [x, sympy.Integer(0)], None) == x / 2
    headless = dict(REGISTRY, mean=REGISTRY["mean"].__class__(
        **{**REGISTRY["mean"].__dict__, "sympy": None}))
    with pytest.raises(HwsolveError, match="no SymPy form for the op 'mean'"):
        sympy_form(headless, _FORMS, sympy, "mean", [x, sympy.Integer(0)], None)


def test_a_log_softmax_entry_of_minus_e_to_the_minus_two_million():
    """Issue 20, item 11: z = log_softmax(w·x) with x = [-2e6, 0], s = z[2]·e^2e6.
    z[2] = -log(1 + e^-2e6), so s = -e^2e6·log(1 + e^-2e6) = -1 + e^-2e6/2 - … ; by hand:
    ∂s/∂x1 = -w·p1·e^2e6 → -1, ∂s/∂x2 = w·p1·e^2e6 → 1 (p1 = e^-2e6/(1 + e^-2e6)), and
    ∂s/∂w = e^2e6·(x2 - p1·x1 - p2·x2) = 2e6·p1·e^2e6 → 2e6.  It printed s = 0,
    ∂s/∂x2 = 0 and ∂s/∂w = -1e6 (the wrong sign) with one note about z[2]."""
    s = solve("""\
        title: item 11
        inputs: {x: [-2000000, 0]}
        params: {w: 1}
        nodes:
          z: log_softmax(w * x)
          s: z[2] * exp(2000000)
        activation: identity
        loss: none
        """)
    assert num.fmt_sig(s.values["s"], 20) == "-1"
    assert [num.fmt_sig(g, 20) for g in s.grad["x"]] == ["-1", "1"]
    assert num.fmt_sig(s.grad["w"], 20) == "2000000"
    assert not unproved(s), s.warnings
