"""The public Python API (hwsolve.api) keeps the promises of its signatures."""

import importlib.util
from fractions import Fraction
from pathlib import Path

import pytest

from hwsolve import api
from hwsolve.errors import HwsolveError
from conftest import PROBLEMS, spec

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="--verify needs the verify extra (PyTorch)")


def test_find_returns_a_path_as_annotated():
    found = api.find("q3a")
    assert isinstance(found, Path) and found.name == "q3a.yaml" and found.is_file()
    assert isinstance(api.find(PROBLEMS / "q3b.yaml"), Path)


@needs_torch
def test_verify_a_problem_made_from_text():
    solution = api.solve_text(spec("{a: W * X1 + X2, b: sigmoid(a) * X1}"), name="inline")
    rows = api.verify(solution)
    assert rows and all(row[-1] for row in rows)
    by_name = {row[0]: row for row in rows}
    # a = 1.5·2 - 1 = 2 exactly, and PyTorch says the same
    assert by_name["a"][1] == Fraction(2) and by_name["a"][2] == 2.0


@needs_torch
def test_verify_uses_the_text_that_was_solved_not_the_file_as_it_is_now(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(spec("{a: W * X1 + X2}"))
    solution = api.solve_file(path)
    path.write_text(spec("{a: W * X1 - 7 * X2}"))   # the file changes after the solve
    rows = api.verify(solution)
    assert all(row[-1] for row in rows), [row for row in rows if not row[-1]]
    path.unlink()                                    # or disappears
    assert all(row[-1] for row in api.verify(solution))


@pytest.mark.parametrize("activation", ["tanh", "identity"])
def test_a_hand_built_setup_with_bce_needs_sigmoid(activation):
    problem = api.load("q3b")
    setup = api.Setup(activation, "bce", Fraction(1), Fraction(1), None)
    with pytest.raises(HwsolveError, match="bce needs an output in"):
        api.solve_problem(problem, setup=setup)


def test_a_hand_built_setup_is_used_as_given():
    problem = api.load("q3b")
    reference = api.solve_problem(problem, activation="tanh", loss="mse")
    again = api.solve_problem(problem, setup=reference.setup)
    assert str(again.head.loss) == str(reference.head.loss)  # the same ball
    with pytest.raises(HwsolveError, match="unknown activation"):
        api.solve_problem(problem, setup=api.Setup("softsign", "mse", Fraction(1), Fraction(1),
                                                   None))
