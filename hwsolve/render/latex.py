"""The answer table in LaTeX (``--format latex``), without SymPy or rich.

The table alone needs neither: this module prints names the way SymPy's LaTeX printer does
(``W1`` as ``W_{1}``, ``alpha`` as ``\\alpha``, ``Yhat`` as ``\\hat{Y}``), so that the table
matches the work that :mod:`hwsolve.render.steps` adds with ``--steps``, and ``--format latex``
starts as fast as Markdown.  Nothing here computes a value.
"""

from __future__ import annotations

import re
import unicodedata

from hwsolve.engine.solve import Solution
from hwsolve.render import common as render, usertext



# ----------------------------------------------------------------------------- names

_GREEKS = frozenset(("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                     "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho",
                     "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"))
_GREEK_TEX = {
    "Alpha": r"\mathrm{A}", "Beta": r"\mathrm{B}", "Gamma": r"\Gamma", "Delta": r"\Delta",
    "Epsilon": r"\mathrm{E}", "Zeta": r"\mathrm{Z}", "Eta": r"\mathrm{H}", "Theta": r"\Theta",
    "Iota": r"\mathrm{I}", "Kappa": r"\mathrm{K}", "Lambda": r"\Lambda", "Mu": r"\mathrm{M}",
    "Nu": r"\mathrm{N}", "Xi": r"\Xi", "omicron": "o", "Omicron": r"\mathrm{O}", "Pi": r"\Pi",
    "Rho": r"\mathrm{P}", "Sigma": r"\Sigma", "Tau": r"\mathrm{T}", "Upsilon": r"\Upsilon",
    "Phi": r"\Phi", "Chi": r"\mathrm{X}", "Psi": r"\Psi", "Omega": r"\Omega",
    "lamda": r"\lambda", "Lamda": r"\Lambda", "khi": r"\chi", "Khi": r"\mathrm{X}",
    "varepsilon": r"\varepsilon", "varkappa": r"\varkappa", "varphi": r"\varphi",
    "varpi": r"\varpi", "varrho": r"\varrho", "varsigma": r"\varsigma",
    "vartheta": r"\vartheta",
}
_OTHER = frozenset(("aleph", "beth", "daleth", "gimel", "ell", "eth", "hbar", "hslash", "mho",
                    "wp"))
_MODIFIERS = {
    "mathring": r"\mathring{%s}", "ddddot": r"\ddddot{%s}", "dddot": r"\dddot{%s}",
    "ddot": r"\ddot{%s}", "dot": r"\dot{%s}", "check": r"\check{%s}", "breve": r"\breve{%s}",
    "acute": r"\acute{%s}", "grave": r"\grave{%s}", "tilde": r"\tilde{%s}", "hat": r"\hat{%s}",
    "bar": r"\bar{%s}", "vec": r"\vec{%s}", "prime": "{%s}'", "prm": "{%s}'",
    "bold": r"\boldsymbol{%s}", "bm": r"\boldsymbol{%s}", "cal": r"\mathcal{%s}",
    "scr": r"\mathscr{%s}", "frak": r"\mathfrak{%s}", "norm": r"\left\|{%s}\right\|",
    "avg": r"\left\langle{%s}\right\rangle", "abs": r"\left|{%s}\right|",
    "mag": r"\left|{%s}\right|",
}
_MODIFIER_ORDER = sorted(_MODIFIERS, key=len, reverse=True)


def _translate(s: str) -> str:
    """SymPy's ``translate``: Greek letters, and accents written as suffixes (``xhat``)."""
    wrap = []
    while True:
        if s in _GREEK_TEX:
            s = _GREEK_TEX[s]
            break
        if s.lower() in _GREEKS:
            s = "\\" + s.lower()
            break
        if s in _OTHER:
            s = "\\" + s
            break
        key = next((k for k in _MODIFIER_ORDER if s.lower().endswith(k) and len(s) > len(k)),
                   None)
        if key is None:
            break
        wrap.append(_MODIFIERS[key])
        s = s[:-len(key)]
    for template in reversed(wrap):
        s = template % s
    return s


def _split_super_sub(text: str) -> tuple:
    """SymPy's ``split_super_sub``: ``a_x^1`` is ('a', ['1'], ['x']); trailing digits are a
    subscript."""
    pos, name, supers, subs = 0, None, [], []
    while pos < len(text):
        start = pos + 1 + (text[pos:pos + 2] == "__")
        hat, underscore = text.find("^", start), text.find("_", start)
        following = min(hat if hat >= 0 else len(text), underscore if underscore >= 0
                        else len(text))
        part, pos = text[pos:following], following
        if name is None:
            name = part
        elif part.startswith("^"):
            supers.append(part[1:])
        elif part.startswith("__"):
            supers.append(part[2:])
        else:
            subs.append(part[1:])
    match = re.match(r"^([^\W\d_]+)(\d+)$", name or "")
    if match:
        name = match.group(1)
        subs.insert(0, match.group(2))
    return name or "", supers, subs


