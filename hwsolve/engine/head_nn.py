"""The loss presets of issue 19 and the course conventions, as the head builds them: which
loss operation a preset is (``mse`` depends on the convention, see
:mod:`hwsolve.spec.conventions`) and the number it carries (Huber's delta, smooth L1's beta)."""

from __future__ import annotations

from hwsolve.spec import conventions

PRESETS = ("huber", "l1", "smooth_l1")


def preset_op(problem, loss: str, class_index) -> tuple:
    """(the loss operation, the third entry of its payload)."""
    if loss == "mse":
        return conventions.MSE_OPS[conventions.get(problem.conventions).mse], None
    if loss == "huber":
        return "loss_huber", problem.delta
    if loss == "smooth_l1":
        return "loss_smooth_l1", problem.beta
    if loss == "l1":
        return "loss_l1", None
    return f"loss_{loss}", class_index
