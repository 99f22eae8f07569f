"""Reading learning curves from a CSV: hwsolve's own (``epoch,train_loss,val_accuracy``, a
training ``--history``), Keras ``CSVLogger`` (``epoch,accuracy,loss,val_accuracy,val_loss``),
Lightning ``metrics.csv`` (one row per logging call, blank cells elsewhere) and TensorBoard's
CSV export (``Wall time,Step,Value``), with ``--column NAME=METRIC`` for anything else.

The whole file is read (or refused, past :data:`MAX_BYTES`), through :mod:`hwsolve.fileio`,
so a FIFO or a device is refused.  Rows stream through: a cell is read exactly as a scaled
integer (``0.25`` is 25·10⁻²), and no object is kept per row.  Rows with the same epoch merge
(Lightning writes the training and the validation metrics of an epoch on separate rows).  A
run of more than :data:`MAX_POINTS` epochs is averaged, exactly, in bins of consecutive epochs
(stated in the output); the first NaN or infinite loss is still located to its own row.
"""

from __future__ import annotations

import csv
import math
import re
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext
from fractions import Fraction
from pathlib import Path

from hwsolve import fileio, num
from hwsolve.errors import HwsolveError

METRICS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
TARGETS = ("epoch", "step", *METRICS, "ignore")
MAX_BYTES = 256 * fileio.MiB
MAX_ROWS = 1_000_000
MAX_POINTS = 10_000
ALIASES = {
    "epoch": "epoch", "epochs": "epoch", "step": "step", "steps": "step",
    "global_step": "step", "l": "train_loss", "loss": "train_loss",
    "training_loss": "train_loss", "accuracy": "train_accuracy", "acc": "train_accuracy",
    "train_acc": "train_accuracy", "training_accuracy": "train_accuracy",
    "val_acc": "val_accuracy", "valid_acc": "val_accuracy", "valid_accuracy": "val_accuracy",
    "validation_accuracy": "val_accuracy", "valid_loss": "val_loss",
    "validation_loss": "val_loss", **{m: m for m in METRICS}}
IGNORED = ("yhat", "lr", "learning_rate", "time", "wall time", "grad")
_SPAN = num.MAX_LITERAL_EXPONENT + num.MAX_LITERAL_DIGITS
_EXACT = Context(prec=4 * _SPAN + 20, Emax=4 * _SPAN, Emin=-4 * _SPAN, traps=[Inexact,
                                                                          InvalidOperation])
"""Wide enough that every sum of cells (each within 10^±2000, at most 1000 digits, at most a
million of them) is exact; Inexact is trapped, so a rounding could never pass silently."""
_ZERO = Decimal(0)
_PLAIN = re.compile(r"([-+]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]{1,4}))?")


def parse_cell(text: str):
    """A number exactly (a Fraction), nan/inf as floats, an empty cell as None."""
    value = _cell(text)
    if isinstance(value, tuple):
        return _fraction({value[1]: value[0]}, 1)
    return value


def _cell(text: str):
    """(m, k) for the number m·10^-k, a float for nan/inf, None for an empty cell;
    ValueError with a sentence otherwise."""
    text = text.strip()
    if not text:
        return None
    body = text[1:] if text[0] == "-" else text
    whole, _, frac = body.partition(".")
    if (whole.isdigit() and (whole[0] != "0" or len(whole) == 1) or not whole and frac) \
            and (frac.isdigit() or not frac) and len(body) <= 400 and body.isascii():
        m = int(whole + frac)  # the common case, 0.6931 or 12: no regular expression
        return (-m if body is not text else m, len(frac))
    match = _PLAIN.fullmatch(text)
    if match and (match[2] or match[3]) and len(text) <= num.MAX_LITERAL_DIGITS:
        sign, whole, frac, exponent = match.groups()
        if not (len(whole) > 1 and whole[0] == "0"):
            frac = frac or ""
            k = len(frac) - int(exponent or 0)
            if abs(k) <= num.MAX_LITERAL_EXPONENT + num.MAX_LITERAL_DIGITS:
                m = int(whole + frac or "0")
                return (-m if sign == "-" else m, k)
    lowered = text.lower().lstrip("+")
    if lowered in ("nan", ".nan", "-nan"):
        return math.nan
    if lowered in ("inf", "infinity", ".inf", "-inf", "-.inf", "-infinity"):
        return -math.inf if lowered.startswith("-") else math.inf
    value = num.parse_decimal(text)  # raises the sentence for anything else
    return (value.numerator, 0) if value.denominator == 1 else _as_scaled(value)


