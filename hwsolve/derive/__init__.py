"""``hwsolve derive``: closed-form gradients in matrix notation, proved on exact numbers.

The pipeline of this stage: a problem's nodes and head (:mod:`.problem`) or a bare expression
(:mod:`.expression`) -> the matrix-calculus rules (:mod:`.rules`) build forms (:mod:`.form`,
trees of the spec's own expression syntax) -> every form is printed and checked against the
engine's entrywise gradient (:mod:`.check`, :mod:`.finish`) -> renderers (:mod:`.render`,
:mod:`.latex`).  Grading a student's closed form is :mod:`.grade_form`.
"""

from __future__ import annotations

import os


def looks_like_problem(target: str) -> bool:
    """A problem file or name (an existing file), not an expression such as ``1 / x``."""
    from hwsolve.spec.problems import find
    if target.endswith((".yaml", ".yml")) or os.path.isfile(target):
        return True
    if not target.replace("_", "").replace("-", "").replace(".", "").isalnum():
        return False  # operators, brackets, spaces: an expression
    try:
        return os.path.isfile(find(target))
    except Exception:  # noqa: BLE001  (an expression is not a file name)
        return False


def derive(target: str, wrt=None, *, shapes=None, layout="variable", seed=0, points=20,
           variant=None, activation=None, loss=None):
    if not shapes and looks_like_problem(target):
        from hwsolve import api
        from hwsolve.derive.problem import derive_problem
        from hwsolve.engine.solve import resolve_setup
        from hwsolve.errors import HwsolveError
        from hwsolve.teach.kinds import kind_of

        path = api.find(target)
        if kind_of(path):
            raise HwsolveError("is not a network problem (kind: curves or identity): there "
                               "is no gradient to derive", file=str(path))
        problem = api.load(path)
        setup = resolve_setup(problem, variant=variant, activation=activation, loss=loss)
        return derive_problem(problem, setup, wrt, layout=layout, seed=seed, points=points)
    from hwsolve.derive.expression import derive_expression
    return derive_expression(target, shapes, wrt, layout=layout, seed=seed, points=points)
