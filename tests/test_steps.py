"""The derivation data (hwsolve.work.steps): the right terms and case rules, and every number the
solver's own."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from hwsolve import api, num
from hwsolve.spec.shapes import entry_name
from hwsolve.work import head_steps, steps
from hwsolve.work import symbolic
from hwsolve.work.symbolic import Slope, leaf
from conftest import PROBLEMS, network_problems, single_problems, spec

SHIPPED = single_problems(network_problems())


def _variants(path):
    return [None, *api.load(path).variants]


ALL_HEADS = [(path, variant) for path in SHIPPED for variant in _variants(path)]


def backward(work, name):
    return next(step for step in work.backward if step.symbol.name == name)


def term(step, consumer):
    return next(t for t in step.terms if t.consumer.name == consumer)


@pytest.fixture(scope="module")
def q3b():
    return steps.build(api.solve_file(PROBLEMS / "q3b.yaml"), exact=True)


def test_q3b_min_passes_nothing_to_x1(q3b):
    local = term(backward(q3b, "X1"), "H3").local
    assert local.value == 0 and local.is_case_rule
    (case,) = local.cases
    assert case.relation.op == ">"
    assert [o.expr for o in case.relation.left + case.relation.right] == [leaf("X1"), leaf("H1")]
    assert "min passes the gradient only to its smaller argument" == case.rule
    assert term(backward(q3b, "H1"), "H3").local.value == 1


def test_q3b_h1_sums_three_consumers(q3b):
    step = backward(q3b, "H1")
    contributions = {t.consumer.name: num.to_float(t.contribution) for t in step.terms}
    assert contributions.keys() == {"H3", "H4", "H5"}
    assert round(contributions["H4"], 3) == -0.830
    assert round(contributions["H3"], 3) == -0.622
    assert contributions["H5"] == 0
    h5 = term(step, "H5").local.cases[0]
    assert h5.relation.op == "<" and h5.relation.right[0].expr == leaf("H4")  # H4 wins
    h4 = term(step, "H4").local
    assert symbolic.text(h4.formula, order=h4.order) == "-W2·H2/H1²"
    assert h4.value == Fraction(-4, 3)


def test_q3b_closed_form_of_yhat(q3b):
    yhat, loss = q3b.head
    assert sp.simplify(yhat.closed_form - 1 / (1 + sp.exp(sp.Rational(1, 2)))) == 0
    assert symbolic.text(yhat.closed_form) == "1/(1 + e^(1/2))"
    assert symbolic.text(loss.closed_form) == "log(1 + e^(1/2))"
    assert all(eq.closed_form is None for eq in q3b.forward)  # Q3b's nodes are rational


def test_q3b_order_leaves_after_their_earliest_consumer(q3b):
    names = [step.symbol.name for step in q3b.backward]
    assert names[0] == "R" and names.index("W2") == names.index("H4") + 1
    assert set(names) == {"R", "H5", "H4", "H3", "H2", "H1", "W1", "B1", "W2", "X1", "X2",
                          "X3"}
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path, variant", ALL_HEADS,
                         ids=[f"{p.stem}-{v or 'base'}" for p, v in ALL_HEADS])
def test_every_number_is_the_solvers(path, variant):
    solution = api.solve_file(path, variant=variant)
    work = steps.build(solution)
    v1 = head_steps.is_v1_head(solution)
    full, grads = solution.full, solution.grads
    graph = solution.graph if v1 else full.graph
    programs = graph.nodes + ([] if v1 else graph.head_nodes)
    equations = work.forward + ([] if v1 else work.head)
    assert len(equations) == len(programs)
    for node, eq in zip(programs, equations):
        assert eq.value is full.values[node.slot]
    if v1:
        yhat, loss = work.head
        # the same numbers: equal rationals, or the very same ball (balls compare by text)
        assert (str(yhat.value), str(loss.value)) == (str(solution.head.yhat),
                                                      str(solution.head.loss))
        assert str(work.loss_gradient.value) == str(solution.head.dL_dyhat)
    else:
        assert work.loss_gradient is None
    locals_by_node = {node.label: dict(local) for node, local in zip(programs, full.local)}
    seen = set()
    for step in work.backward:
        slot = graph.slot_of(*entry_name(step.symbol.name))
        seen.add(slot)
        assert step.total is grads[slot]
        for t in step.terms:
            if v1 and t.consumer.name == "Yhat":
                assert t.contribution is solution.head.dL_dz
                continue
            assert t.upstream is grads[graph.slot_of(*entry_name(t.consumer.name))]
            assert t.local.value is locals_by_node[t.consumer.name][slot]
        with mpmath.workdps(num.WORK_DPS):
            total = mpmath.fsum(num.to_mpf(t.contribution) for t in step.terms)
            if step.terms:
                assert abs(total - num.to_mpf(step.total)) <= mpmath.mpf(10) ** -40 * max(
                    1, abs(total))
    root = graph.scalars.get("L") if not v1 else None
    skipped = {root}
    if _objective_is_the_output(solution):  # df/dx: no steps for Ŷ and f themselves
        skipped |= {graph.scalars["Yhat"], graph.scalars[solution.problem.output]}
    leaves = {s for s, slot in enumerate(graph.slots)
              if slot.kind not in ("constant", "label") and s not in skipped}
    if solution.head_slots.forward_only:  # values only: no backward pass to show
        leaves = set()
    assert seen == leaves


def _objective_is_the_output(solution) -> bool:
    setup = solution.setup
    return setup.loss == "none" and setup.activation == "identity" and \
        not solution.full.graph.shapes["Yhat"]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_formulas_evaluate_to_the_solvers_local_derivatives(path):
    """Each formula with its numbers put in gives the solver's value: the formula is right."""
    work = steps.build(api.solve_file(path))
    for step in work.backward:
        for t in step.terms:
            local = t.local
            numbers = {expr: sp.Float(num.to_float(v), 30) for expr, v in local.shown.items()}
            numbers.update({lit: symbolic.exact_number(lit.value)
                            for lit in local.formula.atoms(symbolic.Literal)})
            value = local.formula.xreplace(numbers).xreplace(numbers)
            assert abs(float(value) - num.to_float(local.value)) < 1e-9, \
                (step.symbol, t.consumer, local.formula)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_closed_forms_equal_the_solvers_values(path):
    work = steps.build(api.solve_file(path), exact=True)
    for eq in work.forward + work.head:
        if eq.closed_form is not None:
            assert abs(sp.N(eq.closed_form, 40) - sp.Float(num.to_decimal(eq.value, 40), 40)) \
                < sp.Float("1e-30"), eq.target


