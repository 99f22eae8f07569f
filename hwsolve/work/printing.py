"""The two printers of the shown work: one-line Unicode text (``-W2·H2/H1²``) and LaTeX, with
chosen subexpressions shown as numbers (``shown``) and factors in the spec's order of first use
(``order``).  Split from :mod:`hwsolve.work.symbolic`, which builds what these print."""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.printer import Printer

from hwsolve import num
from hwsolve.work import nn_forms, vector_forms
from hwsolve.work.symbolic import AbsValue, Literal, MAX_SLOPE_ARGS, _KINKED


# ----------------------------------------------------------------------------- printing

def digits_text(value, digits: int) -> str:
    """``value`` at ``digits`` significant figures, keeping the digits asked for: a rounded
    0.29996 is ``0.300``, not ``0.3`` (which claims one digit); a value that is that short
    decimal exactly stays short (``1.5``, ``2``)."""
    text = num.fmt_sig(value, digits)
    if "e" in text or text == "0" or num.fmt_sig(value, 40) == text:
        return text                       # exactly this decimal (or too small/large to pad)
    body = text.lstrip("-")
    if "." in body:
        significant = len(body.replace(".", "").lstrip("0"))
    else:
        significant = len(body)
    if significant >= digits:
        return text
    return text + ("" if "." in text else ".") + "0" * (digits - significant)


def text(expr, shown: dict | None = None, digits: int = 3, order: dict | None = None) -> str:
    """One-line Unicode: ``-W2·H2/H1²``; with ``shown``, those subexpressions as numbers."""
    return _TextPrinter(shown, digits, order).doprint(expr)


def latex(expr, shown: dict | None = None, digits: int = 3, order: dict | None = None) -> str:
    """LaTeX from SymPy's printer: ``-\\frac{W_{2} \\cdot H_{2}}{H_{1}^{2}}``."""
    return _LatexPrinter(shown, digits, order).doprint(expr)


def text_name(symbol: sp.Symbol) -> str:
    """``Ŷ`` for the output (and ``Ŷ[2]`` for an entry of a vector output)."""
    name = symbol.name
    if name == "Yhat" or name.startswith("Yhat["):
        return "Ŷ" + name[4:]
    return name


