"""hwsolve derive (issue 18): closed forms from published sources (tests/derive_cases.py) and
from every shipped network problem, each checked against hwsolve's entrywise gradient."""

from __future__ import annotations

import pytest

from hwsolve import api
from hwsolve.derive import check
from hwsolve.derive.expression import _engine, derive_expression, parse_shape
from hwsolve.errors import HwsolveError
from hwsolve.spec import expr as E

from derive_cases import CASES


def _names(expression, shapes):
    from hwsolve.derive.expression import _names as names
    found = names(expression)
    return {n: shapes.get(n, ()) for n in found}


def test_at_least_30_published_cases():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_published_form_and_derived_form_agree_with_the_engine(case):
    name, source, expression, shapes, published = case
    assert source
    derivation = derive_expression(expression, shapes, list(published), seed=7)
    for g in derivation.gradients:
        full = _names(expression, shapes)
        assert g.shape == full[g.wrt], (g.wrt, g.shape)
        assert g.record.points == 20 and not g.record.failures, (g.wrt, g.record)
    # the published form (the key) against the engine's entrywise gradient, at other points
    full = _names(expression, shapes)
    tree = E.parse_tensor(expression, full)
    records = check.run([], published, _engine(tree, full, list(full)), full, seed=99,
                        points=5, own=False)
    for wrt, record in records.items():
        assert not record.failures, (wrt, record.failures)


def test_the_published_forms_would_catch_a_wrong_key():
    # a sanity check of the key check itself: Sympy's wrong 3*A.T (issue #15614) is refused
    full = {"X": (3, 3), "A": (3, 3)}
    tree = E.parse_tensor("trace(X @ A)", full)
    records = check.run([], {"X": "3 * transpose(A)"}, _engine(tree, full, ["X", "A"]), full,
                        seed=1, points=3, own=False)
    assert records["X"].failures


def test_course_forms_read_as_a_course_writes_them():
    d = derive_expression("-dot([0, 1, 0], log_softmax(W @ x))", {"W": (3, 2), "x": (2,)},
                          ["W", "x"])
    where = {n: t for n, t, _, _ in d.where}
    grads = {g.wrt: g.expr for g in d.gradients}
    assert grads["W"] == "outer(g1, x)" and grads["x"] == "transpose(W) @ g1"
    assert where["g1"] == "softmax(W @ x) - [0, 1, 0]"
    d = derive_expression("trace(A @ X @ B)", {"A": (2, 3), "X": (3, 3), "B": (3, 2)}, ["X"])
    assert d.gradients[0].expr == "transpose(A) @ transpose(B)"
    d = derive_expression("sum(relu(W @ x))", {"W": (2, 2), "x": (2,)}, ["W"])
    assert d.gradients[0].expr == "outer(step(W @ x), x)"


def test_numerator_layout_transposes_matrix_gradients():
    d = derive_expression("dot(g, W @ x)", {"g": (3,), "W": (3, 2), "x": (2,)}, ["W"],
                          layout="numerator")
    assert d.gradients[0].shape == (2, 3)
    assert d.gradients[0].expr == "outer(x, g)"
    assert d.gradients[0].record.points == 20


SHIPPED = ["q3a", "q3b", "mlp331", "regression", "softmax_3x2", "conv2d_3x3_kernel",
           "mazur_2_2_2", "mazur_2_2_2_train", "batch_xor_momentum", "batch_xor_nesterov_sum",
           "regression_rmsprop", "regression_adagrad_sum", "softmax_adam", "ridge_l2",
           "cs231n_svm_hinge", "cs231n_gate_circuit", "bptt_tanh_rnn", "deep_chain", "fanout",
           "micrograd_readme", "transcendental", "autograd_vector_q"]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_network_problem_derives_and_checks(name):
    d = api.derive(name)
    problem = api.load(name)
    assert d.gradients
    for g in d.gradients:
        assert g.record.points == 20 and not g.record.failures, (g.wrt, g.record)
        assert g.record.own in ("agrees",) or g.record.own.startswith("differs at a kink")
    assert d.per_example == bool(problem.examples)
    if problem.examples:
        assert d.reduction == problem.reduction
        assert d.as_json()["reduction"] == problem.reduction


