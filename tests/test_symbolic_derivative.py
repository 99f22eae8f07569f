"""symbolic.derivative is sp.diff without its per-level assumption queries: it must build the
very expression SymPy's diff builds, for every (node, direct input) of real problems."""

from __future__ import annotations

import pytest
import sympy as sp

from hwsolve import api
from hwsolve.engine.graph import build
from hwsolve.spec import problems
from hwsolve.tools.generate import generate_problem
from hwsolve.work import symbolic


def _pairs(problem):
    graph = build(problem)
    for node in graph.nodes:
        form = symbolic.node_form(graph, node)
        for slot in node.inputs:
            yield form.algebra, symbolic.leaf(graph.slots[slot].label)


def _problems():
    shipped = [api.load(path) for path in problems.files_for([])]
    generated = [api.solve_text(generate_problem(60, seed, kinks=seed % 2 == 0),
                                name=f"g{seed}").problem for seed in range(12)]
    return shipped + generated


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_same_expression_as_sympy_diff(problem):
    compared = 0
    for algebra, wrt in _pairs(problem):
        mine, theirs = symbolic.derivative(algebra, wrt), sp.diff(algebra, wrt)
        assert mine == theirs, (algebra, wrt, mine, theirs)
        compared += 1
    assert compared


def test_textbook_cases():
    x, y = symbolic.leaf("x"), symbolic.leaf("y")
    assert symbolic.derivative(x * y ** 2, y) == 2 * x * y
    assert symbolic.derivative(sp.exp(x * y), x) == y * sp.exp(x * y)
    assert symbolic.derivative(sp.log(x) + sp.tanh(y), x) == 1 / x
    assert symbolic.derivative(sp.sqrt(x), x) == 1 / (2 * sp.sqrt(x))
    assert symbolic.derivative(x ** y, y) == x ** y * sp.log(x)
