"""From forms to a checked derivation: print every form in the syntax, apply the layout, name
repeated pieces, check everything against the engine, and refuse what fails."""

from __future__ import annotations

from hwsolve.derive import check, form as F
from hwsolve.derive.latex import to_latex
from hwsolve.derive.result import Derivation, Gradient, Step
from hwsolve.derive.rules import Refusal
from hwsolve.errors import HwsolveError
from hwsolve.spec.exprtree import Tensor


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


def share(where, grads: dict) -> dict:
    """Name a compound piece that two gradients (or one, twice) repeat: δ₁ = (W₂ᵀδ₂) ⊙ σ′(z₁)
    once in the where list, not inside both ∂L/∂W₁ and ∂L/∂b₁."""
    for _ in range(20):
        counts: dict = {}
        sizes: dict = {}
        for t in grads.values():
            _count(t, counts, sizes)
        repeated = [k for k, c in counts.items() if c > 1 and sizes[k][0] >= 4]
        if not repeated:
            return grads
        best = max(repeated, key=lambda k: sizes[k][0])
        ref = where.bind(sizes[best][1])
        grads = {w: _replace(t, best, ref) for w, t in grads.items()}
    return grads


def _count(t, counts: dict, sizes: dict) -> int:
    size = 1 + sum(_count(a, counts, sizes) for a in t.args)
    if not F.simple(t) and t.kind not in ("lit",):
        k = F.key(t)
        counts[k] = counts.get(k, 0) + 1
        sizes[k] = (size, t)
    return size


def _replace(t, k: str, ref):
    if F.key(t) == k:
        return ref
    if not t.args:
        return t
    return Tensor(t.kind, t.shape, tuple(_replace(a, k, ref) for a in t.args), t.data)


def finish(derivation: Derivation, where, grads: dict, solve_at, leaves: dict,
           *, points: int, own: bool, deriver=None, what: str = "") -> Derivation:
    grads = share(where, grads)
    try:
        where, printed = texts(where.entries, grads, derivation.layout)
    except ValueError as exc:
        raise HwsolveError(f"no closed form: {exc}", where=what or None) from None
    checked = {w: text for w, (_, text) in printed.items()}
    records = check.run([(n, t) for n, t, _, _ in where], checked, solve_at, leaves,
                        seed=derivation.seed, points=points, own=own,
                        transpose=derivation.layout == "numerator")
    failed = [(w, r) for w, r in records.items() if r.failures]
    if failed:
        w, r = failed[0]
        verb = "could not be checked against" if r.failures[0].startswith("only ") else \
            "does not match"
        raise HwsolveError(f"refused: the closed form of ∂{derivation.objective}/∂{w}, "
                           f"{printed[w][1]}, {verb} hwsolve's entrywise gradient "
                           f"({r.failures[0]}); nothing unchecked is shown", where=what or None)
    derivation.where = where
    derivation.gradients = [Gradient(w, t.shape, t, text, records[w], to_latex(t))
                            for w, (t, text) in printed.items()]
    if deriver is not None:
        parts: dict = {}
        for target, _, _ in deriver.steps:
            parts[target] = parts.get(target, 0) + 1
        derivation.steps = [Step(target, F.to_text(g), g.shape, because, parts[target] == 1)
                            for target, g, because in deriver.steps]
    return derivation


def refuse(exc: Refusal, what: str | None = None) -> HwsolveError:
    return HwsolveError(f"no closed form: {exc}", where=what)