def latex_name(symbol: sp.Symbol) -> str:
    return _LatexPrinter(None, 3, None)._print_Symbol(symbol)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class _Layout:
    """Sign, fraction and bracket decisions shared by both printers.

    A shown number or a negative number is an atom that may need brackets: ``2 + (-1)``,
    ``-3·(-1/1.5)``, ``-(-3)``, ``(-1)²``.  Sums inside sums are flattened, and with ``order``
    the factors and terms are sorted by the spec's order of first use (SymPy sorts them by
    name, which would turn ``-W2·H2/H1²`` into ``-H2·W2/H1²``).
    """

    times = ""
    minus = "-"
    stacked_fractions = False  # \frac puts its numerator out of reach of a sign before it

    def setup(self, shown, digits, order):
        self.shown = shown or {}
        self.digits = digits
        self.spec_order = order
        self.ranks: dict = {}

    # -- hooks each printer defines
    def paren(self, inner: str) -> str:
        raise NotImplementedError

    def fraction(self, numer: list, numer_text: str, denom: list, denom_text: str) -> str:
        raise NotImplementedError

    # -- shared
    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Basic) and expr in self.shown:
            return digits_text(self.shown[expr], self.digits)
        return super()._print(expr, **kwargs)

    def listed(self, args: tuple, ellipsis: str) -> list:
        """A slope's arguments: all of them, or for a long call (a max of 1,000) the first
        three, an ellipsis and the last, so that each slope prints in constant size."""
        if len(args) <= MAX_SLOPE_ARGS:
            return [self._print(a) for a in args]
        return [self._print(a) for a in args[:3]] + [ellipsis, self._print(args[-1])]

    def negative_atom(self, expr) -> bool:
        if isinstance(expr, sp.Basic) and expr in self.shown:
            return num.sign(self.shown[expr]) < 0
        return bool(expr.is_Number and expr < 0)

    def opaque(self, expr) -> bool:
        return isinstance(expr, sp.Basic) and expr in self.shown

    def split_sign(self, expr) -> tuple:
        """(negative, factors): ``-2*x`` is (True, [2, x]); a shown negative stays an atom."""
        if self.opaque(expr):
            return False, [expr]
        if expr.is_Mul:
            first, rest = expr.args[0], list(expr.args[1:])
            if first.is_Number and first < 0 and not self.opaque(first):
                return True, ([-first] if first != -1 else []) + rest or [sp.Integer(1)]
            return False, list(expr.args)
        if expr.is_Number and expr < 0:
            return True, [-expr]
        return False, [expr]

    def rank(self, expr) -> int:
        ranks = self.ranks.get(expr)  # sorting asks again for the same factors and terms
        if ranks is None:
            ranks = self.ranks[expr] = min(
                (self.spec_order[s] for s in expr.free_symbols if s in self.spec_order),
                default=len(self.spec_order))
        return ranks

    def sorted_factors(self, factors: list) -> list:
        """Numbers first, then by first use; a sum after a plain factor of the same rank."""
        if not self.spec_order:
            return factors
        return sorted(factors, key=lambda f: (not (f.is_Number or isinstance(f, Literal)),
                                              self.rank(f), f.is_Add))

    def split_fraction(self, factors: list) -> tuple:
        """Numerator and denominator factors: ``x**-2`` and the 2 of ``3/2`` go below."""
        numer, denom = [], []
        for f in factors:
            if self.opaque(f):
                numer.append(f)
            elif f.is_Pow and f.exp.is_Number and f.exp < 0:
                denom.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            elif f.is_Rational and not f.is_Integer:
                numer += [sp.Integer(f.p)] if f.p != 1 else []
                denom.append(sp.Integer(f.q))
            else:
                numer.append(f)
        return numer, denom

    def magnitude(self, factors: list, guarded: bool) -> str:
        """The product or fraction of ``factors``, without its sign.  ``guarded``: a sign or
        operator comes just before, so a leading negative number needs brackets."""
        if guarded and self.magnitude_needs_brackets(factors):
            return self.paren(self._print(factors[0]))
        numer, denom = self.split_fraction(self.sorted_factors(factors))
        numer_guarded = guarded and not (denom and self.stacked_fractions)
        numer_text = self.product(numer, leading_minus=numer_guarded) if numer else "1"
        if denom:
            return self.fraction(numer, numer_text, denom, self.product(denom, False))
        return numer_text

    def magnitude_needs_brackets(self, factors: list) -> bool:
        """``-(-3)``: a negated shown negative; ``-(a + b)``: a negated sum."""
        if len(factors) != 1:
            return False
        f = factors[0]
        return self.negative_atom(f) or (f.is_Add and not self.opaque(f))

    def product(self, factors: list, leading_minus: bool) -> str:
        parts = []
        for i, f in enumerate(factors):
            part = self._print(f)
            if self.factor_needs_brackets(f, first=i == 0 and not leading_minus,
                                          alone=len(factors) == 1):
                part = self.paren(part)
            parts.append(part)
        return self.times.join(parts)

    def factor_needs_brackets(self, f, first: bool, alone: bool) -> bool:
        if self.opaque(f) or f.is_Number:
            return self.negative_atom(f) and not first
        if f.is_Add:
            return not alone
        if f.is_Mul:
            return self.split_sign(f)[0] and not first
        return False

    def terms(self, expr) -> list:
        flat = []
        for term in expr.args:
            flat.extend(self.terms(term) if term.is_Add and not self.opaque(term) else [term])
        if self.spec_order:
            flat.sort(key=lambda t: (not (t.is_Number and t > 0), self.rank(t)))  # 1 - σ(x)
        return flat

    def _print_Add(self, expr, order=None):
        out = ""
        for i, term in enumerate(self.terms(expr)):
            negative, factors = self.split_sign(term)
            if negative:
                out += (" - " if i else self.minus) + self.magnitude(factors, guarded=True)
                continue
            out += " + " + self.magnitude(factors, guarded=True) if i else self._print(term)
        return out

    def _print_Mul(self, expr):
        negative, factors = self.split_sign(expr)
        return (self.minus if negative else "") + self.magnitude(factors, guarded=negative)

    def pow_base(self, base) -> str:
        text = self._print(base)
        if self.negative_atom(base) or (not self.opaque(base) and (
                base.is_Add or base.is_Mul or base.is_Pow or
                (base.is_Rational and not base.is_Integer))):
            return self.paren(text)
        return text