def _as_scaled(value: Fraction):
    k = 0
    while 10 ** k % value.denominator:  # parse_decimal gives denominators 2^a·5^b
        k += 1
    return int(value * 10 ** k), k


def _fraction(sums: dict, count: int) -> Fraction:
    top = max(sums)
    total = sum(m * 10 ** (top - k) for k, m in sums.items())
    return Fraction(total, 10 ** top * count) if top >= 0 else \
        Fraction(total * 10 ** -top, count)


def parse_mapping(items) -> dict:
    """``--column NAME=METRIC`` options as {name as written (lower case): metric}."""
    mapping = {}
    for item in items or ():
        name, sep, target = item.partition("=")
        if not sep or not name.strip() or target.strip() not in TARGETS:
            raise HwsolveError(f"{item!r}: write NAME=METRIC, where METRIC is one of "
                               + ", ".join(TARGETS), where="--column")
        mapping[name.strip().lower()] = target.strip()
    return mapping


def _columns(header: list, display: str, mapping: dict, notes: list) -> tuple:
    """(x name, {position: (metric, column)}, ignored column names)."""
    names = [cell.strip() for cell in header]
    lowered = [n.lower() for n in names]
    found, seen, ignored = {}, {}, []
    for position, (column, key) in enumerate(zip(names, lowered)):
        if key in mapping:
            name = mapping[key]
        elif key in ALIASES:
            name = ALIASES[key]
        elif key.endswith("_epoch") and key[:-6] in ALIASES:
            name = ALIASES[key[:-6]]                        # Lightning on_epoch
        elif key.endswith("_step") and key[:-5] in ALIASES:
            name = "ignore" if key[:-5] + "_epoch" in lowered else ALIASES[key[:-5]]
        elif key == "value" and "wall time" in lowered:     # a TensorBoard export
            name = _tensorboard_metric(display)
            notes.append(f"read the TensorBoard column 'Value' as {name} (from the file "
                         f"name); say otherwise with --column Value=METRIC")
        elif key.startswith(IGNORED) or key.startswith("lr-"):
            name = "ignore"
        else:
            raise HwsolveError(f"unknown column {column!r}; the columns read are epoch (or "
                               "step), " + ", ".join(METRICS) + " (or L), with the Keras, "
                               "Lightning and TensorBoard names; map others with --column "
                               f"'{column}=METRIC' (or =ignore)", file=display, line=1,
                               where=f"column {column!r}")
        if name == "ignore":
            ignored.append(column)
            continue
        if name in seen:
            raise HwsolveError(f"columns {seen[name]!r} and {column!r} both give {name}",
                               file=display, line=1, where=f"column {column!r}")
        seen[name] = column
        found[position] = (name, column)
    x = "epoch" if "epoch" in seen else "step" if "step" in seen else None
    if x is None:
        raise HwsolveError("needs an 'epoch' column (or 'step')", file=display, line=1)
    if not any(name in METRICS for name in seen):
        raise HwsolveError("needs at least one of " + ", ".join(METRICS), file=display, line=1)
    return x, found, ignored


def _tensorboard_metric(display: str) -> str:
    name = Path(display).name.lower()
    what = "accuracy" if "acc" in name else "loss" if "loss" in name else None
    if what is None:
        raise HwsolveError("a TensorBoard export holds one metric, and its file name does not "
                           "say which; say it with --column Value=METRIC (train_loss, "
                           "val_loss, train_accuracy or val_accuracy)", file=display, line=1,
                           where="column 'Value'")
    stage = "val" if re.search(r"val|valid|test|eval", name) else "train"
    return f"{stage}_{what}"


