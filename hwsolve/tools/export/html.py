"""The HTML a quiz shows: a variant's statement, the question of one entry, and the worked
steps with LaTeX for MathJax (``\\( \\)`` inline, ``\\[ \\]`` display).

Every user text (a title, a node's formula, a name) is HTML-escaped here; LaTeX is escaped too
(``&`` of an ``aligned`` block becomes ``&amp;``, which MathJax reads back as ``&``).
"""

from __future__ import annotations

import html
import re

from hwsolve.render import common

_MATH_BLOCK = re.compile(r"(?:```math|\$\$)\n(.*?)\n(?:```|\$\$)", re.S)
_INLINE = re.compile(r"\$([^$]+)\$")


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def entry_tex(entry: str) -> str:
    """``∇W1[1, 2]`` -> ``\\nabla W1[1, 2]``, ``Yhat`` -> ``\\hat{Y}``: the entry in MathJax."""
    text = entry.replace("∇", "\\nabla ").replace("Yhat", "\\hat{Y}").replace("Ŷ", "\\hat{Y}")
    text = text.replace("∂", "\\partial ")
    return re.sub(r"([A-Za-z])([0-9]+)", r"\1_{\2}", text)


def statement(variant) -> str:
    """The problem as a student sees it: title, givens, nodes, output (no numbers computed)."""
    problem = variant.solution.problem
    givens = []
    for table in (problem.inputs, problem.params, problem.constants):
        for name, value in table.items():
            givens.append(f"{esc(name)} = {esc(_given(variant.values.get(name, value)))}")
    nodes = "".join(f"<li><code>{esc(node.name)} = {esc(node.text)}</code></li>"
                    for node in problem.nodes)
    return (f"<p><strong>Given:</strong> {', '.join(givens)}</p>"
            f"<p><strong>Nodes:</strong></p><ul>{nodes}</ul>"
            f"<p><strong>Output:</strong> {esc(common.head_summary(variant.solution))}</p>")


def question(variant, entry: str, rule_text: str) -> str:
    return (statement(variant) + f"<p>Compute \\({esc(entry_tex(entry))}\\) "
            f"<small>({esc(entry)}; graded to {esc(rule_text)})</small>.</p>")


def _given(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_given(v) for v in value) + "]"
    return common.fmt(value, 12)


def work(variant, digits: int = 4) -> str:
    """The worked steps of the variant (hwsolve's own, from work/steps) as HTML + MathJax."""
    from hwsolve.render import steps as rendering
    text = rendering.markdown(variant.ref.steps(), digits)
    return markdown_to_html(text)


def markdown_to_html(text: str) -> str:
    """The small Markdown the step renderer writes: #### titles, ```math blocks, $…$ inline,
    > **Note:** lines, paragraphs."""
    out = []
    for block in re.split(r"\n{2,}", text.strip()):
        math = _MATH_BLOCK.fullmatch(block.strip())
        if math:
            out.append(f"<p>\\[{esc(math[1])}\\]</p>")
        elif block.startswith("#### "):
            out.append(f"<h4>{esc(block[5:].strip())}</h4>")
        else:
            body = block[2:] if block.startswith("> ") else block
            body = body.replace("**Note:**", "Note:")
            parts = _INLINE.split(body)
            out.append("<p>" + "".join(esc(p) if i % 2 == 0 else f"\\({esc(p)}\\)"
                                       for i, p in enumerate(parts)) + "</p>")
    return "\n".join(out)
