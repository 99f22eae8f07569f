"""Renderers for ``info``, ``curves`` and ``prove``: a computed result in, text out.

Each format only selects, rounds and lays out what hwsolve.teach produced.
"""

from __future__ import annotations

import html
from fractions import Fraction

from hwsolve import num
from hwsolve.render import usertext as ut
from hwsolve.render.plot import Panel, Series


def _n(value, digits: int = 3) -> str:
    if isinstance(value, (Fraction, int)) and not isinstance(value, bool):
        return num.fmt_sig(Fraction(value), digits)
    if isinstance(value, list):
        return "[" + ", ".join(_n(v, digits) for v in value) + "]"
    if isinstance(value, tuple):
        return "[" + ", ".join(_n(v, digits) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _j(value):
    """A JSON value: exact numbers as floats (an integer stays an integer), lists element-wise."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, (list, tuple)):
        return [_j(v) for v in value]
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return float(value)


def _shape(shape: list) -> str:
    from hwsolve.spec.shapes import describe
    return describe(tuple(shape)).removeprefix("a ")  # scalar, vector of 3, 3×2 matrix


# ----------------------------------------------------------------------------- info

def info_json(info) -> dict:
    return {
        "problem": info.problem.name, "title": info.problem.title,
        "parameters": [{"name": p["name"], "shape": p["shape"], "count": p["count"],
                        "reason": p["reason"]} for p in info.parameters],
        "hyperparameters": [{"name": h["name"], "value": _j(h["value"]), "reason": h["reason"]}
                            for h in info.hyperparameters],
        "inputs": [{"name": i["name"], "shape": i["shape"], "value": _j(i["value"]),
                    "reason": i["reason"]} for i in info.inputs],
        "constants": [{"name": c["name"], "value": _j(c["value"]), "reason": c["reason"]}
                      for c in info.constants],
        "learned_scalars": info.learned_scalars}


def _info_rows(info) -> list:
    rows = [(p["name"], "parameter", f"{_shape(p['shape'])}, {p['count']} learned",
             p["reason"]) for p in info.parameters]
    rows += [(h["name"], "hyper-parameter", _n(h["value"]), h["reason"])
             for h in info.hyperparameters]
    rows += [(i["name"], "input", _n(i["value"]), i["reason"]) for i in info.inputs]
    rows += [(c["name"], "constant", _n(c["value"]), c["reason"]) for c in info.constants]
    return rows


def info_table(info):
    from rich.console import Group
    from rich.text import Text

    return Group(_InfoLayout(info), Text(f"{info.learned_scalars} learned scalars in "
                                         f"{len(info.parameters)} parameters"))


_WHY_WIDTH = 36   # the narrowest "why" column that reads as prose


class _InfoLayout:
    """The Q1 table where the "why" column gets room to read as prose; on a narrower terminal,
    each quantity on one line and its reason below it, wrapped at word boundaries (a table
    squeezed into 80 columns broke "classification" into ``classificatio`` / ``n``)."""

    def __init__(self, info):
        self.info = info
        self.rows = _info_rows(info)

    def __rich_console__(self, console, options):
        from rich import box
        from rich.padding import Padding
        from rich.table import Table
        from rich.text import Text

        title = Text(ut.plain(f"{self.info.problem.title}: parameters and hyper-parameters"),
                     style="table.title")
        widths = [max([len(head)] + [len(row[i]) for row in self.rows])
                  for i, head in enumerate(("quantity", "kind", "value / shape"))]
        yield title
        if sum(widths) + 2 * 4 + 2 + _WHY_WIDTH <= options.max_width:
            table = Table(box=box.SIMPLE_HEAD)
            for column in ("quantity", "kind", "value / shape"):
                table.add_column(column, no_wrap=True)
            table.add_column("why", ratio=1)
            for row in self.rows:
                table.add_row(*(ut.rich_text(cell) for cell in row))
            yield table
            return
        yield Text()
        for name, kind, value, why in self.rows:
            yield Text.assemble("  ", (ut.plain(name), "bold"), ut.plain(f"  {kind}: {value}"))
            yield Padding(Text(ut.plain(why)), (0, 0, 0, 6))


def info_markdown(info) -> str:
    lines = [f"### {ut.markdown(info.problem.title)}: parameters and hyper-parameters", "",
             "| quantity | kind | value / shape | why |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(ut.markdown(cell) for cell in row) + " |"
              for row in _info_rows(info)]
    lines += ["", f"**{info.learned_scalars} learned scalars** in {len(info.parameters)} "
              "parameters."]
    return "\n".join(lines) + "\n"


def info_html(info) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{ut.html(c)}</td>" for c in row) + "</tr>"
                   for row in _info_rows(info))
    return (f"<h4>{ut.html(info.problem.title)}: parameters and hyper-parameters</h4>"
            "<table><thead><tr><th>quantity</th><th>kind</th><th>value / shape</th>"
            f"<th>why</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p><b>{info.learned_scalars} learned scalars</b> in {len(info.parameters)} "
            "parameters.</p>")


# ----------------------------------------------------------------------------- curves

def diagnosis_json(d) -> dict:
    return {"file": d.curves.file, "diagnosis": d.diagnosis, "epoch": _j(d.epoch),
            "advice": list(d.advice), "remedies": list(d.remedies),
            "evidence": {k: _j(v) for k, v in d.evidence.items()},
            "smoothing": d.rules["smoothing"], "window": d.rules["window"],
            "patience": d.rules["patience"]}


_EVIDENCE_LABELS = {
    "epochs": "epochs read", "missing_epochs": "missing epochs", "metric": "validation metric",
    "best_epoch": "best epoch", "best_value": "best value (smoothed)",
    "last_value": "last value (smoothed)", "worsening_after_best": "worsening after the best",
    "metric_tolerance": "metric tolerance", "train_loss_first": "train loss, first (smoothed)",
    "train_loss_last": "train loss, last (smoothed)", "train_loss_min": "train loss, minimum",
    "train_loss_min_epoch": "train loss minimum at epoch",
    "train_loss_at_best": "train loss at the best epoch",
    "train_loss_tolerance": "train loss tolerance", "train_loss_rise": "train loss rise",
    "train_loss_recent_rate": "train loss fall per epoch, recent",
    "train_loss_average_rate": "train loss fall per epoch, average",
    "metric_recent_gain": "metric gain over the patience window",
    "high_loss_threshold": "high-loss threshold", "non_finite": "non-finite value",
}


def _evidence_lines(d) -> list:
    return [f"{_EVIDENCE_LABELS.get(k, k)}: {_n(v, 4)}" for k, v in d.evidence.items()
            if k not in ("first_epoch", "last_epoch", "higher_is_better")]


def diagnosis_text(d) -> str:
    lines = [ut.plain(d.curves.title), f"diagnosis: {d.diagnosis.replace('_', ' ')}"
             + (f" (epoch {_n(d.epoch)})" if d.epoch is not None else "")]
    lines += [f"  {sentence}" for sentence in d.advice]
    lines += [f"note: {ut.plain(note)}" for note in d.curves.notes]
    lines += ["evidence:"] + [f"  {line}" for line in _evidence_lines(d)]
    lines.append(f"rules: smoothing by {d.rules['smoothing']}; patience "
                 f"{d.rules['patience']} points")
    return "\n".join(lines) + "\n"


def diagnosis_markdown(d) -> str:
    lines = [f"### {ut.markdown(d.curves.title)}", "",
             f"**Diagnosis: {d.diagnosis.replace('_', ' ')}**"
             + (f" (epoch {_n(d.epoch)})" if d.epoch is not None else ""), ""]
    lines += [f"- {ut.markdown(sentence)}" for sentence in d.advice]
    lines += [f"- Note: {ut.markdown(note)}" for note in d.curves.notes]
    lines += ["", "| evidence | value |", "|---|---:|"]
    lines += ["| " + " | ".join(ut.markdown(part) for part in line.split(": ", 1)) + " |"
              for line in _evidence_lines(d)]
    lines += ["", f"*Smoothing: {d.rules['smoothing']}; patience {d.rules['patience']} "
              "points.*"]
    return "\n".join(lines) + "\n"


def diagnosis_html(d) -> str:
    items = "".join(f"<li>{html.escape(s)}</li>" for s in d.advice)
    rows = "".join("<tr><td>{}</td><td>{}</td></tr>".format(*map(html.escape,
                                                                line.split(": ", 1)))
                   for line in _evidence_lines(d))
    return (f"<h4>{ut.html(d.curves.title)}</h4><p><b>Diagnosis: "
            f"{d.diagnosis.replace('_', ' ')}</b>"
            + (f" (epoch {_n(d.epoch)})" if d.epoch is not None else "")
            + f"</p><ul>{items}</ul><table>{rows}</table><p><i>Smoothing: "
            f"{html.escape(d.rules['smoothing'])}; patience {d.rules['patience']} "
            "points.</i></p>")


def diagnosis_panels(d) -> list:
    """Losses in one panel, accuracies in another, the chosen epoch marked."""
    epochs = d.curves.epochs
    panels = []
    for unit, names in (("loss", ("train_loss", "val_loss")),
                        ("accuracy", ("train_accuracy", "val_accuracy"))):
        series = [Series(name, list(zip(epochs, d.curves.series[name])))
                  for name in names if name in d.curves.series]
        if series:
            panels.append(Panel(unit, series, d.epoch,
                                f"epoch {_n(d.epoch)}" if d.epoch is not None else ""))
    return panels


# ----------------------------------------------------------------------------- prove

def _side(proof, expr, style: str) -> str:
    from hwsolve.teach.prove import claim_latex, claim_text
    return claim_text(expr) if style == "text" else claim_latex(expr)


def _verdict_sentence(proof) -> str:
    return {"proved": "Proved: the two sides are equal.",
            "different": "Not an identity: the two sides differ.",
            "undecided": "Undecided: hwsolve could neither prove nor refute it."
            }[proof.verdict] + f" ({proof.reason})"


def _counterexample(proof, style: str) -> str:
    c = proof.counterexample
    at = ", ".join(f"{k} = {v}" for k, v in c["at"].items())
    def show(v):
        return str(v) if c["exact"] else num.fmt_sig(Fraction(str(v)), 12) + "…"
    where = f"Counterexample at {at}:" if at else "The sides are constants:"
    return (f"{where} left = {show(c['left'])}, right = {show(c['right'])}, "
            f"difference = {show(c['difference'])}"
            + (" (exact)." if c["exact"] else " (60 digits).") )


def proof_text(proof) -> str:
    lines = [ut.plain(proof.title)] if proof.title else []
    lines.append(f"Show: {ut.plain(proof.left_text)} = {ut.plain(proof.right_text)}")
    for number, step in enumerate(proof.steps, start=1):
        lines.append(f"{number}. {step.title}: {step.rule}")
        if step.right is None:
            lines.append(f"     left − right = {_side(proof, step.left, 'text')}")
        else:
            lines.append(f"     {_side(proof, step.left, 'text')}")
            lines.append(f"   = {_side(proof, step.right, 'text')}" if step.title == "Claim"
                         else f"     and {_side(proof, step.right, 'text')}")
    lines.append(_verdict_sentence(proof))
    if proof.counterexample:
        lines.append(_counterexample(proof, "text"))
    return "\n".join(lines) + "\n"


def _latex_steps(proof) -> list:
    rows = []
    for step in proof.steps:
        rows.append(rf"&\text{{{step.title}: {_tex_escape(step.rule)}}} \\")
        if step.right is None:
            rows.append(rf"\text{{left}} - \text{{right}} &= {_side(proof, step.left, 'latex')} \\")
        else:
            rows.append(rf"{_side(proof, step.left, 'latex')} &\overset{{?}}{{=}} "
                        rf"{_side(proof, step.right, 'latex')} \\")
    return rows


def _tex_escape(text: str) -> str:
    from hwsolve.render.latex import tex_escape
    return tex_escape(text.replace("−", "-"))


def proof_latex(proof, standalone: bool = False) -> str:
    body = "\n".join([r"\begin{align*}", *_latex_steps(proof), r"\end{align*}",
                      _tex_escape(_verdict_sentence(proof))]
                     + ([_tex_escape(_counterexample(proof, "latex"))]
                        if proof.counterexample else [])) + "\n"
    if not standalone:
        return body
    return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
            + (f"\\section*{{{_tex_escape(proof.title)}}}\n" if proof.title else "")
            + body + "\\end{document}\n")


def proof_markdown(proof) -> str:
    lines = [f"### {ut.markdown(proof.title)}", ""] if proof.title else []
    lines.append(f"Show: {ut.markdown(proof.left_text)} = {ut.markdown(proof.right_text)}")
    lines.append("")
    for number, step in enumerate(proof.steps, start=1):
        lines.append(f"{number}. **{step.title}**: {step.rule}")
        lines.append("")
        if step.right is None:
            math = rf"\text{{left}} - \text{{right}} = {_side(proof, step.left, 'latex')}"
        else:
            math = (rf"{_side(proof, step.left, 'latex')} \overset{{?}}{{=}} "
                    rf"{_side(proof, step.right, 'latex')}")
        lines += ["$$", math, "$$", ""]
    lines.append(f"**{_verdict_sentence(proof)}**")
    if proof.counterexample:
        lines += ["", _counterexample(proof, "text")]
    return "\n".join(lines) + "\n"


def proof_json(proof) -> dict:
    c = proof.counterexample
    return {"left": proof.left_text, "right": proof.right_text, "verdict": proof.verdict,
            "reason": proof.reason,
            "steps": [{"title": s.title, "rule": s.rule,
                       "left": _side(proof, s.left, "text"),
                       "right": None if s.right is None else _side(proof, s.right, "text"),
                       "latex": {"left": _side(proof, s.left, "latex"),
                                 "right": None if s.right is None
                                 else _side(proof, s.right, "latex")}}
                      for s in proof.steps],
            "counterexample": None if c is None else {
                "at": {k: _j(v) for k, v in c["at"].items()}, "exact": c["exact"],
                "left": str(c["left"]), "right": str(c["right"]),
                "difference": str(c["difference"])}}
