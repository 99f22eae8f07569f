"""Renderers of the work shown (:mod:`hwsolve.work.steps`): terminal, Markdown, LaTeX and JSON.

Nothing here computes a value.  Each step becomes a list of :class:`Row` (``lead lhs = rhs``),
written once against a :class:`_Dialect`; the plain dialect prints Unicode for the terminal,
the TeX dialect prints SymPy's LaTeX for ``align*`` (LaTeX) and ``aligned`` (Markdown).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from fractions import Fraction

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hwsolve.render import shown
from hwsolve import num
from hwsolve.render import latex as tex
from hwsolve.work import symbolic
from hwsolve.engine.solve import Solution
from hwsolve.work.steps import BackwardStep, Case, Equation, Local, Relation, Steps
from hwsolve.work.symbolic import LOSS

TERMS_PER_ROW = 3
LONG_ROW = 90  # visible characters: a longer LaTeX equation breaks before its numbers
SECTIONS = ("Forward pass", "Output and loss", "Backward pass")


@dataclass
class Row:
    """``lead lhs rel rhs``; ``level`` indents it under the row it explains."""
    level: int
    lhs: str
    rhs: str
    lead: str = ""
    rel: str = "="
    heading: bool = False
    prose: bool = False  # rhs is a sentence (a rule or note), not LaTeX


# ----------------------------------------------------------------------------- dialects

class _Dialect:
    times = ""
    tall = False  # long sums and rule sentences on rows of their own

    def __init__(self, digits: int):
        self.digits = digits

    def number(self, value) -> str:
        return shown.digits_text(value, self.digits)   # 0.300, not 0.3, for a rounded value

    def follows(self, result: str, exact) -> str:
        """``=`` where the printed result follows from the printed operands, else ``≈``."""
        return "=" if shown.follows(result, exact, self.digits) else self.approx

    def factor(self, value) -> str:
        text = self.number(value)
        return self.paren(text) if text.startswith("-") else text

    def value(self, value, closed_form=None) -> str:
        """The result of a line: exact beside decimal (``-1/5 = -0.2``, ``2/3 ≈ 0.667``), or
        the closed form beside it (``--exact``)."""
        decimal = self.emph(self.number(value))
        if closed_form is not None:
            return f"{self.expr(closed_form)} {self.approx} {decimal}"
        if num.is_exact(value) and value.denominator != 1:
            shown = Fraction(num.fmt_sig(value, self.digits))
            return f"{self.fraction(value)} {'=' if shown == value else self.approx} {decimal}"
        return decimal

    def relation(self, relation: Relation, order: dict) -> str:
        more = self.words(f" (and {relation.more:,} more)") if relation.more else ""
        if relation.op == "=" and not relation.right:
            names = " = ".join(self.expr(o.expr, order=order) for o in relation.left)
            return f"{names}{more} = {self.number(relation.left[0].value)}"
        right = self.words(" and ").join(self.operand(o, order) for o in relation.right)
        return f"{self.operand(relation.left[0], order)} {relation.op} {right}{more}"

    def operand(self, operand, order: dict) -> str:
        if operand.expr is None or symbolic.is_number(operand.expr):
            return self.number(operand.value)
        return f"{self.expr(operand.expr, order=order)} = {self.number(operand.value)}"

    def sum(self, parts: list) -> str:
        out = parts[0]
        for part in parts[1:]:
            out += " + " + (self.paren(part) if part.startswith("-") else part)
        return out


class _Plain(_Dialect):
    times = "·"
    approx = "≈"

    def expr(self, expr, shown=None, order=None) -> str:
        return symbolic.text(expr, shown, self.digits, order)

    def name(self, symbol) -> str:
        return symbolic.text_name(symbol)

    def derivative(self, of, wrt, partial: bool) -> str:
        d = "∂" if partial else "d"
        return f"{d}{self.name(of)}/{d}{self.name(wrt)}"

    def paren(self, text: str) -> str:
        return f"({text})"

    def fraction(self, value: Fraction) -> str:
        return str(value)

    def words(self, text: str) -> str:
        return text

    def emph(self, text: str) -> str:
        return text


class _Tex(_Dialect):
    times = r" \cdot "
    approx = r"\approx"
    tall = True

    def expr(self, expr, shown=None, order=None) -> str:
        return symbolic.latex(expr, shown, self.digits, order)

    def name(self, symbol) -> str:
        return symbolic.latex_name(symbol)

    def derivative(self, of, wrt, partial: bool) -> str:
        d = r"\partial " if partial or of == LOSS else "d"
        return rf"\frac{{{d}{self.name(of)}}}{{{d}{self.name(wrt)}}}"

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def fraction(self, value: Fraction) -> str:
        sign = "-" if value < 0 else ""
        return rf"{sign}\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"

    def words(self, text: str) -> str:
        return rf"\text{{{tex_escape(text)}}}"

    def emph(self, text: str) -> str:
        return rf"\mathbf{{{text}}}"


# ----------------------------------------------------------------------------- rows

def equation_rows(eq: Equation, d: _Dialect) -> list:
    target = d.derivative(eq.target, eq.wrt, False) if eq.wrt is not None else d.name(eq.target)
    forms = _distinct([d.expr(form) for form in eq.forms])
    numbers = [d.expr(eq.forms[-1], eq.shown)]
    if numbers[0] in (forms[-1], d.number(eq.value)):
        numbers = []
    numbers.append(d.value(eq.value, eq.closed_form))
    notes = [_note(n) for n in eq.notes]
    if d.tall and _visible_length(" = ".join(forms + numbers)) > LONG_ROW:
        return [Row(0, target, " = ".join(forms)), Row(0, "", " = ".join(numbers))] + notes
    return [Row(0, target, " = ".join(forms + numbers))] + notes


def backward_rows(step: BackwardStep, d: _Dialect) -> list:
    lhs = d.derivative(step.of, step.symbol, False)
    total = d.emph(d.number(step.total))
    if not step.terms:
        return [Row(0, lhs, total, heading=True), _note(step.note)]
    chain = [d.derivative(t.consumer, step.symbol, t.local.partial) if t.consumer == step.of
             else d.derivative(step.of, t.consumer, False) + d.times +
             d.derivative(t.consumer, step.symbol, t.local.partial) for t in step.terms]
    rows = _sum_rows(Row(0, lhs, "", heading=True), chain, d)
    for i, term in enumerate(step.terms):
        rows += local_rows(term.local, d, "where" if i == 0 else "and")
    products = [(d.factor(t.upstream) if i else d.number(t.upstream)) + d.times +
                d.factor(t.local.value) for i, t in enumerate(step.terms)]
    rows += _sum_rows(Row(1, lhs, "", lead="so"), products, d)
    # each relation is = only where the printed result follows from the printed operands
    # ((-1.24)·2 = -2.48, but -1.2437·2 printed as -2.49 is ≈)
    terms = [shown.value_of(d.number(t.upstream)) * shown.value_of(d.number(t.local.value))
             for t in step.terms]
    contributions = [d.number(t.contribution) for t in step.terms]
    shown_total = d.number(step.total)
    if len(step.terms) > 1:
        first = "=" if all(d.follows(c, e) == "=" for c, e in zip(contributions, terms)) \
            else d.approx
        rest = f"{d.sum(contributions)} " \
               f"{d.follows(shown_total, sum(map(shown.value_of, contributions)))} {total}"
    else:
        first, rest = d.follows(shown_total, terms[0]), total
    if d.tall and len(step.terms) > 1:
        rows.append(Row(1, "", rest, rel=first))
    else:
        rows[-1].rhs += f" {first} {rest}"
    if step.shortcut is not None:
        rows += _shortcut_rows(step.shortcut, d)
    if step.matrix_form:
        rows.append(_note(step.matrix_form))
    if step.note:
        rows.append(_note(step.note))
    return rows


def _shortcut_rows(eq: Equation, d: _Dialect) -> list:
    """``that is dL/dz[2] = Ŷ[2] − Y[2] = 0.659 − 1 = -0.341`` (softmax with cross-entropy)."""
    lhs = d.derivative(eq.target, eq.wrt, False)
    parts = _distinct([d.expr(eq.forms[-1]), d.expr(eq.forms[-1], eq.shown),
                       d.number(eq.value)])  # the bold total is the sum's, above
    return [Row(1, lhs, " = ".join(parts), lead="that is")] + [_note(n) for n in eq.notes]


def _sum_rows(first: Row, parts: list, d: _Dialect) -> list:
    """``first`` with ``a + b + …`` as its right side; in tall dialects, TERMS_PER_ROW a row."""
    if not d.tall:
        first.rhs = d.sum(parts)
        return [first]
    chunks = [parts[i:i + TERMS_PER_ROW] for i in range(0, len(parts), TERMS_PER_ROW)]
    first.rhs = d.sum(chunks[0])
    return [first] + [Row(first.level, "", "+ " + d.sum(chunk), rel="") for chunk in chunks[1:]]


def local_rows(local: Local, d: _Dialect, lead: str) -> list:
    lhs = d.derivative(local.of, local.wrt, local.partial)
    if local.is_case_rule:
        return _case_rows(Row(1, lhs, "", lead=lead), local.cases[0], local.order, d)
    parts = _distinct([d.expr(local.formula, order=local.order),
                       d.expr(local.formula, local.shown, local.order), d.number(local.value)])
    if d.tall and len(parts) > 2 and _visible_length(" = ".join(parts)) > LONG_ROW:
        rows = [Row(1, lhs, parts[0], lead=lead), Row(1, "", " = ".join(parts[1:]))]
    else:
        rows = [Row(1, lhs, " = ".join(parts), lead=lead)]
    for case in local.cases:
        slope = d.expr(case.slope, order=local.order)
        if d.tall:  # under the formula, off the alignment column: slope names are wide
            rows += _case_rows(Row(2, "", "", rel=""), case, local.order, d,
                               label=f"{d.words('with ')}{slope} = ")
        else:
            rows += _case_rows(Row(2, slope, "", lead="with"), case, local.order, d)
    return rows


def _case_rows(first: Row, case: Case, order: dict, d: _Dialect, label: str = "") -> list:
    """``= 0 since X1 = 2 > H1 = 1.5: min passes the gradient only to its smaller argument``"""
    branch = f"{d.expr(case.branch, order=order)} = " if case.branch is not None else ""
    first.rhs = f"{label}{branch}{d.number(case.value)}{d.words(' since ')}" \
                f"{d.relation(case.relation, order)}"
    rule = case.rule + (f"; {case.convention}" if case.convention else "")
    if d.tall:
        return [first, Row(first.level, "", f"({rule})", rel="", prose=True)]
    first.rhs += f": {rule}"
    return [first]


def _note(note: str) -> Row:
    return Row(1, "", f"({note})", rel="", prose=True)


def _visible_length(tex: str) -> int:
    """Roughly how many characters a LaTeX formula shows: layout commands count nothing,
    other commands one each, braces and scripts nothing."""
    tex = re.sub(r"\\(left|right|operatorname|mathbf|mathrm|text|frac)\b", "", tex)
    tex = re.sub(r"\\(log|tanh|max|min)\b", r"\1", tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    return len(re.sub(r"[{}_^\\]", "", tex))


def _distinct(parts: list) -> list:
    """Drop a part equal to the one before: ``∂R/∂H3 = 1``, not ``1 = 1 = 1``."""
    out: list = []
    for part in parts:
        if not out or out[-1] != part:
            out.append(part)
    return out


def _sections(steps: Steps, d: _Dialect) -> list:
    """(title, [(backward step or None, rows) per block]) for the three parts of the work."""
    return [
        (SECTIONS[0], [(None, sum((equation_rows(eq, d) for eq in steps.forward), []))]),
        (SECTIONS[1], [(None, sum((equation_rows(eq, d) for eq in steps.head), []))]),
        (SECTIONS[2], ([(None, equation_rows(steps.loss_gradient, d))]
                        if steps.loss_gradient is not None else []) +
         [(step, backward_rows(step, d)) for step in steps.backward]
         or [(None, [Row(0, "", "no gradient is computed: a forward-only problem (loss: none "
                     "on a vector output without output_grad) shows its values only",
                     rel="", prose=True)])]),
    ]


# ----------------------------------------------------------------------------- terminal

def terminal(steps: Steps, digits: int = 3, width: int = 80) -> Group:
    """The work as rich renderables, wrapped to ``width`` with hanging indents."""
    parts: list = []
    for title, blocks in _sections(steps, _Plain(digits)):
        parts.append(Text(""))
        parts.append(Text(title, style="bold underline"))
        for i, (_, rows) in enumerate(blocks):
            if i:
                parts.append(Text(""))
            parts.extend(_terminal_line(row, width) for row in rows)
    return Group(*parts)


def _terminal_line(row: Row, width: int) -> Text:
    indent = " " * (2 + 2 * row.level)
    lead = f"{row.lead} " if row.lead else ""
    body = f"{lead}{row.lhs} {row.rel} {row.rhs}" if row.lhs else row.rhs
    wrapped = textwrap.fill(body, width=width, initial_indent=indent,
                            subsequent_indent=indent + "    ", break_long_words=False,
                            break_on_hyphens=False)
    # Already wrapped: rich need not wrap it again (that was a third of the time of --steps),
    # unless a word longer than the width is left for rich to fold.
    fits = all(len(line) <= width for line in wrapped.split("\n"))
    return Text(wrapped, style="bold" if row.heading else "", no_wrap=fits or None)


def closed_forms_table(steps: Steps, digits: int = 3) -> Table:
    """``--exact`` without ``--steps``: each irrational value's closed form."""
    table = Table(box=box.SIMPLE_HEAD, title="Closed forms", title_justify="left")
    table.add_column("name")
    table.add_column("closed form")
    table.add_column("value", justify="right", no_wrap=True)
    d = _Plain(digits)
    for eq in steps.forward + steps.head:
        if eq.closed_form is not None:
            table.add_row(d.name(eq.target), d.expr(eq.closed_form), d.number(eq.value))
        elif eq.skipped is not None:
            table.add_row(d.name(eq.target), f"(skipped: {eq.skipped})", d.number(eq.value))
    return table


