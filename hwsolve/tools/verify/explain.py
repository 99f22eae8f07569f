"""What PyTorch's float64 reference did where ``--verify`` finds a disagreement.

The exact run and the float reference disagree for two known reasons besides a bug, and the
report names them with the reference's own numbers:

* a kink: the exact run lands on it (relu/abs/leaky_relu at 0, a min/max tie, a hinge margin of
  exactly 0) and takes the convention; float64 rounding puts the reference's argument a hair off
  it (0.1 + 0.2 − 0.3 = 5.6e-17), so it takes the other branch and a different derivative;
* float range: a value the exact run keeps (1.3e-695, or 1 − 1e-40) is 0, inf or exactly 1 in
  float64, and what follows from it is inf or nan (the reference's cross_entropy takes the log
  of Ŷ = softmax(z), so Ŷ = 0 gives log 0; binary_cross_entropy clamps log at −100).

When neither explains it, the report says where the first disagreement is.  Reads the rows of
:func:`hwsolve.tools.verify.verify_entries` and the solution; computes nothing new.
"""

from __future__ import annotations

import math

from hwsolve import num

FLOAT_MIN = 2.2250738585072014e-308
_KINK_MARKS = (" at 0: ", "-way tie", "margin exactly 0")


def kink_notes(solution) -> list:
    """The exact run's notes of a convention taken at a kink (``h: relu at 0: ...``)."""
    return [w for w in solution.warnings if any(mark in w for mark in _KINK_MARKS)]


def _g(x: float) -> str:
    return f"{x:.3g}"


def _exact(x) -> str:
    return num.fmt_sig(x, 6)


def _left_float_range(label: str, exact, reference: float) -> str | None:
    """How ``reference`` (float64) lost the exact value, or None when it did not."""
    value = num.to_float(exact)
    if math.isnan(reference):
        return f"PyTorch's {label} is nan where the exact value is {_exact(exact)}"
    if math.isinf(reference) and math.isfinite(value):
        return f"PyTorch's {label} is {reference:g} where the exact value is {_exact(exact)}"
    if math.isinf(value):
        return (f"the exact {label} is {_exact(exact)}, beyond float range: PyTorch's float64 "
                f"gives {_g(reference)}")
    if reference == 0 and exact and abs(value) < FLOAT_MIN:
        return (f"the exact {label} is {_exact(exact)}, below float range: PyTorch's float64 "
                "gives 0")
    if abs(reference) == 1 and exact != reference and abs(value - reference) < 1e-15:
        gap = num.sub(num.ONE, exact) if reference > 0 else num.add(num.ONE, exact)
        shown = f"1 − {_exact(gap)}" if reference > 0 else f"−1 + {_exact(gap)}"
        return (f"the exact {label} is {shown}, which rounds to exactly {reference:g} in "
                f"float64, so PyTorch's 1 {'−' if reference > 0 else '+'} {label} is 0")
    return None


def explain(solution, rows: list) -> list:
    """Sentences saying what the float64 reference did where ``rows`` disagree (empty when
    every entry agrees)."""
    if all(row[4] for row in rows):
        return []
    values = [row for row in rows if not row[0].startswith("∇")]
    lines = []
    notes = kink_notes(solution)
    if notes:
        off = [(label, reference) for label, exact, reference, _, _ in values
               if exact == 0 and reference and math.isfinite(reference)]
        where = "; ".join(notes[:3]) + ("; …" if len(notes) > 3 else "")
        if off:
            shown = ", ".join(f"{label} = {_g(reference)}" for label, reference in off[:4])
            lines.append(f"the exact run lands on a kink ({where}), and PyTorch's float64 "
                         f"rounding puts it a hair off: it has {shown} where the exact value "
                         "is 0, so it takes the other branch there, and every gradient "
                         "through that point differs (a rounding of the reference, not a "
                         "different rule)")
        else:
            rounded = [(label, exact, reference) for label, exact, reference, _, _ in values
                       if math.isfinite(reference) and reference != num.to_float(exact)]
            shown = ", ".join(f"{label} = {reference!r} (exact {_exact(exact)})"
                              for label, exact, reference in rounded[:4])
            lines.append(f"the exact run lands on a kink ({where}); PyTorch's float64 "
                         "arithmetic reaches it a rounding error off"
                         + (f" ({shown})" if shown else "")
                         + " and takes the other branch, so every gradient through that "
                         "point differs (a rounding of the reference, not a different rule)")
    lost = []
    for label, exact, reference, _, _ in values:
        sentence = _left_float_range(label, exact, reference)
        if sentence:
            lost.append((label, sentence))
    if lost:
        lines.append(lost[0][1] + (" (the first value the reference loses)" if len(lost) > 1
                                   else ""))
        lines += _loss_consequence(solution, [label for label, _ in lost])
    if not lines:
        first = next(row for row in rows if not row[4])
        lines.append(f"no kink or float-range cause found: the first entry that differs is "
                     f"{first[0]} (hwsolve {_exact(first[1])}, PyTorch {_g(first[2])})")
    return lines


