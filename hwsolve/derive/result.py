"""What a derivation returns: the named intermediates, one checked gradient per variable, and
the chain-rule steps (renderers read these; they compute nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve.spec.shapes import describe

LAYOUTS = ("variable", "numerator", "denominator")
LAYOUT_PROSE = {
    "variable": "each gradient has the shape of its variable (CS224n's shape convention)",
    "denominator": "denominator layout: ∂L/∂W has the shape of W (for a scalar L this is "
                   "the shape convention)",
    "numerator": "numerator layout: ∂L/∂W has the shape of Wᵀ (a vector's gradient is a row)",
}


@dataclass
class Gradient:
    wrt: str
    shape: tuple              # the shape of the printed form (Wᵀ's in numerator layout)
    form: object              # hwsolve.spec.exprtree.Tensor
    expr: str                 # hwsolve's expression syntax
    record: object = None     # hwsolve.derive.check.Record
    latex: str = ""


@dataclass
class Step:
    target: str               # the quantity (∂L/∂W1, or an entry)
    form: str                 # its contribution, in the syntax
    shape: tuple
    because: str              # "z1 = W1 @ x + b1"
    only: bool = True         # the only part of that gradient (else one term of its sum)


@dataclass
class Derivation:
    source: str               # the expression, or the problem's name
    objective: str            # "L" or the expression
    where: list               # [(name, expr text, shape, form)]
    gradients: list           # [Gradient]
    layout: str = "variable"
    per_example: bool = False
    reduction: str | None = None
    head: str = ""            # "sigmoid + bce", ...
    steps: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seed: int = 0

    def as_json(self) -> dict:
        out = {
            "source": self.source,
            "objective": self.objective,
            "layout": self.layout,
            "layout_text": LAYOUT_PROSE[self.layout],
            "where": [{"name": n, "expr": t, "shape": list(s)} for n, t, s, _ in self.where],
            "gradients": [{
                "wrt": g.wrt, "shape": list(g.shape), "shape_text": describe(g.shape),
                "expr": g.expr, "latex": g.latex,
                "check": g.record.as_json() if g.record else None,
            } for g in self.gradients],
            "per_example": self.per_example,
        }
        if self.per_example:
            out["reduction"] = self.reduction
        if self.head:
            out["head"] = self.head
        if self.notes:
            out["notes"] = list(self.notes)
        return out
