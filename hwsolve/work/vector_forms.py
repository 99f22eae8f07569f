"""SymPy forms of the v2 operations for the shown work: softmax and log_softmax entries, mean,
softplus, identity, and the losses of the output head.

Each form is what a course writes: pᵢ = softmax(z)ᵢ with ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ), log_softmax
with δᵢⱼ − pⱼ, softplus' = σ, and the losses in Ŷ and Y (bce −Σ[Y log Ŷ + (1 − Y) log(1 − Ŷ)],
mse ½Σ(Ŷ − Y)², cross-entropy −Σ Y log Ŷ, hinge Σ max(0, sⱼ − s_c + 1)).  SymPy differentiates
them locally, as every other node; the solver computes the numbers (the losses from the
pre-activation, free of cancellation), and the two agree (tests/test_registry.py).
"""

from __future__ import annotations

import sympy as sp


class SoftmaxEntry(sp.Function):
    """``SoftmaxEntry(i, z1, ..., zk)`` = e^(zᵢ)/Σⱼ e^(zⱼ)."""

    def fdiff(self, argindex=1):
        if argindex == 1:
            return sp.S.Zero
        i, j = int(self.args[0]), argindex - 1
        delta = sp.S.One if i == j else sp.S.Zero
        return self * (delta - SoftmaxEntry(j, *self.args[1:]))

    @property
    def entry(self) -> int:
        return int(self.args[0])


class LogSoftmaxEntry(sp.Function):
    """``LogSoftmaxEntry(i, z1, ..., zk)`` = zᵢ − log Σⱼ e^(zⱼ)."""

    def fdiff(self, argindex=1):
        if argindex == 1:
            return sp.S.Zero
        i, j = int(self.args[0]), argindex - 1
        return (sp.S.One if i == j else sp.S.Zero) - SoftmaxEntry(j, *self.args[1:])

    @property
    def entry(self) -> int:
        return int(self.args[0])


class Softplus(sp.Function):
    nargs = 1

    def fdiff(self, argindex=1):
        from hwsolve.work.symbolic import Sigmoid
        return Sigmoid(self.args[0])


OPS = ("softmax", "log_softmax", "mean", "softplus", "identity", "loss_mse", "loss_bce",
       "loss_cross_entropy", "loss_hinge")


def form(op: str, args: list, payload, evaluate: bool) -> sp.Expr:
    """The algebraic (or display) form of one v2 operation on SymPy arguments."""
    ev = evaluate
    if op == "identity":
        return args[0]
    if op == "mean":
        return sp.Mul(sp.Add(*args, evaluate=ev), sp.Rational(1, len(args)), evaluate=ev)
    if op == "softplus":
        return Softplus(args[0], evaluate=ev)
    if op == "softmax":
        return SoftmaxEntry(sp.Integer(payload), *args, evaluate=ev)
    if op == "log_softmax":
        return LogSoftmaxEntry(sp.Integer(payload), *args, evaluate=ev)
    return loss_form(op, args, payload, ev)


def loss_form(op: str, args: list, payload, ev: bool) -> sp.Expr:
    """A loss in Ŷ and Y (the pre-activations z, the middle third of the arguments, are the
    solver's context for stable arithmetic and take no part in the form)."""
    _, k, c = payload
    yhat, y = args[:k], args[2 * k:3 * k]
    if op == "loss_mse":
        return sp.Mul(sp.Rational(1, 2), sp.Add(*(sp.Pow(sp.Add(a, sp.Mul(-1, b, evaluate=ev),
                                                                evaluate=ev), 2, evaluate=ev)
                                                  for a, b in zip(yhat, y)), evaluate=ev),
                      evaluate=ev)
    if op == "loss_bce":
        terms = [sp.Add(sp.Mul(b, sp.log(a, evaluate=ev), evaluate=ev),
                        sp.Mul(sp.Add(1, sp.Mul(-1, b, evaluate=ev), evaluate=ev),
                               sp.log(sp.Add(1, sp.Mul(-1, a, evaluate=ev), evaluate=ev),
                                      evaluate=ev), evaluate=ev), evaluate=ev)
                 for a, b in zip(yhat, y)]
        return sp.Mul(-1, sp.Add(*terms, evaluate=ev), evaluate=ev)
    if op == "loss_cross_entropy":
        return sp.Mul(-1, sp.Add(*(sp.Mul(b, sp.log(a, evaluate=ev), evaluate=ev)
                                   for a, b in zip(yhat, y)), evaluate=ev), evaluate=ev)
    return sp.Add(*hinge_terms(args, payload, ev), evaluate=ev)