class _TextPrinter(_Layout, Printer):
    times = "·"

    def __init__(self, shown, digits, order):
        Printer.__init__(self)
        self.setup(shown, digits, order)

    def paren(self, inner: str) -> str:
        return f"({inner})"

    def fraction(self, numer, numer_text, denom, denom_text) -> str:
        if len(numer) == 1 and numer[0].is_Add and not self.opaque(numer[0]):
            numer_text = self.paren(numer_text)
        single = len(denom) == 1 and (self.opaque(denom[0]) or denom[0].is_Atom
                                      or denom[0].is_Function or denom[0].is_Pow)
        if not single or self.negative_atom(denom[0]):
            denom_text = self.paren(denom_text)
        return f"{numer_text}/{denom_text}"

    def factor_needs_brackets(self, f, first, alone) -> bool:
        if alone:
            return super().factor_needs_brackets(f, first, alone)
        if not self.opaque(f) and (
                (f.is_Rational and not f.is_Integer) or
                (f.is_Mul and self.split_fraction(list(f.args))[1]) or
                (f.is_Pow and f.exp.is_Number and f.exp < 0)):
            return True  # W2·(H2/H1): a fraction inside a product
        return super().factor_needs_brackets(f, first, alone)

    def _print_Symbol(self, expr):
        return text_name(expr)

    def _print_Integer(self, expr):
        return str(expr.p)

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Pow(self, expr):
        if expr.exp.is_Number and expr.exp < 0:
            return self.magnitude([expr], guarded=False)
        if expr.exp == sp.Rational(1, 2):
            return f"√({self._print(expr.base)})"
        base = self.pow_base(expr.base)
        if expr.exp.is_Integer:
            return base + str(expr.exp).translate(_SUPERSCRIPT)
        exponent = self._print(expr.exp)
        return f"{base}^{exponent if expr.exp.is_Atom else self.paren(exponent)}"

    def _print_exp(self, expr):
        arg = expr.args[0]
        inner = self._print(arg)
        if (arg.is_Symbol or arg.is_Integer) and not self.negative_atom(arg):
            return f"e^{inner}"
        return f"e^({inner})"

    def _print_Function(self, expr):
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{type(expr).__name__.lower()}({args})"

    def _print_Sigmoid(self, expr):
        return f"σ({self._print(expr.args[0])})"

    def _print_BigPower(self, expr, exp=None):
        return self._print_Pow(sp.Pow(*expr.args, evaluate=False))

    def _print_Kinked(self, expr):
        if isinstance(expr, AbsValue):
            return f"|{self._print(expr.args[0])}|"
        return f"{expr.op}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Slope(self, expr):
        call = expr.call
        args = ", ".join(self.listed(call.args, "…"))
        if isinstance(call, AbsValue):
            return f"sign({args})"
        index = str(expr.index).translate(_SUBSCRIPT) if len(call.args) > 1 else ""
        return f"{call.op}'{index}({args})"


class _LatexPrinter(_Layout, LatexPrinter):
    times = r" \cdot "
    stacked_fractions = True

    def __init__(self, shown, digits, order):
        LatexPrinter.__init__(self, {"mul_symbol": "dot", "order": "none"})
        self.setup(shown, digits, order)

    def paren(self, inner: str) -> str:
        return rf"\left({inner}\right)"

    def fraction(self, numer, numer_text, denom, denom_text) -> str:
        return rf"\frac{{{numer_text}}}{{{denom_text}}}"

    def _print_Symbol(self, expr, style="plain"):
        if isinstance(expr, Literal):
            return expr.name
        name, _, index = expr.name.partition("[")
        match = re.fullmatch(r"([A-Za-z]+)([0-9]+[A-Za-z]+)", name)
        if name == "Yhat":
            tex = r"\hat{Y}"
        elif match:
            tex = f"{match.group(1)}_{{{match.group(2)}}}"
        else:
            tex = super()._print_Symbol(sp.Symbol(name), style)
            if re.fullmatch(r"[A-Za-z]{2,}", tex):
                tex = rf"\mathrm{{{tex}}}"
        return tex + (f"[{index}" if index else "")

    def _print_Pow(self, expr):
        if expr.exp.is_Number and expr.exp < 0:
            return self.magnitude([expr], guarded=False)
        if expr.exp == sp.Rational(1, 2):
            return rf"\sqrt{{{self._print(expr.base)}}}"
        base = self.pow_base(expr.base)
        if "^" in base:
            base = f"{{{base}}}"
        return f"{base}^{{{self._print(expr.exp)}}}"

    def _print_Sigmoid(self, expr, exp=None):
        return rf"\sigma\left({self._print(expr.args[0])}\right)"

    _print_BigPower = _TextPrinter._print_BigPower

    def _print_Kinked(self, expr, exp=None):
        args = ", ".join(self._print(a) for a in expr.args)
        if isinstance(expr, AbsValue):
            return rf"\left|{args}\right|"
        return rf"{_latex_function(expr.op)}\left({args}\right)"

    def _print_Slope(self, expr, exp=None):
        call = expr.call
        args = ", ".join(self.listed(call.args, r"\ldots"))
        if isinstance(call, AbsValue):
            return rf"\operatorname{{sign}}\left({args}\right)"
        index = f"_{{{expr.index}}}" if len(call.args) > 1 else ""
        return rf"{_latex_function(call.op)}'{index}\left({args}\right)"


vector_forms.install(_TextPrinter, _LatexPrinter)
nn_forms.install(_TextPrinter, _LatexPrinter)

# Printer dispatch looks up a Function subclass by its own name only.
for _printer in (_TextPrinter, _LatexPrinter):
    for _cls in _KINKED.values():
        setattr(_printer, f"_print_{_cls.__name__}", _printer._print_Kinked)


def _latex_function(op: str) -> str:
    if op in ("max", "min"):
        return "\\" + op
    escaped = op.replace("_", r"\_")
    return rf"\operatorname{{{escaped}}}"
