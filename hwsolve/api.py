"""Everything the command line does, as plain Python calls.

    >>> from hwsolve import api
    >>> solution = api.solve_file("problems/q3b.yaml")
    >>> api.to_dict(solution)["grad"]["X1"]          # doctest: +SKIP
    -0.9336887...
    >>> print(api.to_json(solution))                 # the --format json text  # doctest: +SKIP

``Solution.values`` and ``Solution.grad`` map names to exact numbers: ``fractions.Fraction``
while rational, otherwise a ``flint.arb`` ball that encloses the true value with a certified
radius (about 60 digits; vectors as lists).
Every problem a user can cause raises :class:`hwsolve.errors.HwsolveError`.
"""

from __future__ import annotations

from fractions import Fraction
import os
from pathlib import Path

from hwsolve.spec import problems as _problems
from hwsolve.tools.check import ProblemCheck, check_file
from hwsolve.render.common import to_json as to_dict
from hwsolve.engine.solve import Setup, Solution, resolve_setup, solve
from hwsolve.spec.load import Problem, load_problem, load_problem_text

__all__ = ["find", "load", "solve_problem", "solve_file", "solve_text", "to_json", "to_dict",
           "check",
           "verify", "Solution", "Problem", "ProblemCheck", "Setup", "info", "curves", "prove",
           "run", "show", "derive"]


def to_json(solution: Solution, *, steps: bool = False, exact: bool = False,
            digits: int = 3) -> str:
    """The ``--format json`` text of ``solution`` (with ``steps``/``exact``, its work as
    ``hwsolve --format json --steps`` writes it); :func:`to_dict` is the same as a dict."""
    from hwsolve.render import as_json
    from hwsolve.render.formats import Options
    work = None
    if steps or exact:
        from hwsolve.work import steps as build_work
        work = build_work.build(solution, exact=exact)
    return as_json.render(solution, work, Options(digits=digits, show_steps=steps))


def find(name: str | Path) -> Path:
    """The file for a problem name (./problems/ first, then the packaged problems) or path."""
    return Path(_problems.find(str(name)))


def load(name_or_path: str | Path) -> Problem:
    return load_problem(find(name_or_path))


def solve_problem(problem: Problem, *, activation: str | None = None, loss: str | None = None,
                  label: Fraction | None = None, variant: str | None = None,
                  setup: Setup | None = None, conventions: str | None = None) -> Solution:
    """Solve with the head chosen by the spec, a variant and overrides, or with a ready
    ``setup`` (a :class:`Setup`, e.g. ``solution.setup`` of an earlier solve); ``conventions``
    (textbook, pytorch, cmu11785, cs231n) overrides the spec's."""
    if conventions is not None:
        problem = with_conventions(problem, conventions)
    if setup is None:
        setup = resolve_setup(problem, variant=variant, activation=activation, loss=loss,
                              label=label)
    return solve(problem, setup)


def with_conventions(problem: Problem, name: str) -> Problem:
    """``problem`` under a course's conventions (see hwsolve/spec/conventions.py)."""
    from dataclasses import replace

    from hwsolve.errors import HwsolveError
    from hwsolve.spec.vocab import CONVENTIONS
    if name not in CONVENTIONS:
        raise HwsolveError(f"unknown conventions {name!r}; the conventions are "
                           + ", ".join(CONVENTIONS), file=problem.file, where="--conventions")
    return replace(problem, conventions=name)


def solve_file(path: str | Path, **choices) -> Solution:
    """Solve a problem file; ``choices`` are activation, loss, label and variant."""
    return solve_problem(load_problem(path), **choices)


def solve_text(text: str, *, name: str = "problem", **choices) -> Solution:
    """Solve a problem given as YAML text."""
    return solve_problem(load_problem_text(text, name), **choices)


