"""``--verify``: hwsolve's exact numbers beside an independent float64 PyTorch evaluation.

:func:`plain_spec` reads a problem file with ``yaml.safe_load`` (not hwsolve's reader),
:func:`torch_evaluate` computes every value and gradient with PyTorch autograd (its own ``ast``
walk, not hwsolve's parser or engine), :func:`compare` and :func:`verify_entries` set the two side
by side entry by entry (``W[1, 2]``), within 1e-9 relative or 1e-12 absolute near zero.
"""

from __future__ import annotations

import math

from hwsolve.tools.verify.errors import VERIFY_HINT, error as _error, import_torch as _torch
from hwsolve.tools.verify.plain import plain_spec
from hwsolve.tools.verify.torch_eval import torch_evaluate

__all__ = ["VERIFY_HINT", "compare", "entries", "plain_spec", "torch_evaluate",
           "verify_entries"]


def entries(value) -> list:
    """``(index suffix, number)`` of every entry, row-major: ``("", x)`` for a scalar,
    ``("[2]", x)`` for a vector, ``("[1, 2]", x)`` for a matrix."""
    if not isinstance(value, (list, tuple)):
        return [("", value)]
    out = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, (list, tuple)):
            out += [(f"[{i}, " + index[1:], x) for index, x in entries(item)]
        else:
            out.append((f"[{i}]", item))
    return out


def _agrees(a: float, b: float, rel: float, abs_tol: float) -> bool:
    d = abs(a - b)
    return d <= rel * abs(a) or d <= abs_tol  # False for nan


def compare(solution_values: dict, reference: dict, *, rel: float = 1e-9,
            abs_tol: float = 1e-12) -> dict:
    """Compare exact numbers (Fraction / mpf / float, or nested lists of them) with float
    references, entry by entry.

    Returns {"count", "mismatches": [(entry, hwsolve, torch)], "worst_rel" (over entries with
    |a| >= 1e-3), "worst_rel_at", "worst_abs_small" (over entries with |a| < 1e-3)}; a name
    missing on either side, or of another shape, is a mismatch too.
    """
    count, bad = 0, []
    worst_rel, worst_at, worst_abs = 0.0, None, 0.0
    for name in list(reference) + [n for n in solution_values if n not in reference]:
        if name not in solution_values or name not in reference:
            bad.append((name, solution_values.get(name), reference.get(name)))
            continue
        ours, theirs = entries(solution_values[name]), entries(reference[name])
        if [i for i, _ in ours] != [i for i, _ in theirs]:
            bad.append((name, solution_values[name], reference[name]))
            continue
        for (index, a), (_, b) in zip(ours, theirs):
            count += 1
            a = float(a)
            d = abs(a - b)
            if not _agrees(a, b, rel, abs_tol):
                bad.append((name + index, a, b))
            if abs(a) >= 1e-3:
                if d / abs(a) > worst_rel or math.isnan(d):
                    worst_rel, worst_at = d / abs(a), name + index
            elif d > worst_abs or math.isnan(d):
                worst_abs = d
    return {"count": count, "mismatches": bad, "worst_rel": worst_rel,
            "worst_rel_at": worst_at, "worst_abs_small": worst_abs}


def _plain_label(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain_label(v) for v in value]
    return float(value)


def verify_entries(solution, *, rel: float = 1e-9, abs_tol: float = 1e-12) -> list:
    """``hwsolve NAME --verify``: every value and gradient entry of ``solution`` beside
    PyTorch's.

    PyTorch reads the problem's YAML text on its own (``plain_spec``) with the head the solution
    used (activation, loss, the label as given, variant), so the two computations share nothing
    but that text: the text the problem was loaded from, never the file of that name read again
    (it may have changed, or the problem came from text).  Returns rows ``(quantity, exact value, torch value, relative difference,
    agrees)``; an entry one side lacks is a row that disagrees, with a torch value of nan.
    """
    setup = solution.setup
    text = solution.problem.source  # the text that was solved, never the file read again
    if not text:
        raise _error("--verify needs the problem's YAML text; load it with hwsolve.api "
                     "(load, solve_file or solve_text)")
    spec = plain_spec(text, activation=setup.activation, loss=setup.loss,
                      label=_plain_label(setup.label_given), variant=setup.variant)
    spec["conventions"] = getattr(solution.problem, "conventions", "textbook")  # --conventions
    reference = torch_evaluate(spec)
    rows = []
    tables = ((solution.values, "values", ""), (solution.grad, "grad", "∇"))
    if getattr(solution.head_slots, "forward_only", False):  # values only: no gradients
        tables = tables[:1]
    for table, kind, prefix in tables:
        theirs = reference[kind]
        for name in list(table) + [n for n in theirs if n not in table]:
            ours = entries(table[name]) if name in table else []
            other = dict(entries(theirs[name])) if name in theirs else {}
            for index, a in ours:
                b = other.pop(index, math.nan)
                difference = abs(float(a) - b)
                relative = difference / abs(float(a)) if float(a) else difference
                rows.append((prefix + name + index, a, b, relative,
                             _agrees(float(a), b, rel, abs_tol)))
            for index, b in other.items():
                rows.append((prefix + name + index, math.nan, b, math.nan, False))
    return rows