def _sympy_symbol(name: str) -> str:
    base, supers, subs = _split_super_sub(name)
    tex = _translate(base)
    if supers:
        tex += "^{%s}" % " ".join(_translate(s) for s in supers)
    if subs:
        tex += "_{%s}" % " ".join(_translate(s) for s in subs)
    return tex


def latex_name(label: str) -> str:
    """A slot label as :mod:`hwsolve.work.symbolic` prints its symbol: ``W1[2]`` is
    ``W_{1}[2``, as there, ``H2a`` is ``H_{2a}``, a word is ``\\mathrm{loss}``."""
    name, _, index = label.partition("[")
    match = re.fullmatch(r"([A-Za-z]+)([0-9]+[A-Za-z]+)", name)
    if match:
        tex = f"{match.group(1)}_{{{match.group(2)}}}"
    else:
        tex = _sympy_symbol(name)
        if re.fullmatch(r"[A-Za-z]{2,}", tex):
            tex = rf"\mathrm{{{tex}}}"
    return tex + (f"[{index}" if index else "")


# ----------------------------------------------------------------------------- the table

def latex_table(solution: Solution, digits: int = 3) -> str:
    """The answer table stacked as tabulars that fit the page, as the terminal stacks its
    tables: each column whole, a matrix as a bmatrix, a long vector broken after commas."""
    from hwsolve.render import texlayout
    columns = render.columns(solution)
    heads = [f"${_header(c, render.forward_only(solution))}$" for c in columns]
    widths = [texlayout.head_width(_header(c, render.forward_only(solution))) for c in columns]
    cells = [texlayout.cell(render.column_value(solution, c), digits) for c in columns]
    return texlayout.stacked(heads, widths, cells)


def _header(column: str, values_only: bool = False) -> str:
    if column in ("Yhat", "L") or values_only:
        return latex_name(column)
    return r"\nabla " + latex_name(column)


def answer_parts(solution: Solution, digits: int = 3) -> list:
    """Title, table, head summary and notes: the paragraphs before any work shown."""
    parts = [f"% hwsolve {solution.problem.name}: answer table and work shown "
             r"(needs \usepackage{amsmath})",
             rf"\subsection*{{{tex_escape(solution.problem.title)}}}",
             latex_table(solution, digits),
             rf"\noindent {tex_escape(render.head_summary(solution))}."]
    parts += [rf"\par\noindent Note: {tex_escape(w)}" for w in solution.warnings]
    return parts


def finish(parts: list, standalone: bool) -> str:
    body = "\n\n".join(parts) + "\n"
    return document(body) if standalone else body


def answer(solution: Solution, digits: int = 3, standalone: bool = False) -> str:
    """``--format latex`` without ``--steps`` or ``--exact``: the answer table alone."""
    return finish(answer_parts(solution, digits), standalone)


def document(body: str) -> str:
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
        body,
        r"\end{document}",
        "",
    ])


# ----------------------------------------------------------------------------- prose

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                 "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}
_TEX_UNICODE = {"Ŷ": r"$\hat{Y}$", "∂": r"$\partial$", "σ": r"$\sigma$", "·": r"$\cdot$",
                "²": r"$^{2}$", "≈": r"$\approx$", "≤": r"$\le$", "≥": r"$\ge$",
                "→": r"$\to$", "×": r"$\times$", "—": "---", "–": "--", "’": "'",
                "½": r"$\tfrac{1}{2}$", "Σ": r"$\Sigma$", "−": "-", "∇": r"$\nabla$",
                "ε": r"$\varepsilon$", "β": r"$\beta$", "η": r"$\eta$", "δ": r"$\delta$",
                "μ": r"$\mu$", "γ": r"$\gamma$", "λ": r"$\lambda$", "θ": r"$\theta$",
                "⊙": r"$\odot$", "√": r"$\surd$", "ᵀ": r"$^{T}$", "′": "'", "≠": r"$\ne$"}


def tex_escape(text: str) -> str:
    """Prose for LaTeX: specials escaped; other non-ASCII mapped or reduced to ASCII, so that
    pdflatex never meets a character it has no definition for."""
    out = []
    for ch in usertext.plain(" ".join(str(text).splitlines())):
        if ch in _TEX_SPECIALS:
            out.append(_TEX_SPECIALS[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(_TEX_UNICODE.get(ch, plain or "?"))
    return "".join(out)