def margins(args: list, payload, ev: bool) -> list:
    """The hinge margins, in the order of :meth:`hwsolve.ops.vector.Hinge._margins` without
    the true class: 1 − y·s for one output, sⱼ − s_c + 1 for each other class."""
    _, k, c = payload
    yhat, y = args[:k], args[2 * k:3 * k]
    if k == 1:
        return [(0, sp.Add(1, sp.Mul(-1, y[0], yhat[0], evaluate=ev), evaluate=ev))]
    return [(j, sp.Add(yhat[j], sp.Mul(-1, yhat[c - 1], evaluate=ev), 1, evaluate=ev))
            for j in range(k) if j != c - 1]


def hinge_terms(args: list, payload, ev: bool) -> list:
    """relu of each margin: relu'(0) = 0 is the hinge's own convention at a zero margin."""
    from hwsolve.work.symbolic import Relu
    return [Relu(m, evaluate=False) for _, m in margins(args, payload, ev)]


def exact(op: str, args: list, payload, ev: bool, margins_positive=None) -> sp.Expr:
    """The exact value of one v2 operation from exact arguments (``--exact``); hinge takes the
    branches the solver decided (``margins_positive``)."""
    if op == "softmax":
        exps = [sp.exp(a, evaluate=ev) for a in args]
        return sp.Mul(exps[payload - 1], sp.Pow(sp.Add(*exps, evaluate=ev), -1, evaluate=ev),
                      evaluate=ev)
    if op == "log_softmax":
        total = sp.Add(*(sp.exp(a, evaluate=ev) for a in args), evaluate=ev)
        return sp.Add(args[payload - 1], sp.Mul(-1, sp.log(total, evaluate=ev), evaluate=ev),
                      evaluate=ev)
    if op == "softplus":
        return sp.log(sp.Add(1, sp.exp(args[0], evaluate=ev), evaluate=ev), evaluate=ev)
    if op == "loss_hinge":
        kept = [m for (j, m) in margins(args, payload, ev) if margins_positive[j]]
        return sp.Add(*kept, evaluate=ev) if kept else sp.S.Zero
    return form(op, args, payload, ev)


# ----------------------------------------------------------------------------- printing

def _whole_vector(args) -> str | None:
    """``z`` when the arguments are z[1], ..., z[k] in order (softmax(z)₂, not a list)."""
    names = [getattr(a, "name", "") for a in args]
    base = names[0].partition("[")[0] if names else ""
    if base and names == [f"{base}[{i}]" for i in range(1, len(names) + 1)]:
        return base
    return None


def _text_softmax(printer, expr, name: str) -> str:
    whole = _whole_vector(expr.args[1:]) if not printer.shown else None
    args = whole or ", ".join(printer.listed(expr.args[1:], "…"))
    index = str(expr.entry).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    return f"{name}({args}){index}"


def _latex_softmax(printer, expr, name: str) -> str:
    whole = _whole_vector(expr.args[1:])
    args = printer._print(sp.Symbol(whole)) if whole and not printer.shown else \
        ", ".join(printer.listed(expr.args[1:], r"\ldots"))
    return rf"\operatorname{{{name}}}\left({args}\right)_{{{expr.entry}}}"


def install(text_printer, latex_printer) -> None:
    """Teach the two printers of :mod:`hwsolve.work.symbolic` these functions."""
    text_printer._print_SoftmaxEntry = lambda self, e: _text_softmax(self, e, "softmax")
    text_printer._print_LogSoftmaxEntry = lambda self, e: _text_softmax(self, e, "log_softmax")
    text_printer._print_Softplus = lambda self, e: f"softplus({self._print(e.args[0])})"
    latex_printer._print_SoftmaxEntry = \
        lambda self, e, exp=None: _latex_softmax(self, e, "softmax")
    latex_printer._print_LogSoftmaxEntry = \
        lambda self, e, exp=None: _latex_softmax(self, e, r"log\_softmax")
    latex_printer._print_Softplus = \
        lambda self, e, exp=None: rf"\operatorname{{softplus}}\left({self._print(e.args[0])}\right)"
