"""The shown work of format v1's head (one scalar output, sigmoid/tanh/identity, bce or
½-squared error), laid out as the seed's solution writes it: Ŷ = σ(z), L = ..., then
dL/dŶ = (Ŷ − Y)/(Ŷ(1 − Ŷ)) and dL/dz = dL/dŶ·dŶ/dz.  Every other head is shown by
:mod:`hwsolve.work.steps` as ordinary nodes on the tape.
"""

from __future__ import annotations

import sympy as sp

from hwsolve.engine.solve import Solution
from hwsolve.work import symbolic
from hwsolve.work.symbolic import LABEL, LOSS, YHAT, Skipped
from hwsolve.work.stepdata import Equation, Local, attach_closed_form as _attach_closed_form

V1_ACTIVATIONS = ("sigmoid", "tanh", "identity")
V1_LOSSES = ("bce", "mse")


def is_v1_head(solution: Solution) -> bool:
    setup = solution.setup
    return (setup.activation in V1_ACTIVATIONS and setup.loss in V1_LOSSES
            and solution.full.graph.shapes["Yhat"] == ()
            and (setup.loss != "mse"  # v1's head writes mse as ½(Ŷ − Y)²
                 or getattr(solution.problem, "conventions", "textbook") == "textbook"))


def _head_closed_forms(solution: Solution, closed: dict) -> tuple:
    """(Ŷ, L) exactly, or False (no --exact) or Skipped (too large) for each."""
    if not closed:
        return False, False
    z = closed[solution.graph.scalars[solution.problem.output]]
    if isinstance(z, Skipped):
        return z, z
    setup = solution.setup
    y = symbolic.exact_number(setup.label)
    ev = bool(z.is_Number)  # see symbolic._Converter.apply: never evaluate nested forms

    def softplus(x):
        return sp.log(sp.Add(1, sp.exp(x, evaluate=ev), evaluate=ev), evaluate=ev)

    yhat = {"sigmoid": symbolic.sigmoid_form(z, ev), "tanh": sp.tanh(z, evaluate=ev),
            "identity": z}[setup.activation]
    if setup.loss == "bce":  # the solver's softplus form: log(1 + e^{1/2}), not -log(1/(1 + …))
        loss = sp.Add(sp.Mul(y, softplus(sp.Mul(-1, z, evaluate=ev)), evaluate=ev),
                      sp.Mul(1 - y, softplus(z), evaluate=ev), evaluate=ev)
    else:
        loss = sp.Mul(sp.Rational(1, 2), sp.Pow(sp.Add(yhat, -y, evaluate=ev), 2, evaluate=ev),
                      evaluate=ev)
    return tuple(symbolic.too_large(e) or e for e in (yhat, loss))


# ----------------------------------------------------------------------------- head

def _activation_forms(activation: str, z: sp.Symbol) -> list:
    if activation == "sigmoid":
        return [symbolic.Sigmoid(z), 1 / (1 + sp.exp(-z))]
    if activation == "tanh":
        return [sp.tanh(z)]
    return [z]


def head(solution: Solution, output: sp.Symbol, closed: dict) -> list:
    head, setup = solution.head, solution.setup
    yhat = Equation(YHAT, _activation_forms(setup.activation, output), head.yhat,
                    shown={output: head.z})
    loss = Equation(LOSS, [_loss_form(setup.loss)], head.loss,
                    shown={LABEL: setup.label, YHAT: head.yhat})
    for equation, form in zip((yhat, loss), _head_closed_forms(solution, closed)):
        _attach_closed_form(equation, form)
    return [yhat, loss]


def _loss_form(loss: str) -> sp.Expr:
    with sp.evaluate(False):
        if loss == "bce":
            return -LABEL * sp.log(YHAT) - (1 - LABEL) * sp.log(1 - YHAT)
        return sp.Rational(1, 2) * (YHAT - LABEL) ** 2


def loss_gradient(solution: Solution) -> Equation:
    with sp.evaluate(False):
        form = (YHAT - LABEL) / (YHAT * (1 - YHAT)) if solution.setup.loss == "bce" \
            else YHAT - LABEL
    return Equation(LOSS, [form], solution.head.dL_dyhat, wrt=YHAT,
                    shown={LABEL: solution.setup.label, YHAT: solution.head.yhat})


def activation_slope(solution: Solution, output: sp.Symbol) -> Local:
    """dŶ/dz as a formula in Ŷ's own terms: σ(z)·(1 - σ(z)) with σ(z) shown as Ŷ."""
    activation, head = solution.setup.activation, solution.head
    with sp.evaluate(False):
        if activation == "sigmoid":
            call = symbolic.Sigmoid(output)
            formula = call * (1 - call)
        elif activation == "tanh":
            call = sp.tanh(output)
            formula = 1 - call ** 2
        else:
            call, formula = None, sp.Integer(1)
    shown = {call: head.yhat} if call is not None else {}
    return Local(YHAT, output, formula, head.dyhat_dz, shown=shown, partial=False)


