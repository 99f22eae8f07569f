"""Everything the command line does, as plain Python calls.

    >>> from hwsolve import api
    >>> solution = api.solve_file("problems/q3b.yaml")
    >>> api.to_json(solution)["grad"]["X1"]          # doctest: +SKIP
    -0.9336887...

``Solution.values`` and ``Solution.grad`` map names to exact numbers: ``fractions.Fraction``
while rational, ``mpmath.mpf`` with 60 significant digits otherwise (vectors as lists).
Every problem a user can cause raises :class:`hwsolve.errors.HwsolveError`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from hwsolve.spec import problems as _problems
from hwsolve.tools.check import ProblemCheck, check_file
from hwsolve.render.common import to_json
from hwsolve.engine.solve import Setup, Solution, resolve_setup, solve
from hwsolve.spec.load import Problem, load_problem, load_problem_text

__all__ = ["find", "load", "solve_problem", "solve_file", "solve_text", "to_json", "check",
           "verify", "Solution", "Problem", "ProblemCheck", "Setup"]


def find(name: str | Path) -> Path:
    """The file for a problem name (./problems/ first, then the packaged problems) or path."""
    return Path(_problems.find(str(name)))


def load(name_or_path: str | Path) -> Problem:
    return load_problem(find(name_or_path))


def solve_problem(problem: Problem, *, activation: str | None = None, loss: str | None = None,
                  label: Fraction | None = None, variant: str | None = None,
                  setup: Setup | None = None) -> Solution:
    """Solve with the head chosen by the spec, a variant and overrides, or with a ready
    ``setup`` (a :class:`Setup`, e.g. ``solution.setup`` of an earlier solve)."""
    if setup is None:
        setup = resolve_setup(problem, variant=variant, activation=activation, loss=loss,
                              label=label)
    return solve(problem, setup)


def solve_file(path: str | Path, **choices) -> Solution:
    """Solve a problem file; ``choices`` are activation, loss, label and variant."""
    return solve_problem(load_problem(path), **choices)


def solve_text(text: str, *, name: str = "problem", **choices) -> Solution:
    """Solve a problem given as YAML text."""
    return solve_problem(load_problem_text(text, name), **choices)


def check(names: list | None = None) -> list:
    """Check the answer keys of the named problems or folders (default: every known problem)."""
    return [check_file(Path(p)) for p in _problems.files_for(names)]


def verify(solution: Solution) -> list:
    """``--verify``: every value and gradient beside PyTorch float64 autograd, as rows
    ``(quantity, exact, torch, relative difference, agrees)``; needs the verify extra."""
    from hwsolve.tools.verify import verify_entries
    return verify_entries(solution)
