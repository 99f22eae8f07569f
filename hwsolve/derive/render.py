"""A checked derivation as text, Markdown, LaTeX (a standalone document that pdflatex
compiles) or JSON.  Renderers read a :class:`hwsolve.derive.result.Derivation`; they compute
nothing."""

from __future__ import annotations

import json

from hwsolve.derive.latex import name_tex
from hwsolve.derive.result import LAYOUT_PROSE
from hwsolve.errors import printable

FORMATS = ("text", "markdown", "latex", "json")


def dims(shape: tuple) -> str:
    return "scalar" if not shape else "×".join(map(str, shape))


def _check_line(d) -> str:
    if not d.gradients:
        return ""
    r = d.gradients[0].record
    own = "at the problem's own values and " if r.own != "not checked" else ""
    exact = min(g.record.exact for g in d.gradients)
    kinks = [g for g in d.gradients if g.record.own.startswith("differs at a kink")]
    line = (f"checked: every form equals hwsolve's entrywise gradient {own}at {r.points} "
            f"random rational points (seed {r.seed}; {exact} compared exactly, the rest at "
            f"working precision)")
    if kinks:
        line += (f"; at the problem's own values {kinks[0].record.own.split(':')[0][14:]}, "
                 "the engine's convention applies")
    return line


def _intro(d) -> list:
    lines = [f"closed-form gradients of {d.objective} for {printable(d.source)}"]
    if d.head:
        lines.append(f"head: {d.head}")
    lines.append(f"layout: {LAYOUT_PROSE[d.layout]}")
    lines += list(d.notes)
    return lines


def text(d, steps: bool = False) -> str:
    out = _intro(d)
    width = max([len(n) for n, *_ in d.where] + [len(g.wrt) + 4 for g in d.gradients] + [1])
    if d.where:
        out += ["", "where"]
        out += [f"  {n.ljust(width)} = {t}    [{dims(s)}]" for n, t, s, _ in d.where]
    out += ["", "gradients"]
    for g in d.gradients:
        label = f"∂{d.objective}/∂{g.wrt}"
        out.append(f"  {label.ljust(width + 2)} = {g.expr}    [{dims(g.shape)}]")
    if steps:
        out += ["", "steps (the chain rule, node by node, from the loss back; a name reached "
                "by several paths sums its parts)"]
        out += [f"  {_step(d, s)}" for s in d.steps]
    out += ["", _check_line(d)]
    return "\n".join(out) + "\n"


def _step(d, s) -> str:
    return (f"∂{d.objective}/∂{s.target} {'=' if s.only else '∋'} {s.form}    "
            f"[{dims(s.shape)}]    because {printable(s.because)}")


def markdown(d, steps: bool = False) -> str:
    out = [f"## Closed-form gradients of {d.objective} for `{printable(d.source)}`", ""]
    out += [f"- {line}" for line in _intro(d)[1:]]
    if d.where:
        out += ["", "| where | form | shape |", "|---|---|---|"]
        out += [f"| `{n}` | `{t}` | {dims(s)} |" for n, t, s, _ in d.where]
    out += ["", "| gradient | closed form | shape |", "|---|---|---|"]
    out += [f"| ∂{d.objective}/∂{g.wrt} | `{g.expr}` | {dims(g.shape)} |"
            for g in d.gradients]
    if steps:
        out += ["", "**Steps**", ""]
        out += [f"{i}. ∂{d.objective}/∂{s.target} {'=' if s.only else '∋'} `{s.form}` "
                f"({dims(s.shape)}) because "
                f"`{printable(s.because)}`" for i, s in enumerate(d.steps, start=1)]
    out += ["", _check_line(d), ""]
    return "\n".join(out)


_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\DeclareUnicodeCharacter{2202}{\ensuremath{\partial}}
\DeclareUnicodeCharacter{2212}{-}
\DeclareUnicodeCharacter{2011}{-}
\DeclareUnicodeCharacter{00BD}{\ensuremath{\tfrac12}}
\DeclareUnicodeCharacter{2016}{\ensuremath{\|}}
\DeclareUnicodeCharacter{2299}{\ensuremath{\odot}}
\DeclareUnicodeCharacter{03C3}{\ensuremath{\sigma}}
\DeclareUnicodeCharacter{0177}{\ensuremath{\hat y}}
\DeclareUnicodeCharacter{0176}{\ensuremath{\hat Y}}
\DeclareUnicodeCharacter{1D40}{\ensuremath{^\top}}
\DeclareUnicodeCharacter{2211}{\ensuremath{\sum}}
\DeclareUnicodeCharacter{00B2}{\ensuremath{^2}}
\DeclareUnicodeCharacter{2260}{\ensuremath{\neq}}
\DeclareUnicodeCharacter{00B7}{\ensuremath{\cdot}}
\DeclareUnicodeCharacter{00D7}{\ensuremath{\times}}
\DeclareUnicodeCharacter{2208}{\ensuremath{\in}}
\DeclareUnicodeCharacter{220B}{\ensuremath{\ni}}
\DeclareUnicodeCharacter{2032}{\ensuremath{'}}
\begin{document}
"""


def _tex_text(s: str) -> str:
    out = []
    for ch in s:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch == "\\":
            out.append(r"\textbackslash{}")
        elif ch in "~^":
            out.append(r"\textasciitilde{}" if ch == "~" else r"\textasciicircum{}")
        elif ord(ch) > 0x2fff or (0x80 <= ord(ch) < 0xa0):
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


def latex(d, steps: bool = False) -> str:
    from hwsolve.derive.latex import to_latex

    out = [_PREAMBLE, rf"\section*{{Gradients of {_tex_text(d.source)}}}"]
    out += [_tex_text(line) + r"\\" for line in _intro(d)[1:]]
    if d.where:
        out += [r"\paragraph{Where}", r"\begin{align*}"]
        out += [rf"{name_tex(n)} &= {to_latex(f) or _verb(t)} && {dims(s)}\\"
                for n, t, s, f in d.where]
        out.append(r"\end{align*}")
    out += [r"\paragraph{Gradients}", r"\begin{align*}"]
    obj = name_tex(d.objective) if d.objective != "f" else "f"
    out += [rf"\frac{{\partial {obj}}}{{\partial {name_tex(g.wrt)}}} &= "
            rf"{g.latex or _verb(g.expr)} && {dims(g.shape)}\\" for g in d.gradients]
    out.append(r"\end{align*}")
    if steps and d.steps:
        out += [r"\paragraph{Steps}", r"\begin{enumerate}"]
        out += [rf"\item $\partial {obj}/\partial$\texttt{{{_tex_text(s.target)}}} "
                rf"${'=' if s.only else chr(92) + 'ni'}$ \texttt{{{_tex_text(s.form)}}} ({dims(s.shape)}) because "
                rf"\texttt{{{_tex_text(s.because)}}}" for s in d.steps]
        out.append(r"\end{enumerate}")
    out += [_tex_text(_check_line(d)), r"\end{document}", ""]
    return "\n".join(out)


def _verb(text: str) -> str:
    return r"\texttt{" + _tex_text(text) + "}"


def as_json(d) -> str:
    return json.dumps(d.as_json(), indent=2, ensure_ascii=False) + "\n"


def render(d, fmt: str, steps: bool = False) -> str:
    if fmt == "json":
        out = d.as_json()
        if steps:
            out["steps"] = [{"target": s.target, "expr": s.form, "shape": list(s.shape),
                             "because": s.because} for s in d.steps]
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    return {"text": text, "markdown": markdown, "latex": latex}[fmt](d, steps)
