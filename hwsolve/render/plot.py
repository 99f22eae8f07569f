"""Line plots of series of (x, y): as text for the terminal, or as a PNG/SVG/PDF file with
matplotlib (the optional ``plot`` extra).  Generic: learning curves use it, and so can
training-loss curves.  A plot is a list of panels (one y-axis each, e.g. losses and
accuracies); a panel holds named series and may mark one x (the chosen epoch).

Values may be exact numbers far outside float range (a diverging run's L = 1e3613, or
1e-861): when every value is positive and they span more than three decades, or some of them
leave float range, the y-axis is logarithmic (log10 is taken exactly from the integers, so no
value overflows); values that cannot be drawn (NaN, ±inf, or beyond float range on a linear
axis) are left out and a note says from where.  Nothing else is computed here beyond placing
the given points on a grid of characters.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from fractions import Fraction

from hwsolve.errors import HwsolveError
from hwsolve.render import usertext

MARKERS = "●○▲△■□◆◇"
LOG_SPAN = 3   # decades of range above which a positive curve is drawn on a log axis


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


@dataclass
class _Drawn:
    """A panel as float pairs on its drawing scale, with what was left out."""
    series: list           # (label, [(x, y)]) with floats
    log: bool
    notes: list


def _float(value):
    """A float for ``value``, or None when it is beyond float range (or rounds to 0)."""
    try:
        f = float(value)
    except OverflowError:
        return None
    if f == 0 and value != 0:
        return None
    return f


def _log10(value) -> float:
    """log10 of a positive number of any size (Fractions through their integers)."""
    if isinstance(value, Fraction):
        return math.log10(value.numerator) - math.log10(value.denominator)
    return math.log10(value)


def _first_x(items: list) -> str:
    return f"{min(items):g}"


def _prepare(panel: Panel) -> _Drawn:
    raw, nonfinite, outside = [], [], []
    for series in panel.series:
        points = []
        for x, y in series.points:
            fx = _float(x)
            if y is None or fx is None:
                continue
            if isinstance(y, float) and not math.isfinite(y):
                nonfinite.append((series.label, fx))
                continue
            fy = _float(y)
            if fy is not None and not math.isfinite(fy):
                fy = None
            if fy is None:
                outside.append((series.label, fx))
            points.append((fx, y, fy))
        raw.append((series.label, points))
    values = [y for _, pts in raw for _, y, _ in pts]
    log = bool(values) and all(y > 0 for y in values) and (
        bool(outside) or _log10(max(values)) - _log10(min(values)) > LOG_SPAN)
    notes = []
    if log:
        drawn = [(label, [(x, _log10(y)) for x, y, _ in pts]) for label, pts in raw]
        if outside:
            names = sorted({label for label, _ in outside})
            notes.append(f"{', '.join(names)} leaves float range (from x = "
                         f"{_first_x([x for _, x in outside])}); drawn on the log scale")
    else:
        drawn = [(label, [(x, fy) for x, _, fy in pts if fy is not None]) for label, pts in raw]
        if outside:
            names = sorted({label for label, _ in outside})
            notes.append(f"{', '.join(names)} is beyond float range from x = "
                         f"{_first_x([x for _, x in outside])} on; not drawn")
    if nonfinite:
        names = sorted({label for label, _ in nonfinite})
        notes.append(f"{', '.join(names)} is NaN or infinite from x = "
                     f"{_first_x([x for _, x in nonfinite])} on; not drawn")
    return _Drawn(drawn, log, notes)


def terminal(panels: list, width: int = 72, height: int = 12) -> str:
    """Every panel as a character grid with a legend; linear in the number of points."""
    out = []
    for panel in panels:
        drawn = _prepare(panel)
        if any(pts for _, pts in drawn.series):
            out.append(_panel_text(panel, drawn, max(30, width), max(5, height)))
        elif drawn.notes:
            out.append(f"{panel.title}: nothing to draw; " + "; ".join(drawn.notes))
    return "\n".join(out)


def _tick(value: float, log: bool) -> str:
    return f"1e{round(value):+d}" if log and abs(value - round(value)) < 0.05 else \
        f"10^{value:.3g}" if log else f"{value:.3g}"


def _panel_text(panel: Panel, drawn: _Drawn, width: int, height: int) -> str:
    data = drawn.series
    xs = [x for _, pts in data for x, _ in pts]
    ys = [y for _, pts in data for _, y in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1
    if x1 == x0:
        x1 = x0 + 1
    labels = [_tick(y1, drawn.log), _tick(y0, drawn.log)]
    margin = max(len(t) for t in labels) + 1
    cols = width - margin - 1
    grid = [[" "] * cols for _ in range(height)]

    def col(x):
        return min(cols - 1, round((x - x0) / (x1 - x0) * (cols - 1)))

    def row(y):
        return min(height - 1, round((y1 - y) / (y1 - y0) * (height - 1)))

    mark = _float(panel.mark_x) if panel.mark_x is not None else None
    if mark is not None and x0 <= mark <= x1:
        c = col(mark)
        for r in range(height):
            grid[r][c] = "┊"
    for (label, pts), marker in zip(data, MARKERS):
        for x, y in pts:
            grid[row(y)][col(x)] = marker
    lines = [f"{panel.title}" + (f" ({panel.y_label})" if panel.y_label else "")
             + (" (log scale)" if drawn.log else "")]
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
    lines += [" " * (margin + 1) + f"note: {note}" for note in drawn.notes]
    return "\n".join(lines)


def check_file(path: str, *, force: bool = False, inputs=(), option: str = "--plot") -> None:
    """Refuse a plot file before any work: a wrong suffix, an input, an existing file."""
    from hwsolve import fileio

    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in ("png", "svg", "pdf"):
        raise HwsolveError("the plot file must end in .png, .svg or .pdf", file=path,
                           where=option)
    fileio.check_writable(path, force=force, inputs=inputs, option=option)


def write_file(panels: list, path: str, title: str = "", *, force: bool = False, inputs=(),
               option: str = "--plot") -> None:
    """A PNG, SVG or PDF with matplotlib, written through :mod:`hwsolve.fileio` (never over
    an input, never replacing a file without ``force``); a clear error without matplotlib."""
    from hwsolve import fileio

    check_file(path, force=force, inputs=inputs, option=option)
    suffix = path.rsplit(".", 1)[-1].lower()
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise HwsolveError("writing a plot file needs matplotlib: pip install 'hwsolve[plot]'",
                           where=option) from None
    prepared = [(panel, _prepare(panel)) for panel in panels]
    shown = [(p, d) for p, d in prepared if any(pts for _, pts in d.series)]
    figure, axes = pyplot.subplots(max(1, len(shown)), 1, figsize=(7, 3 * max(1, len(shown))),
                                   squeeze=False)
    buffer = io.BytesIO()
    try:
        for axis, (panel, drawn) in zip(axes[:, 0], shown):
            for label, pts in drawn.series:
                axis.plot([x for x, _ in pts], [y for _, y in pts], marker=".",
                          label=usertext.matplotlib(label))
            mark = _float(panel.mark_x) if panel.mark_x is not None else None
            if mark is not None:
                axis.axvline(mark, color="grey", linestyle="--", label=panel.mark_label or None)
            axis.set_title(usertext.matplotlib(panel.title)
                           + (" (log10 scale)" if drawn.log else ""))
            axis.set_ylabel(("log10 " if drawn.log else "") + usertext.matplotlib(panel.y_label))
            if drawn.notes:
                axis.text(0.01, 0.02, usertext.matplotlib("\n".join(drawn.notes)),
                          transform=axis.transAxes,
                          fontsize=7, va="bottom")
            axis.legend()
        if not shown:
            notes = [n for _, d in prepared for n in d.notes] or ["no values"]
            axes[0, 0].text(0.5, 0.5, usertext.matplotlib("nothing to draw:\n"
                                                          + "\n".join(notes)),
                            ha="center", va="center", transform=axes[0, 0].transAxes)
            axes[0, 0].set_axis_off()
        axes[-1, 0].set_xlabel("epoch")
        if title:
            figure.suptitle(usertext.matplotlib(title))
        figure.tight_layout()
        figure.savefig(buffer, format=suffix)
    finally:
        pyplot.close(figure)
    fileio.write_file(path, buffer.getvalue(), force=force, inputs=inputs, option=option)