def _with_closed_forms(steps: Steps) -> list:
    return [eq for eq in steps.forward + steps.head if eq.closed_form is not None]


# ----------------------------------------------------------------------------- markdown

def markdown(steps: Steps, digits: int = 3, work: bool = True) -> str:
    """The work in Markdown: ``$$`` blocks of ``aligned`` rows (display math that GitHub,
    Jupyter and VS Code all render; GitHub's ```math fences show raw in the other two), a ``$…$`` line
    before each sum over several consumers; without ``work``, only the closed forms."""
    d = _Tex(digits)
    out = []
    for title, blocks in _sections(steps, d) if work else _closed_form_section(steps, d):
        out.append(f"#### {title}")
        for step, rows in blocks:
            if step is not None and len(step.terms) > 1:
                out.append(_fan_in(step, d))
            out.append("$$\n\\begin{aligned}\n" + _aligned(rows) + "\n\\end{aligned}\n$$")
    if work:
        out += [f"> **Note:** {w}" for w in steps.warnings]
    return "\n\n" + "\n\n".join(out) + "\n"


def _fan_in(step: BackwardStep, d: _Dialect) -> str:
    """``$\\frac{∂L}{∂H_{1}}$ sums 3 terms, one per consumer: $H_{3}$, $H_{4}$, $H_{5}$.``"""
    consumers = ", ".join(f"${d.name(t.consumer)}$" for t in step.terms)
    return f"${d.derivative(step.of, step.symbol, False)}$ sums {len(step.terms)} terms, one per " \
           f"consumer: {consumers}."


