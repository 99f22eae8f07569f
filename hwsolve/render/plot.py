"""Line plots of series of (x, y): as text for the terminal, or as a PNG/SVG/PDF file with
matplotlib (the optional ``plot`` extra).  Generic: learning curves use it, and so can
training-loss curves.  A plot is a list of panels (one y-axis each, e.g. losses and
accuracies); a panel holds named series and may mark one x (the chosen epoch).

Nothing is computed here beyond placing the given points on a grid of characters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hwsolve.errors import HwsolveError

MARKERS = "●○▲△■□◆◇"


@dataclass
class Series:
    label: str
    points: list           # (x, y) pairs of numbers; a None or non-finite y is skipped


@dataclass
class Panel:
    title: str
    series: list = field(default_factory=list)
    mark_x: object = None  # an x to mark with a vertical line, or None
    mark_label: str = ""
    y_label: str = ""


def _finite(points: list) -> list:
    out = []
    for x, y in points:
        if y is None:
            continue
        fy = float(y)
        if math.isfinite(fy):
            out.append((float(x), fy))
    return out


def terminal(panels: list, width: int = 72, height: int = 12) -> str:
    """Every panel as a character grid with a legend; linear in the number of points."""
    return "\n".join(_panel_text(panel, max(30, width), max(5, height)) for panel in panels
                     if any(_finite(s.points) for s in panel.series))


def _panel_text(panel: Panel, width: int, height: int) -> str:
    data = [(s.label, _finite(s.points)) for s in panel.series]
    xs = [x for _, pts in data for x, _ in pts]
    ys = [y for _, pts in data for _, y in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1
    if x1 == x0:
        x1 = x0 + 1
    labels = [f"{y1:.3g}", f"{y0:.3g}"]
    margin = max(len(t) for t in labels) + 1
    cols = width - margin - 1
    grid = [[" "] * cols for _ in range(height)]

    def col(x):
        return min(cols - 1, round((x - x0) / (x1 - x0) * (cols - 1)))

    def row(y):
        return min(height - 1, round((y1 - y) / (y1 - y0) * (height - 1)))

    if panel.mark_x is not None and x0 <= float(panel.mark_x) <= x1:
        c = col(float(panel.mark_x))
        for r in range(height):
            grid[r][c] = "┊"
    for (label, pts), marker in zip(data, MARKERS):
        for x, y in pts:
            grid[row(y)][col(x)] = marker
    lines = [f"{panel.title}" + (f" ({panel.y_label})" if panel.y_label else "")]
    for r in range(height):
        tick = labels[0] if r == 0 else labels[1] if r == height - 1 else ""
        lines.append(f"{tick:>{margin - 1}} │" + "".join(grid[r]).rstrip())
    lines.append(" " * margin + "└" + "─" * cols)
    left, right = f"{x0:g}", f"{x1:g}"
    lines.append(" " * (margin + 1) + left + right.rjust(cols - len(left)))
    legend = "   ".join(f"{m} {label}" for (label, _), m in zip(data, MARKERS))
    if panel.mark_x is not None:
        legend += f"   ┊ {panel.mark_label or 'x = ' + str(panel.mark_x)}"
    lines.append(" " * (margin + 1) + legend)
    return "\n".join(lines)


def write_file(panels: list, path: str, title: str = "") -> None:
    """A PNG, SVG or PDF with matplotlib; a clear error when it is not installed."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in ("png", "svg", "pdf"):
        raise HwsolveError("the plot file must end in .png, .svg or .pdf", where="--plot")
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise HwsolveError("writing a plot file needs matplotlib: pip install 'hwsolve[plot]'",
                           where="--plot") from None
    shown = [p for p in panels if any(_finite(s.points) for s in p.series)]
    figure, axes = pyplot.subplots(len(shown), 1, figsize=(7, 3 * len(shown)), squeeze=False)
    try:
        for axis, panel in zip(axes[:, 0], shown):
            for series in panel.series:
                pts = _finite(series.points)
                axis.plot([x for x, _ in pts], [y for _, y in pts], marker=".",
                          label=series.label)
            if panel.mark_x is not None:
                axis.axvline(float(panel.mark_x), color="grey", linestyle="--",
                             label=panel.mark_label or None)
            axis.set_title(panel.title)
            axis.set_ylabel(panel.y_label)
            axis.legend()
        axes[-1, 0].set_xlabel("epoch")
        if title:
            figure.suptitle(title)
        figure.tight_layout()
        figure.savefig(path)
    finally:
        pyplot.close(figure)
