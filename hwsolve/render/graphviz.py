"""The computational graph as a Graphviz picture (``hwsolve graph NAME -o FILE``).

Each slot is a vertex showing its forward value and its gradient dL/d(slot); the output feeds
Ŷ, which feeds the loss.  Inputs, params, constants, nodes and the loss have their own shape
and colour, and the layout reads left to right.  The dot text needs no external program;
.svg, .png and .pdf are drawn by Graphviz's ``dot`` when it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.render import usertext
from hwsolve.engine.solve import Solution

DRAWN = ("svg", "png", "pdf")
MAX_DRAWN_VERTICES = 100
"""Larger pictures are refused: nobody reads them, and a 2,000-node chain made Graphviz's dot
use 5.7 GB for 25 s before it failed, and a 100-node chain whose weight feeds every node
takes it 11 s.  The .dot text has no limit (it is linear)."""
GRADIENT_COLOUR = "#b91c1c"
STYLES = {
    "input": 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
    "param": 'shape=box, style=filled, fillcolor="#dcfce7"',
    "constant": 'shape=note, style=filled, fillcolor="#f3f4f6"',
    "node": 'shape=box, style="rounded,filled", fillcolor="#fef9c3"',
    "output": 'shape=box, style="rounded,filled", fillcolor="#fde68a", peripheries=2',
    "loss": 'shape=doubleoctagon, style=filled, fillcolor="#fee2e2"',
}


def dot_source(solution: Solution, edges: bool = False, digits: int = 3,
               note: str | None = None) -> str:
    """The graph in the dot language; ``edges`` labels each edge with ∂(head)/∂(tail);
    ``note`` is a line under the title (one example of a batch says so)."""
    full = solution.full
    graph, values, grads = full.graph, full.values, solution.grads
    title = usertext.dot_string(solution.problem.title) + (r"\n" + _quoted(note) if note else "")
    lines = ["digraph hwsolve {",
             "  rankdir=LR;",
             f'  label="{title}"; labelloc=t;',
             '  fontsize=16; fontname="Helvetica";',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, color="#6b7280", fontcolor="#374151"];']
    for number, slot in enumerate(graph.slots):
        gradient = None if slot.kind in ("constant", "label", "loss") else grads[number]
        name = slot.label.replace("Yhat", "Ŷ", 1) if slot.kind == "yhat" else slot.label
        kind = "output" if slot.kind == "yhat" else ("constant" if slot.kind == "label"
                                                     else slot.kind)
        lines.append(_vertex(f"s{number}", name, values[number], gradient, kind, digits))
    for node, local in zip(graph.nodes + graph.head_nodes, full.local):
        partials = dict(local)
        for slot in node.inputs:
            if slot not in partials and graph.slots[slot].kind == "label":
                continue  # the label is read by the loss, not differentiated
            label = partials.get(slot) if edges else None
            lines.append(_edge(f"s{slot}", f"s{node.slot}", label, digits))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _vertex(ident: str, name: str, value, gradient, kind: str, digits: int) -> str:
    rows = [f"<B>{escape(name)}</B>", escape(num.fmt_sig(value, digits))]
    if gradient is not None:
        rows.append(f'<FONT COLOR="{GRADIENT_COLOUR}">dL/d{escape(name)} = '
                    f"{escape(num.fmt_sig(gradient, digits))}</FONT>")
    return f"  {ident} [label=<{'<BR/>'.join(rows)}>, {STYLES[kind]}];"


def _edge(tail: str, head: str, label, digits: int) -> str:
    if label is None:
        return f"  {tail} -> {head};"
    return f'  {tail} -> {head} [label="{num.fmt_sig(label, digits)}"];'


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write(solution: Solution, path: str | Path, edges: bool = False, digits: int = 3,
          note: str | None = None, *, force: bool = False, inputs=()) -> None:
    """Write the graph to ``path``: dot text for .dot/.gv, a picture for .svg/.png/.pdf;
    through :mod:`hwsolve.fileio` (never over an input, never replacing without ``force``)."""
    from hwsolve import fileio

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt in ("dot", "gv"):
        data = dot_source(solution, edges, digits, note)
    elif fmt in DRAWN:
        vertices = len(solution.graph.slots) + 2  # every slot, Ŷ and L
        if vertices > MAX_DRAWN_VERTICES:
            raise HwsolveError(
                f"a picture of {vertices:,} vertices is too large to read, and Graphviz needs "
                f"gigabytes of memory to lay it out; {path.name} is drawn only up to "
                f"{MAX_DRAWN_VERTICES:,} vertices: write a .dot file instead (any size)",
                file=solution.problem.file, where="--output")
        fileio.check_writable(path, force=force, inputs=inputs, option="--output")
        data = _draw(dot_source(solution, edges, digits, note), fmt, path)
    else:
        raise HwsolveError(f"cannot write {path.name!r}: the graph is written as .dot or .gv, "
                           "or drawn as .svg, .png or .pdf", where="--output")
    fileio.write_file(path, data, force=force, inputs=inputs, option="--output")


def _draw(source: str, fmt: str, path: Path) -> bytes:
    program = shutil.which("dot")
    if program is None:
        raise HwsolveError(f"drawing {path.name} needs Graphviz's 'dot' program, which is not "
                           "installed; install Graphviz (Debian: apt-get install graphviz), "
                           "or write a .dot file instead", where="--output")
    try:
        done = subprocess.run([program, f"-T{fmt}"], input=source.encode(),
                              capture_output=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HwsolveError(f"Graphviz's dot failed: {exc}", where="--output") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip() or f"exit code {done.returncode}"
        raise HwsolveError(f"Graphviz's dot could not draw {path.name}: {message}",
                           where="--output")
    return done.stdout