def test_course_forms_of_shipped_problems():
    d = api.derive("softmax_3x2")
    assert [(n, t) for n, t, _, _ in d.where] == [("d_z", "Yhat - Y")]
    assert {g.wrt: g.expr for g in d.gradients} == {"W": "outer(d_z, x)",
                                                    "x": "transpose(W) @ d_z"}
    d = api.derive("q3b", ["X1"])
    assert "step(" in d.gradients[0].expr  # the indicator of min/max
    d = api.derive("mazur_2_2_2", ["W1"])
    where = dict((n, t) for n, t, _, _ in d.where)
    assert where["d_net_h"] == "d_h * h * (1 - h)"
    assert where["d_h"] == "transpose(W2) @ d_net_o"


def test_conv2d_is_a_correlation_with_the_flipped_kernel():
    d = api.derive("conv2d_3x3_kernel", ["X"])
    assert d.gradients[0].expr.startswith("conv2d(d_C, [[W[3, 3], W[3, 2], W[3, 1]]")


@pytest.mark.parametrize("expression, shapes, reason", [
    ("sum(conv2d(X, K, 2, 0))", {"X": (5, 5), "K": (3, 3)}, "stride"),
    ("W @ x", {"W": (2, 2), "x": (2,)}, "scalar"),
    ("foo(x)", {}, "unknown function"),
    ("x +", {}, "not a valid expression"),
    ("__import__('os')", {}, "unknown function"),
    ("x.real", {}, "not allowed"),
])
def test_refusals_say_why(expression, shapes, reason):
    with pytest.raises(HwsolveError, match=reason):
        derive_expression(expression, shapes)


def test_a_wrong_rule_is_refused_not_printed(monkeypatch):
    from hwsolve.derive import form as F
    from hwsolve.derive import rules

    original = rules.Deriver._matmul

    def wrong(self, t, g):  # a planted bug: ∂(W x)/∂W written without the x
        a, b = t.args
        if len(a.shape) == 2 and len(b.shape) == 1:
            self.back(a, F.outer(g, F.fill(F.number(1), b.shape)))
            self.back(b, F.matmul(F.transpose(a), g))
            return
        original(self, t, g)
    monkeypatch.setattr(rules.Deriver, "_matmul", wrong)
    with pytest.raises(HwsolveError, match="refused.*does not match"):
        derive_expression("dot(g, W @ x)", {"g": (2,), "W": (2, 2), "x": (2,)}, ["W"])


def test_seed_reproduces_and_changes_the_points():
    a = derive_expression("sum(W * W)", {"W": (2, 2)}, seed=3)
    b = derive_expression("sum(W * W)", {"W": (2, 2)}, seed=3)
    assert a.as_json() == b.as_json()
    assert a.gradients[0].record.seed == 3


def test_parse_shape():
    assert parse_shape("W=3x2") == ("W", (3, 2))
    assert parse_shape("x=4") == ("x", (4,))
    assert parse_shape("c=scalar") == ("c", ())
    for bad in ("W=3x", "=3", "W=0", "W=3x2x1", "W=1000"):
        with pytest.raises(HwsolveError):
            parse_shape(bad)


@pytest.mark.parametrize("tensor, seed, kinks", [(t, s, k) for t in (False, True)
                                                 for s in (0, 3, 8) for k in (False, True)])
def test_generated_problems_derive_or_are_refused_with_a_reason(tensor, seed, kinks):
    """Problems nobody wrote by hand (the random generator, with planted kinks): each is
    derived and checked, or refused with a sentence, never an internal error."""
    from hwsolve.derive.problem import derive_problem
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.spec.load import load_problem_text
    from hwsolve.tools.generate import generate_problem

    problem = load_problem_text(generate_problem(6, seed, tensor=tensor, kinks=kinks), "g")
    try:
        d = derive_problem(problem, resolve_setup(problem))
    except HwsolveError as exc:
        assert "refused" in str(exc) or "no closed form" in str(exc)
        return
    assert all(g.record.points == 20 for g in d.gradients)