def read_csv(path: str | Path, display: str | None = None, columns=None):
    """Curves from a CSV file (the whole file, or a clear refusal)."""
    display = display or str(path)
    text = fileio.read_text(path, limit=MAX_BYTES, what="learning-curves CSV", display=display)
    return parse_csv(text, display, columns)


def parse_csv(text: str, display: str, columns=None):
    from hwsolve.teach.curves import Curves

    mapping = parse_mapping(columns) if not isinstance(columns, dict) else columns
    start, offset, first = _header_line(text)
    if first is None:
        raise HwsolveError("is empty; a curves CSV needs a header row such as "
                           "'epoch,train_loss,val_accuracy'", file=display)
    try:
        header = next(csv.reader([first]))
    except csv.Error as exc:
        raise HwsolveError(f"CSV syntax error: {exc}", file=display, line=start + 1) from None
    notes: list = []
    x, found, ignored = _columns(header, display, mapping, notes)
    estimate = text.count("\n", offset)
    bin_size = max(1, -(-estimate // MAX_POINTS))
    try:
        points = _stream(text, start, offset, header, x, found, display, bin_size)
    except _Conflict as conflict:
        if x == "epoch" and any(name == "step" for name, _ in found.values()):
            x = "step"   # Lightning logging on every step: the step is the x-axis
            notes.append("several rows of one epoch log the same metric, so the step is "
                         "the x-axis")
            points = _stream(text, start, offset, header, x, found, display, bin_size)
        else:
            raise conflict.error from None
    epochs, series, rows, nonfinite = points
    if len(epochs) < 2:
        raise HwsolveError("needs at least two epochs to show a trend", file=display)
    series = {name: values for name, values in series.items() if name != "step" and name !=
              "epoch" and any(v is not None for v in values)}
    if not series:
        raise HwsolveError("every metric column is empty", file=display)
    if bin_size > 1:
        notes.append(f"{rows:,} rows: the curves are the exact means of bins of {bin_size:,} "
                     f"consecutive {x}s ({len(epochs):,} points)")
    curves = Curves(display, display, epochs, series, ignored)
    curves.notes, curves.rows, curves.nonfinite = notes, rows, nonfinite
    curves.x_name = x
    return curves


class _Conflict(Exception):
    def __init__(self, error: HwsolveError):
        super().__init__(str(error))
        self.error = error


def _header_line(text: str) -> tuple:
    """(line index, offset after it, text) of the first non-blank line; no list of lines is
    made (a million-row file would need 80 MB for it)."""
    position = index = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end]
        if line.strip():
            return index, end + 1, line
        position, index = end + 1, index + 1
    return index, position, None


def _lines(text: str, offset: int):
    """The lines of ``text`` after ``offset``, one at a time (csv.reader takes any iterable;
    io.StringIO would copy the text at four bytes a character)."""
    find = text.find
    while offset < len(text):
        end = find("\n", offset)
        if end < 0:
            yield text[offset:]
            return
        yield text[offset:end + 1]
        offset = end + 1


def _stream(text: str, start: int, offset: int, header: list, x: str, found: dict,
            display: str, bin_size: int) -> tuple:
    """One pass over the rows: merge rows of the same x, average bins of ``bin_size`` xs."""
    with localcontext(_EXACT):
        return _rows(text, start, offset, header, x, found, display, bin_size)


def _strict(cell: str, display: str, line: int, column: str) -> Decimal:
    """A cell that Decimal refused or that needs a closer look, read by the strict reader:
    its sentence on a bad cell, its value (as a Decimal) on a good one."""
    try:
        value = _cell(cell)
    except ValueError:
        raise HwsolveError(f"{cell.strip()[:40]!r} is not a number", file=display, line=line,
                           where=f"column {column!r}") from None
    if isinstance(value, float):
        return Decimal(value)
    m, k = value
    return Decimal(m).scaleb(-k)


def _rows(text: str, start: int, offset: int, header: list, x: str, found: dict,
          display: str, bin_size: int) -> tuple:
    reader = csv.reader(_lines(text, offset))
    x_pos = next(p for p, (name, _) in found.items() if name == x)
    metrics = [(p, name, column) for p, (name, column) in found.items() if name in METRICS]
    width = len(header)
    epochs: list = []
    series = {name: [] for _, name, _ in metrics}
    nonfinite: dict = {}
    # per metric: exact sum, count, nan/inf, the line where the x it was last given at
    # began (a token per x), column, name
    acc = {name: [_ZERO, 0, None, None, column, name] for _, name, column in metrics}
    cells = [(position, acc[name]) for position, name, _ in metrics]
    x_column = header[x_pos].strip()
    last = None
    in_bin = rows = first_line = 0

    def close():
        for name, state in acc.items():
            total, count, bad = state[:3]
            series[name].append(bad if bad is not None else
                                Fraction(total) / count if count else None)
            state[0], state[1], state[2] = _ZERO, 0, None
        epochs.append(Fraction(last))

    try:
        for row in reader:
            if len(row) != width:
                if not "".join(row).strip():
                    continue
                raise HwsolveError(
                    f"this row has {len(row)} cells but the header has {width}: the curves "
                    "have different lengths (leave a cell empty for a missing value)",
                    file=display, line=reader.line_num + start + 1)
            cell = row[x_pos]
            if cell.isdigit() and cell.isascii():
                epoch = int(cell)
            else:
                if not "".join(row).strip():
                    continue
                epoch = _number(cell, display, reader.line_num + start + 1, x_column)
                if epoch is None and all(not row[p].strip() for p, _ in cells):
                    continue  # only ignored columns (Lightning's lr-Adam rows): nothing to read
                if epoch.__class__ is float or epoch is None:
                    raise HwsolveError(f"every row needs a finite {x} number", file=display,
                                       line=reader.line_num + start + 1,
                                       where=f"column {x_column!r}")
            rows += 1
            if rows > MAX_ROWS:
                raise HwsolveError(f"has more than {MAX_ROWS:,} rows", file=display,
                                   line=reader.line_num + start + 1)
            if epoch != last:
                if last is not None:
                    if epoch < last:
                        raise HwsolveError(f"{x} {epoch} comes after {x} {last}: the rows "
                                           f"must be in {x} order", file=display,
                                           line=reader.line_num + start + 1)
                    in_bin += 1
                    if in_bin == bin_size:
                        close()
                        in_bin = 0
                last, first_line = epoch, reader.line_num + start + 1
            for position, state in cells:
                cell = row[position]
                if not cell or cell.isspace():
                    continue
                if state[3] == first_line:
                    line = reader.line_num + start + 1
                    raise _Conflict(HwsolveError(f"{x} {epoch} appears twice (lines "
                                                 f"{first_line} and {line})", file=display,
                                                 line=line))
                state[3] = first_line
                try:  # C-speed and exact; anything unusual goes through the strict reader
                    value = Decimal(cell)
                    if "_" in cell or value.is_finite() and not -_SPAN < value.adjusted() < _SPAN:
                        raise InvalidOperation
                except InvalidOperation:
                    value = _strict(cell, display, reader.line_num + start + 1, state[4])
                if value.is_finite():
                    state[0] += value
                    state[1] += 1
                else:
                    bad = math.nan if value.is_nan() else float(value)
                    state[2] = bad if state[2] is None or math.isnan(bad) else state[2]
                    nonfinite.setdefault(state[5], epoch)
    except csv.Error as exc:
        raise HwsolveError(f"CSV syntax error: {exc}", file=display,
                           line=reader.line_num + start + 1) from None
    if last is not None:
        close()
    return epochs, series, rows, nonfinite


def _number(text: str, display: str, line: int, column: str):
    try:
        value = _cell(text)
    except ValueError:
        raise HwsolveError(f"{text.strip()[:40]!r} is not a number", file=display, line=line,
                           where=f"column {column!r}") from None
    if isinstance(value, tuple):
        return _fraction({value[1]: value[0]}, 1)
    return value
