"""SymPy forms of layer and batch norm for the shown work, written as a course writes them:

    yᵢ = γᵢ·x̂ᵢ + βᵢ,   x̂ᵢ = (xᵢ − μ)/s,   s = √(var(x) + eps),
    ∂yᵢ/∂xⱼ = γᵢ·(δᵢⱼ − 1/n − x̂ᵢ·x̂ⱼ/n)/s,   ∂yᵢ/∂γᵢ = x̂ᵢ,   ∂yᵢ/∂βᵢ = 1

instead of the expanded elementary expression (a page for three entries).  ``NormEntry`` is one
entry of a norm, ``NormHat`` a normalised entry x̂ᵢ and ``NormSpread`` the spread s; each
has its derivative (``fdiff``) and its printing, and :func:`elementary` writes them out in
elementary functions (the registry test checks the hand-written local derivative against
SymPy's derivative of that)."""

from __future__ import annotations

import sympy as sp

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _split(args) -> tuple:
    """(i, eps, ddof, xs) of NormHat(i, eps, ddof, *xs)."""
    return args[0], args[1], args[2], args[3:]


class NormSpread(sp.Function):
    """NormSpread(eps, ddof, x1..xn) = √(Σ(x − μ)²/(n − ddof) + eps)."""

    def fdiff(self, argindex=1):
        eps, ddof, *xs = self.args
        if argindex == 1:
            return 1 / (2 * self)
        if argindex == 2:
            return sp.S.Zero
        j = argindex - 2
        return NormHat(sp.Integer(j), eps, ddof, *xs) / (len(xs) - ddof)


class NormHat(sp.Function):
    """NormHat(i, eps, ddof, x1..xn) = (xᵢ − μ)/s."""

    def fdiff(self, argindex=1):
        i, eps, ddof, xs = _split(self.args)
        if argindex == 2:  # eps
            return -self / (2 * NormSpread(eps, ddof, *xs) ** 2)
        if argindex <= 3:
            return sp.S.Zero
        j = argindex - 3
        n = len(xs)
        delta = sp.S.One if j == int(i) else sp.S.Zero
        other = NormHat(sp.Integer(j), eps, ddof, *xs)
        return (delta - sp.Rational(1, n) - self * other / (n - ddof)) / NormSpread(eps, ddof, *xs)


class NormEntry(sp.Function):
    """NormEntry(i, eps, ddof, γᵢ, βᵢ, x1..xn) = γᵢ·x̂ᵢ + βᵢ (layer_norm's by default)."""
    name = "layer_norm"

    def fdiff(self, argindex=1):
        i, eps, ddof, gamma, beta, *xs = self.args
        hat = NormHat(i, eps, ddof, *xs)
        if argindex == 2:  # eps
            return gamma * hat.fdiff(2)
        if argindex <= 3:
            return sp.S.Zero
        if argindex == 4:
            return hat
        if argindex == 5:
            return sp.S.One
        return gamma * hat.fdiff(argindex - 2)


class LayerNormEntry(NormEntry):
    name = "layer_norm"


class BatchNormEntry(NormEntry):
    name = "batch_norm"


def form(op: str, args: list, payload, ev: bool):
    """args: x1..xn, γᵢ, βᵢ, eps (SymPy); payload (i, ddof)."""
    index, ddof = payload
    cls = LayerNormEntry if op == "layer_norm" else BatchNormEntry
    return cls(sp.Integer(index), args[-1], sp.Integer(ddof), args[-3], args[-2], *args[:-3],
               evaluate=ev)


def elementary(expr):
    """The forms above written out in elementary functions."""
    def spread(eps, ddof, *xs):
        mu = sp.Add(*xs) / len(xs)
        return sp.sqrt(sp.Add(*((x - mu) ** 2 for x in xs)) / (len(xs) - ddof) + eps)

    def hat(i, eps, ddof, *xs):
        return (xs[int(i) - 1] - sp.Add(*xs) / len(xs)) / spread(eps, ddof, *xs)

    def entry(i, eps, ddof, gamma, beta, *xs):
        return gamma * hat(i, eps, ddof, *xs) + beta

    for cls in (LayerNormEntry, BatchNormEntry):
        expr = expr.replace(cls, entry)
    return expr.replace(NormHat, hat).replace(NormSpread, spread)


# ----------------------------------------------------------------------------- printing

def _args(printer, xs, ellipsis: str) -> str:
    """``x`` when the entries are x[1], ..., x[n] of one vector (and no numbers are shown),
    else the entries listed."""
    from hwsolve.work.vector_forms import _whole_vector
    whole = _whole_vector(xs) if not printer.shown else None
    if whole and ellipsis != "…":  # LaTeX: the name as the printer writes a name
        return printer._print(sp.Symbol(whole))
    return whole or ", ".join(printer.listed(xs, ellipsis))


def install(text_printer, latex_printer) -> None:
    """Teach the two printers of :mod:`hwsolve.work.symbolic` these functions."""

    def text_entry(self, e):
        i, eps, ddof, gamma, beta, *xs = e.args
        return (f"{self._print(gamma)}·x̂({_args(self, xs, '…')})"
                f"{str(int(i)).translate(_SUBSCRIPT)} + {self._print(beta)}")

    def text_hat(self, e):
        i, eps, ddof, xs = _split(e.args)
        return f"x̂({_args(self, xs, '…')}){str(int(i)).translate(_SUBSCRIPT)}"

    def text_spread(self, e):
        eps, ddof, *xs = e.args
        var = "var" if not ddof else "var₁"
        return f"√({var}({_args(self, xs, '…')}) + {self._print(eps)})"

    def latex_entry(self, e, exp=None):
        i, eps, ddof, gamma, beta, *xs = e.args
        args = _args(self, xs, r"\ldots")
        return (rf"{self._print(gamma)} \hat{{x}}\left({args}\right)_{{{int(i)}}} + "
                rf"{self._print(beta)}")

    def latex_hat(self, e, exp=None):
        i, eps, ddof, xs = _split(e.args)
        args = _args(self, xs, r"\ldots")
        out = rf"\hat{{x}}\left({args}\right)_{{{int(i)}}}"
        return rf"{out}^{{{exp}}}" if exp else out

    def latex_spread(self, e, exp=None):
        eps, ddof, *xs = e.args
        args = _args(self, xs, r"\ldots")
        out = rf"\sqrt{{\operatorname{{var}}\left({args}\right) + {self._print(eps)}}}"
        return rf"{out}^{{{exp}}}" if exp else out

    for name in ("LayerNormEntry", "BatchNormEntry"):
        setattr(text_printer, f"_print_{name}", text_entry)
        setattr(latex_printer, f"_print_{name}", latex_entry)
    text_printer._print_NormHat = text_hat
    text_printer._print_NormSpread = text_spread
    latex_printer._print_NormHat = latex_hat
    latex_printer._print_NormSpread = latex_spread