def check(names: list | None = None, tolerance=None, default=None, demos: bool = False) -> list:
    """Check the answer keys of the named problems or folders (default: the course's problems
    folder, as ``hwsolve check``; ``demos``: the shipped problems); ``tolerance`` (a
    :class:`hwsolve.teach.tolerance.Rule`) overrides each problem's rule, which overrides
    ``default`` (a course's rule)."""
    from hwsolve.tools.check import course_files
    files = _problems.files_for(names) if names else course_files(demos)
    return [check_file(Path(p), tolerance, default) for p in files]


def key(path: str | Path, digits: int = 4):
    """``hwsolve key``: the file with a fresh answers block, as a
    :class:`hwsolve.tools.keywriter.KeyEdit` (``.text``, ``.block``, what changed); nothing is
    written (``hwsolve.fileio.write_file(path, edit.text, force=True)`` writes it)."""
    from hwsolve.tools.keywriter import build
    return build(str(find(path)), digits)


def vary(name_or_path, *, count: int = 1, seed: int = 0, grids: list | None = None,
         kinks: bool = False) -> list:
    """``hwsolve vary``: ``count`` variants (``.text`` is each one's YAML with its key)."""
    from hwsolve.teach.vary import vary as _vary
    return _vary(load(name_or_path), count, seed, grids, kinks)



def verify(solution: Solution) -> list:
    """``--verify``: every value and gradient beside PyTorch float64 autograd, as rows
    ``(quantity, exact, torch, relative difference, agrees)``; needs the verify extra."""
    from hwsolve.tools.verify import verify_entries
    return verify_entries(solution)


# ----------------------------------------------------------------------------- teach (issue 11)

def info(name_or_path, *, activation: str | None = None, loss: str | None = None,
         variant: str | None = None):
    """The Q1 table of a network problem: parameters, hyper-parameters, inputs, constants."""
    from hwsolve.teach.info import info as _info
    return _info(load(name_or_path), activation=activation, loss=loss, variant=variant)


def curves(path, *, window: int | None = None, patience: int | None = None, columns=None):
    """Diagnose learning curves from a CSV (or a ``--history`` CSV, a Keras, Lightning or
    TensorBoard CSV; ``columns``: ["NAME=METRIC", ...]) or a kind: curves file."""
    from hwsolve.teach import curves as _curves, kinds
    path = str(path)
    is_file = os.path.lexists(path)  # a file (a FIFO too: the reader refuses it), or a name
    if path.endswith((".yaml", ".yml")) or not is_file or kinds.kind_of(path):
        loaded = kinds.load(find(path))
        if not isinstance(loaded, _curves.Curves):
            from hwsolve.errors import HwsolveError
            raise HwsolveError("is not a kind: curves problem", file=path)
    else:
        loaded = _curves.read_csv(path, columns=columns)
    return _curves.diagnose(loaded, window=window, patience=patience)


def prove(left: str, right: str, *, timeout: float = 10.0, max_ops: int = 400):
    """Prove ``left = right`` (expressions in the spec format plus diff(expr, var))."""
    from hwsolve.teach.prove import prove as _prove
    return _prove(left, right, timeout=timeout, max_ops=max_ops)


def run(name_or_path):
    """Any problem file: a Solution, a curves Diagnosis (kind: curves) or a Proof (identity)."""
    from hwsolve.teach import kinds
    path = find(str(name_or_path))
    if kinds.kind_of(path):
        return kinds.solve(path)
    return solve_file(path)


def show(solution: Solution, *, steps: bool = False, exact: bool = False, digits: int = 3):
    """A Jupyter display of a solution (its answer table, and the work with ``steps``)."""
    from hwsolve.render.notebook import SolutionDisplay
    return SolutionDisplay(solution, steps=steps, exact=exact, digits=digits)


def grade(problem: str | Path, answers: str | Path, *, tolerance: str | None = None,
          variant: str | None = None, roster: str | Path | None = None,
          per_student: bool = False, seed: int | None = None,
          follow_through: str | None = None):
    """Grade the submissions in ``answers`` (a YAML file, a folder of them, or a CSV
    gradebook) against ``problem`` (a problem, or a folder of variants ``vary -o`` wrote): a
    :class:`hwsolve.teach.gradebook.Gradebook`, one row per student (a Report, or a Flagged
    submission with its reason).  ``tolerance`` is a rule as ``--tolerance`` takes it (default:
    the problem's, else the course file's, else 3 significant figures)."""
    from hwsolve.teach.gradebook import grade_class

    if not Path(str(problem)).is_dir():
        problem = find(problem)
    return grade_class(problem, answers, tolerance=tolerance, variant=variant,
                       roster_path=roster, per_student=per_student, course_seed=seed,
                       follow_through=follow_through)


