"""A form in LaTeX (amsmath): W₂ᵀδ₂ as ``W_{2}^\\top \\delta_{2}``, ⊙ for the element-wise
product, 1[z > 0] for the step function.  Read-only over the form; linear in its size."""

from __future__ import annotations

import re

from hwsolve.derive import form as F

_GREEK = {"alpha", "beta", "gamma", "delta", "lambda", "lam", "mu", "sigma", "eta", "theta"}
_FUNCS = {"exp": r"\exp", "log": r"\log", "tanh": r"\tanh", "sigmoid": r"\sigma",
          "sqrt": None, "relu": r"\operatorname{relu}", "softplus": r"\operatorname{softplus}",
          "abs": None, "step": None, "leaky_relu": r"\operatorname{leaky\_relu}",
          "max": r"\max", "min": r"\min"}


def name_tex(n: str) -> str:
    if n == "Yhat":
        return r"\hat{Y}"
    if n.startswith("d_") and len(n) > 2:
        return r"\delta_{" + name_tex(n[2:]) + "}"
    m = re.fullmatch(r"([A-Za-z]+)_?(\d+)", n)
    if m:
        base, digits = m.groups()
        base = "\\" + ("lambda" if base == "lam" else base) if base in _GREEK else base
        return f"{base}_{{{digits}}}"
    if n in _GREEK:
        return "\\" + ("lambda" if n == "lam" else n)
    if len(n) == 1:
        return n
    return r"\mathit{" + n.replace("_", r"\_") + "}"


def to_latex(t) -> str:
    try:
        return _tex(t)
    except ValueError:
        return ""


def _paren(t, minimum: int) -> str:
    text = _tex(t)
    return rf"\left({text}\right)" if F.level(t) < minimum else text


def _tex(t) -> str:
    k = t.kind
    if k == "num":
        v = F.num_value(t)
        if v.denominator != 1 and "/" in t.data.text:
            sign = "-" if v < 0 else ""
            return rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"
        return t.data.text
    if k == "name":
        return name_tex(t.data)
    if k in ("item", "row"):
        n, index = t.data
        return f"{name_tex(n)}[{', '.join(map(str, index))}]"
    if k == "lit":
        if len(t.shape) == 2 and all(a.kind == "lit" for a in t.args):
            rows = [" & ".join(_tex(c) for c in row.args) for row in t.args]
        else:
            rows = [_tex(a) for a in t.args]
            if len(t.shape) == 2:
                return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
        return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    if k == "fill":
        one = r"\mathbf{1}_{" + "\\times ".join(map(str, t.shape)) + "}"
        return one if F.is_one(t.args[0]) else f"{_paren(t.args[0], 2)}\\,{one}"
    if k == "zero":
        return r"\mathbf{0}"
    if k == "eye":
        return f"I_{{{t.shape[0]}}}"
    if k == "ew":
        return _ew(t)
    if k == "matmul":
        return f"{_paren(t.args[0], 2)}\\,{_paren(t.args[1], 3)}"
    if k == "transpose":
        return f"{_paren(t.args[0], 5)}^\\top"
    if k == "outer":
        return f"{_paren(t.args[0], 5)}\\,{_paren(t.args[1], 5)}^\\top"
    if k == "dot":
        return f"{_paren(t.args[0], 5)}^\\top {_paren(t.args[1], 5)}"
    if k == "reduce":
        op = {"sum": r"\textstyle\sum", "mean": r"\operatorname{mean}", "max": r"\max",
              "min": r"\min"}[t.data]
        return f"{op}\\left({_tex(t.args[0])}\\right)"
    if k in ("softmax", "log_softmax", "trace"):
        op = {"trace": r"\operatorname{tr}"}.get(k, r"\operatorname{" + k.replace("_", r"\_")
                                                 + "}")
        return f"{op}\\left({_tex(t.args[0])}\\right)"
    if k == "conv2d":
        s, p = t.data
        return (rf"\operatorname{{conv2d}}\left({_tex(t.args[0])}, {_tex(t.args[1])}; "
                rf"\text{{stride }} {s}, \text{{padding }} {p}\right)")
    raise ValueError(k)


def _ew(t) -> str:
    op, args = t.data, t.args
    if op == "add":
        parts = [_paren(args[0], 1)]
        for a in args[1:]:
            if a.kind == "ew" and a.data == "neg":
                parts.append("- " + _paren(a.args[0], 2))
            else:
                parts.append("+ " + _paren(a, 1))
        return " ".join(parts)
    if op == "sub":
        return f"{_paren(args[0], 1)} - {_paren(args[1], 2)}"
    if op == "neg":
        return f"-{_paren(args[0], 3)}"
    if op == "mul":
        out = _paren(args[0], 2)
        for prev, a in zip(args, args[1:]):
            both = prev.shape != () and a.shape != ()
            out += (r" \odot " if both else r"\, ") + _paren(a, 2 if not both else 3)
        return out
    if op == "div":
        return rf"\frac{{{_tex(args[0])}}}{{{_tex(args[1])}}}"
    if op == "pow":
        return f"{{{_paren(args[0], 5)}}}^{{{_tex(args[1])}}}"
    if op == "sqrt":
        return rf"\sqrt{{{_tex(args[0])}}}"
    if op == "abs":
        return rf"\left|{_tex(args[0])}\right|"
    if op == "step":
        return rf"\mathbf{{1}}\left[{_tex(args[0])} > 0\right]"
    return f"{_FUNCS.get(op) or op}\\left({', '.join(_tex(a) for a in args)}\\right)"
