"""The data of the shown work (``--steps``): equations, local derivatives, case rules,
chain-rule terms and backward steps.  Built by :mod:`hwsolve.work.steps`, printed by
:mod:`hwsolve.render.steps`."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from hwsolve import num
from hwsolve.work import symbolic
from hwsolve.work.symbolic import Skipped, Slope

@dataclass(frozen=True)
class Operand:
    """One side of a comparison: an expression and its value (expr None: a bare number)."""
    expr: sp.Expr | None
    value: object


@dataclass(frozen=True)
class Relation:
    """``X1 = 2 > H1 = 1.5``; a tie ``X1 = H1 = 1.5`` has several ``left`` and no ``right``.
    ``more`` counts the operands left out of a long list (a max of 1,000 arguments): each case
    lists at most MAX_LISTED, so that the work stays linear in the number of arguments."""
    left: tuple
    op: str
    right: tuple = ()
    more: int = 0


@dataclass
class Case:
    """Why a kinked function passes what it passes: the case rule behind one Slope."""
    slope: Slope
    value: object
    branch: sp.Expr | None   # the value on this side of the kink when not a number (a slope α)
    relation: Relation
    rule: str
    convention: str | None   # the solver's sentence at a kink or tie


@dataclass
class Local:
    """∂of/∂wrt: formula, the formula with numbers (``shown``), and the solver's value."""
    of: sp.Symbol
    wrt: sp.Symbol
    formula: sp.Expr
    value: object
    shown: dict = field(default_factory=dict)
    order: dict = field(default_factory=dict)
    cases: list = field(default_factory=list)
    partial: bool = True

    @property
    def is_case_rule(self) -> bool:
        """The whole derivative is one case rule (``H3 = min(X1, H1)``)."""
        return isinstance(self.formula, Slope)


@dataclass
class Term:
    """One consumer's share of a gradient: upstream × local = contribution."""
    consumer: sp.Symbol
    upstream: object
    local: Local
    contribution: object


@dataclass
class BackwardStep:
    symbol: sp.Symbol
    kind: str
    terms: list
    total: object
    note: str | None = None
    shortcut: Equation | None = None   # the same total by a known identity (softmax with
                                       # cross-entropy: dL/dz = Ŷ − Y), shown after the sum
    matrix_form: str | None = None     # a tensor's gradient in matrix form (dL/dW = δ·xᵀ)
    of: sp.Symbol = symbolic.LOSS      # what is differentiated: L, or Ŷ under loss: none


@dataclass
class Equation:
    """``target = forms… = forms[-1] with numbers = value`` (``wrt``: the target is d/dwrt)."""
    target: sp.Symbol
    forms: list
    value: object
    shown: dict = field(default_factory=dict)
    wrt: sp.Symbol | None = None
    closed_form: sp.Expr | None = None
    notes: list = field(default_factory=list)
    skipped: str | None = None   # why the closed form is not shown (--exact)


@dataclass
class Steps:
    output: sp.Symbol
    forward: list        # Equation per node
    head: list           # Equation for Ŷ and L (each entry of a vector output)
    loss_gradient: Equation | None   # dL/dŶ for v1's scalar head; None: the head's nodes
                                     # have backward steps of their own
    backward: list       # BackwardStep, output first, each leaf once its gradient is complete
    warnings: list




def attach_closed_form(equation: Equation, closed) -> None:
    """Only an irrational value needs one; Skipped means it was too large to show."""
    if num.is_exact(equation.value) or closed is False:
        return
    if isinstance(closed, Skipped):
        equation.skipped = closed.reason
        equation.notes.append(f"closed form skipped for {symbolic.text_name(equation.target)}: "
                              f"{closed.reason}")
    else:
        equation.closed_form = closed