# ----------------------------------------------------------------------------- derive (issue 18)

def derive(target: str, wrt: list | None = None, *, shapes: dict | None = None,
           layout: str = "variable", seed: int = 0, points: int = 20,
           variant: str | None = None, activation: str | None = None,
           loss: str | None = None):
    """Closed-form gradients in matrix notation, each checked against hwsolve's entrywise
    gradient before it is returned: of a problem (a name or path) from its nodes and head, or
    of a bare expression with ``shapes`` ({"W": (3, 2), "x": (2,)}).  Returns a
    :class:`hwsolve.derive.result.Derivation`; a form that fails its check, or an expression
    with no closed form, raises HwsolveError with the reason."""
    from hwsolve.derive import derive as _derive
    return _derive(target, wrt, shapes=shapes, layout=layout, seed=seed, points=points,
                   variant=variant, activation=activation, loss=loss)


# ----------------------------------------------------------------------------- course platforms

def quiz(problem: str | Path, *, count: int = 1, seed: int = 0, tolerance: str | None = None,
         redraw: bool = True):
    """The quiz model of ``count`` variants of ``problem`` (drawn as ``hwsolve vary --seed``):
    a :class:`hwsolve.tools.export.quiz.Quiz` with each variant's asked entries, correct
    values, absolute tolerance windows and the values of the diagnosed mistakes.  The rule is
    ``tolerance`` (as ``--tolerance`` takes it), else the problem's, else the course file's,
    else 3 significant figures."""
    from hwsolve.teach import course as courses, tolerance as tol
    from hwsolve.tools.export import quiz as quizzes

    from hwsolve.teach.gradebook import problem_kind_error
    if not isinstance(problem, Problem):
        problem_kind_error(find(problem))
    loaded = problem if isinstance(problem, Problem) else load(problem)
    try:
        rule, source = tol.for_grading(tolerance, loaded.tolerance, courses.load())
    except ValueError as exc:
        from hwsolve.errors import HwsolveError
        raise HwsolveError(str(exc), where="--tolerance") from None
    return quizzes.build(loaded, count, seed=seed, rule=rule,
                         rule_text=f"{rule.describe()} ({source})", redraw=redraw)


def export_moodle(problem: str | Path, *, count: int = 1, seed: int = 0,
                  tolerance: str | None = None, work: bool = True, redraw: bool = True):
    """(Moodle XML text, quiz) for ``count`` variants of ``problem``."""
    from hwsolve.tools.export import moodle
    built = quiz(problem, count=count, seed=seed, tolerance=tolerance, redraw=redraw)
    return moodle.document(built, work=work), built


def export_prairielearn(problem: str | Path, *, count: int = 10, seed: int = 0,
                        tolerance: str | None = None, redraw: bool = True):
    """(relative path -> text, quiz): a PrairieLearn question folder whose server.py grades
    with hwsolve, and the instructions to install hwsolve in serverFilesCourse."""
    from hwsolve.tools.export import prairielearn
    built = quiz(problem, count=count, seed=seed, tolerance=tolerance, redraw=redraw)
    return prairielearn.files(built), built


def export_canvas(problem: str | Path, *, count: int = 10, seed: int = 0,
                  tolerance: str | None = None, work: bool = True, redraw: bool = True):
    """(QTI 1.2 zip bytes, quiz) for Canvas: a question group per asked entry drawing one of
    the ``count`` variants per student."""
    from hwsolve.tools.export import canvas
    built = quiz(problem, count=count, seed=seed, tolerance=tolerance, redraw=redraw)
    return canvas.package(built, work=work), built