def _closed_form_section(steps: Steps, d: _Dialect) -> list:
    rows = [Row(0, d.name(eq.target), f"{d.expr(eq.closed_form)} {d.approx} "
                f"{d.number(eq.value)}") for eq in _with_closed_forms(steps)]
    return [("Closed forms", [(None, rows)])] if rows else []


# ----------------------------------------------------------------------------- LaTeX

def latex(solution: Solution, steps: Steps | None = None, digits: int = 3,
          standalone: bool = False, work: bool = True) -> str:
    """The answer table as tabulars, then the work in ``align*`` (needs amsmath), or without
    ``work`` only the closed forms; ``standalone`` makes a whole document for pdflatex."""
    d = _Tex(digits)
    parts = tex.answer_parts(solution, digits)
    if steps is not None:
        for title, blocks in _sections(steps, d) if work else _closed_form_section(steps, d):
            parts.append(rf"\subsubsection*{{{title}}}")
            parts += ["\\begin{align*}\n" + _aligned(rows, intertext=True) + "\n\\end{align*}"
                      for _, rows in blocks]
    return tex.finish(parts, standalone)


def _aligned(rows: list, intertext: bool = False) -> str:
    """Rows for ``align*`` (``intertext``: prose rows as text lines under the equations, which
    keeps long rule sentences off the alignment column) or for MathJax's ``aligned``."""
    out = ""
    for i, row in enumerate(rows):
        lead = rf"\text{{{row.lead} }} " if row.lead else ""
        if row.prose and intertext:
            out += rf"\intertext{{\qquad {tex_escape(row.rhs)}}}" + "\n"
            continue
        if row.prose:
            out += rf"&\qquad \text{{{tex_escape(row.rhs)}}}"
        elif row.rel:
            out += f"{lead}{row.lhs} &{row.rel} {row.rhs}"
        else:
            out += rf"&\qquad {row.rhs}"
        out += " \\\\\n" if i < len(rows) - 1 else "\n"
    return out.rstrip("\n")


latex_table = tex.latex_table  # the answer table needs no SymPy: see render.latex
tex_escape = tex.tex_escape


from hwsolve.render.steps_json import closed_forms_json, to_json  # noqa: E402,F401
