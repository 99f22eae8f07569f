"""The output head in closed form: ∂L/∂z for each activation and loss preset, as a course
writes it (σ + BCE and softmax + cross-entropy: δ = ŷ − y), over the names ``Yhat`` (Ŷ), ``Y``
(the label; one-hot for a class number) and the output node ``z``."""

from __future__ import annotations

from fractions import Fraction

from hwsolve.derive import form as F
from hwsolve.derive.rules import Refusal
from hwsolve.spec.shapes import flatten

PROSE = {
    ("sigmoid", "bce"): "σ + binary cross-entropy: ∂L/∂z = ŷ − y",
    ("softmax", "cross_entropy"): "softmax + cross-entropy: ∂L/∂z = ŷ − y",
    ("identity", "mse"): "identity + ½‖ŷ − y‖²: ∂L/∂z = ŷ − y",
    ("sigmoid", "mse"): "σ + ½‖ŷ − y‖²: ∂L/∂z = (ŷ − y) ⊙ ŷ ⊙ (1 − ŷ)",
    ("tanh", "mse"): "tanh + ½‖ŷ − y‖²: ∂L/∂z = (ŷ − y) ⊙ (1 − ŷ²)",
    ("softmax", "mse"): "softmax + ½‖ŷ − y‖²: ∂L/∂z = ŷ ⊙ (g − ŷᵀg), g = ŷ − y",
    ("identity", "hinge"): "multiclass hinge: ∂L/∂s = g − y·Σg, g = 1[s − s_y + 1 > 0] ⊙ (1 − y)",
}


def label_value(setup, loss: str, shape: tuple):
    """The label as the head compares with it (a class number as its one-hot vector)."""
    label = setup.label
    if label is None:
        return None
    if loss in ("cross_entropy", "hinge") and shape and not isinstance(label, (tuple, list)):
        return [Fraction(int(j == int(label))) for j in range(1, shape[0] + 1)]
    return list(label) if isinstance(label, tuple) else label


def through_activation(act: str, g, yhat, z):
    """∂L/∂z from ∂L/∂ŷ = g."""
    if act == "identity":
        return g
    if act == "sigmoid":
        return F.mul(g, yhat, F.sub(F.number(1), yhat))
    if act == "tanh":
        return F.mul(g, F.sub(F.number(1), F.pow_(yhat, F.number(2))))
    if act == "softmax":
        return F.mul(yhat, F.sub(g, F.dot(yhat, g)))
    raise Refusal(f"no closed form for the activation {act}")


def preset_dz(act: str, loss: str, shape: tuple, label_name: str = "Y", where=None):
    """∂(preset loss)/∂z."""
    yhat = F.name("Yhat", shape)
    y = F.name(label_name, shape)
    z = F.name("z", shape)
    if (act, loss) in (("sigmoid", "bce"), ("softmax", "cross_entropy")):
        return F.sub(yhat, y)
    if loss == "mse":
        g = F.sub(yhat, y)
        if act == "softmax" and where is not None:
            g = where.bind(g)
        return through_activation(act, g, yhat, z)
    if loss == "hinge" and act == "identity":
        if shape == ():
            return F.neg(F.mul(y, F.fn("step", F.sub(F.number(1), F.mul(y, yhat)))))
        margin = F.add(F.sub(yhat, F.dot(yhat, y)), F.number(1))
        g = F.mul(F.fn("step", margin), F.sub(F.number(1), y))
        if where is not None:
            g = where.bind(g)
        return F.sub(g, F.mul(y, F.reduce_("sum", g)))
    raise Refusal(f"no closed form for the head {act} + {loss}")


def seed_literal(grads, shape: tuple):
    """``output_grad`` (loss: none) as a literal form."""
    if shape == ():
        return F.number(grads)
    return F.literal([F.number(v) for v in flatten(grads)], shape)
