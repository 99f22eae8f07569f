"""From forms to a checked derivation: print every form in the syntax, apply the layout, name
repeated pieces, check everything against the engine, and refuse what fails."""

from __future__ import annotations

from hwsolve.derive import check, form as F
from hwsolve.derive.latex import to_latex
from hwsolve.derive.result import Derivation, Gradient, Step
from hwsolve.derive.rules import Refusal
from hwsolve.errors import HwsolveError


def texts(where_entries: list, grads: dict, layout: str) -> tuple:
    """(where [(name, text, shape, form)], {wrt: (form, text)}) in ``layout``."""
    where = []
    for name, t in where_entries:
        where.append((name, F.to_text(t), t.shape, t))
    out = {}
    for wrt, t in grads.items():
        if layout == "numerator" and len(t.shape) == 2:
            t = F.transpose(t)
        out[wrt] = (t, F.to_text(t))
    return where, out


def finish(derivation: Derivation, where_entries: list, grads: dict, solve_at, leaves: dict,
           *, points: int, own: bool, deriver=None, what: str = "") -> Derivation:
    try:
        where, printed = texts(where_entries, grads, derivation.layout)
    except ValueError as exc:
        raise HwsolveError(f"no closed form: {exc}", where=what or None) from None
    checked = {w: text for w, (_, text) in printed.items()}
    records = check.run([(n, t) for n, t, _, _ in where], checked, solve_at, leaves,
                        seed=derivation.seed, points=points, own=own,
                        transpose=derivation.layout == "numerator")
    failed = [(w, r) for w, r in records.items() if r.failures]
    if failed:
        w, r = failed[0]
        raise HwsolveError(f"refused: the closed form of ∂{derivation.objective}/∂{w}, "
                           f"{printed[w][1]}, does not match hwsolve's entrywise gradient "
                           f"({r.failures[0]}); nothing unchecked is shown", where=what or None)
    derivation.where = where
    derivation.gradients = [Gradient(w, t.shape, t, text, records[w], to_latex(t))
                            for w, (t, text) in printed.items()]
    if deriver is not None:
        derivation.steps = [Step(target, F.to_text(g), g.shape, because)
                            for target, g, because in deriver.steps]
    return derivation


def refuse(exc: Refusal, what: str | None = None) -> HwsolveError:
    return HwsolveError(f"no closed form: {exc}", where=what)