def test_a_tie_splits_the_gradient_and_names_the_convention():
    solution = api.solve_text(spec('{a: "min(X1, X2)", z: W * a}', inputs="{X1: 1, X2: 1}"))
    local = term(backward(steps.build(solution), "X1"), "a").local
    assert local.value == Fraction(1, 2)
    (case,) = local.cases
    assert case.relation.op == "=" and len(case.relation.left) == 2
    assert "PyTorch" in case.convention


def test_a_relu_at_zero_names_the_convention():
    solution = api.solve_text(spec("{a: relu(X1 + X2), z: W * a}", inputs="{X1: 1, X2: -1}"))
    work = steps.build(solution)
    local = term(backward(work, "X1"), "a").local
    assert local.value == 0 and local.formula == Slope(1, symbolic.Relu(leaf("X1") + leaf("X2")))
    (case,) = local.cases
    assert case.relation.op == "=" and "relu at 0" in case.convention
    assert any("relu at 0" in note for note in work.forward[0].notes)


def test_leaky_relu_names_its_slope_as_the_branch():
    work = steps.build(api.solve_file(PROBLEMS / "q3a.yaml"))
    case = term(backward(work, "z1"), "H1").local.cases[0]
    assert case.branch == leaf("alpha") and case.value == Fraction(1, 10)


def test_unused_leaves_and_nodes_and_late_nodes_are_explained():
    solution = api.solve_text(spec("{idle: X2 * 3, z: W * X1, late: z * 2}",
                                   params="{W: 1.5, U: 2}", extra="output: z\n"))
    work = steps.build(solution)
    assert "no node uses U" == backward(work, "U").note
    assert "no node uses idle" == backward(work, "idle").note
    assert "after the output z" in backward(work, "late").note
    assert backward(work, "U").terms == [] and backward(work, "U").total == 0


def test_a_closed_form_too_large_is_skipped_with_a_note():
    nodes = "{a1: tanh(X1 + W), " + ", ".join(
        f"a{i + 1}: tanh(a{i} * a{i} + a{i} + X2)" for i in range(1, 7)) + "}"
    work = steps.build(api.solve_text(spec(nodes)), exact=True)
    assert work.forward[0].closed_form is not None
    assert work.forward[-1].closed_form is None
    assert any("closed form skipped" in note for note in work.forward[-1].notes)


@pytest.mark.parametrize("seed", [12, 18])
def test_closed_forms_of_nested_transcendentals_stay_fast(seed):
    """Evaluating nested closed forms made SymPy evalf them again and again (20+ s here)."""
    import time

    from hwsolve.tools.generate import generate_problem
    solution = api.solve_text(generate_problem(8 + seed % 15, seed), name=f"g{seed}")
    start = time.perf_counter()
    built = steps.build(solution, exact=True)
    assert time.perf_counter() - start < 8
    assert built.backward