def _loss_consequence(solution, lost: list) -> list:
    """What the reference's loss does with a Ŷ that float64 lost."""
    from hwsolve.engine.head import presets_in
    if not any(label.startswith("Yhat") for label in lost):
        return []
    presets = presets_in(solution.setup.loss)
    if "cross_entropy" in presets:
        return ["PyTorch's cross_entropy here is −Σ Y·log Ŷ over Ŷ = softmax(z) (the naive "
                "form, so that Ŷ has its own gradient): log of a Ŷ that is 0 in float64 is "
                "−inf, so its L is inf and its gradients are nan or inf"]
    if "bce" in presets:
        return ["PyTorch's binary_cross_entropy clamps log Ŷ and log(1 − Ŷ) at −100, so with "
                "Ŷ at 0 or 1 in float64 its L and gradients are those of the clamp"]
    return []


def explain_run(batch_solution, losses: list, reference: list) -> list:
    """The same for a batch or a training run (:mod:`hwsolve.tools.verify_train`): the kinks
    the exact run lands on, the step where PyTorch's L leaves float range, and a Ŷ of an
    example that float64 loses.  ``losses``: hwsolve's (step, L) pairs (a long run keeps a
    thinned record); ``reference``: PyTorch's L per step, indexed by the step."""
    from hwsolve.render.train_text import batch_warnings
    lines = []
    notes = [w for w in batch_warnings(batch_solution) if any(m in w for m in _KINK_MARKS)]
    if notes:
        where = "; ".join(notes[:3]) + ("; …" if len(notes) > 3 else "")
        lines.append(f"the exact run lands on a kink ({where}); PyTorch's float64 arithmetic "
                     "can reach it a rounding error off and take the other branch, so the "
                     "gradients through it, and every step after, differ (a rounding of the "
                     "reference, not a different rule)")
    for step, ours in losses:
        if step >= len(reference):
            break
        theirs = reference[step]
        if not math.isfinite(theirs):
            lines.append(f"PyTorch's L after step {step} is {theirs:g} where the exact L is "
                         f"{_exact(ours)}: float64 left its range there")
            break
    lost = _first_lost_yhat(batch_solution)
    if lost:
        lines.append(lost)
        lines += _loss_consequence(batch_solution, ["Yhat"])
    if not lines:
        lines.append("no kink or float-range cause found in the exact run's notes and values")
    return lines


def _first_lost_yhat(batch_solution) -> str | None:
    """The first example's Ŷ entry that float64 loses (0 below its range, or exactly ±1)."""
    from hwsolve.spec.shapes import flatten
    for k, run in enumerate(batch_solution.runs, start=1):
        entries = flatten(run.value_of("Yhat"))
        for index, y in enumerate(entries, start=1):
            label = f"Yhat@{k}" if len(entries) == 1 else f"Yhat[{index}]@{k}"
            value = num.to_float(y)
            if y and abs(value) < FLOAT_MIN:
                return _left_float_range(label, y, 0.0)
            if abs(value) == 1 and y != value:
                return _left_float_range(label, y, value)
    return None
