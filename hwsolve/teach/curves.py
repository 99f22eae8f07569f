"""Learning curves: read them (CSV, a ``kind: curves`` problem, or a training ``--history`` CSV)
and diagnose over- or underfitting with the evidence in numbers.

Every cell is taken exactly from its text (``0.25`` is 1/4), so smoothing, medians and the
comparisons behind a diagnosis are exact; a tie is decided by a stated rule (the earliest
epoch), never by rounding.  ``nan``/``inf`` cells are kept: they mean a run diverged.

The rules (all stated in the output):

* smoothing: a centred moving average over ``window`` points (missing cells skipped);
* tolerance per curve: max(3 × the median distance of a point from its smoothed curve,
  1% of the smoothed curve's range) — a change smaller than that is noise;
* patience: a trend must last ``patience`` points to count.

Diverging: a NaN/inf loss, or a smoothed training loss that ends more than max(tolerance,
10% of its range) above its minimum, reached before the last ``patience`` points.
Overfitting: the validation metric is best at epoch k, at least ``patience`` points before the
end, ends worse than that by more than its tolerance, while the training loss still falls.
Underfitting: the training loss and the validation metric still improve over the last
``patience`` points (progress at half its average rate or more: raise the learning rate;
slower: train longer), or the training loss stopped improving at half or more of its start
(enlarge the model).  Otherwise: a good fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.words import plural

METRICS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
DIAGNOSES = ("overfitting", "underfitting", "good_fit", "diverging", "undetermined")
REMEDIES = ("epochs", "early_stopping", "learning_rate", "train_longer", "model_size",
            "lower_learning_rate", "validation_data", "none")
HIGH_LOSS_FRACTION = Fraction(1, 2)


@dataclass
class Curves:
    file: str
    title: str
    epochs: list                 # Fractions, increasing
    series: dict                 # metric -> list of Fraction | float (nan/inf) | None (missing)
    ignored: list = field(default_factory=list)
    expect: dict = field(default_factory=dict)   # kind: curves files: key -> (text, line)
    notes: list = field(default_factory=list)    # how the file was read (binning, mapping)
    rows: int = 0                                # data rows read (0: from a YAML problem)
    nonfinite: dict = field(default_factory=dict)  # metric -> first epoch of NaN/inf
    x_name: str = "epoch"


@dataclass
class Diagnosis:
    curves: Curves
    diagnosis: str               # overfitting | underfitting | good_fit | diverging
    epoch: object                # the best epoch (Fraction) or None
    advice: list                 # sentences
    remedies: list               # keys: epochs, early_stopping, learning_rate, ...
    evidence: dict               # name -> number / text, in reading order
    smoothed: dict               # metric -> smoothed list (for the plot)
    rules: dict                  # window, patience: what the output states

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.diagnosis_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render.teach import diagnosis_markdown
        return diagnosis_markdown(self)

    def _repr_html_(self):
        from hwsolve.render.teach import diagnosis_html
        return diagnosis_html(self)


# ----------------------------------------------------------------------------- reading

def read_csv(path: str | Path, display: str | None = None, columns=None) -> Curves:
    """A CSV of curves: hwsolve's, Keras', Lightning's or TensorBoard's (curves_csv.py)."""
    from hwsolve.teach import curves_csv
    return curves_csv.read_csv(path, display, columns)


def parse_cell(text: str):
    """A number exactly, nan/inf as floats, an empty cell as None; ValueError otherwise."""
    from hwsolve.teach.curves_csv import parse_cell as parse
    return parse(text)


def _assemble(file: str, title: str, columns: dict, lines: list, ignored: list) -> Curves:
    epochs = columns.pop("epoch")
    if len(epochs) < 2:
        raise HwsolveError("needs at least two epochs to show a trend", file=file)
    order = []
    for index, (epoch, line) in enumerate(zip(epochs, lines)):
        if not isinstance(epoch, Fraction):
            raise HwsolveError("every row needs a finite epoch number", file=file, line=line,
                               where="column 'epoch'")
        order.append((epoch, index))
    order.sort()
    for (a, i), (b, j) in zip(order, order[1:]):
        if a == b:
            raise HwsolveError(f"epoch {a} appears twice (lines {lines[i]} and {lines[j]})",
                               file=file, line=lines[j])
    series = {name: [values[i] for _, i in order] for name, values in columns.items()
              if any(v is not None for v in values)}
    if not series:
        raise HwsolveError("every metric column is empty", file=file)
    return Curves(file, title, [e for e, _ in order], series, ignored)


def from_columns(file: str, title: str, columns: dict, lines: list) -> Curves:
    """Curves from a YAML problem's lists (kinds.py has checked their lengths)."""
    return _assemble(file, title, dict(columns), lines, [])


# ----------------------------------------------------------------------------- diagnosing

def diagnose(curves: Curves, *, window: int | None = None, patience: int | None = None,
             high_loss: Fraction | None = None) -> Diagnosis:
    n = len(curves.epochs)
    window = window or max(1, min(9, (n // 10) | 1))
    if window % 2 == 0:
        window += 1
    patience = patience or max(2, n // 10)
    epochs = curves.epochs
    smoothed = {name: _smooth(values, window) for name, values in curves.series.items()}
    rules = {"smoothing": f"centred moving average over {plural(window, 'point')}; the best epoch is "
             "the best raw value within that window around the smoothed best",
             "window": window, "patience": patience}
    evidence: dict = {"epochs": n, "first_epoch": epochs[0], "last_epoch": epochs[-1]}
    if curves.rows > n:
        evidence["rows"] = curves.rows
    missing = _missing_epochs(epochs) if curves.x_name == "epoch" and curves.rows <= n else []
    if missing:
        evidence["missing_epochs"] = missing
    result = Diagnosis(curves, "good_fit", None, [], [], evidence, smoothed, rules)

    bad = [(name, epochs[i]) for name in ("train_loss", "val_loss")
           for i, v in enumerate(curves.series.get(name, ())) if isinstance(v, float)]
    if bad:
        name, epoch = min(bad, key=lambda pair: pair[1])
        exact = {m: e for m, e in curves.nonfinite.items() if m in ("train_loss", "val_loss")}
        if exact:  # binned runs: the row where it happened, not the bin's epoch
            name, epoch = min(exact.items(), key=lambda pair: pair[1])
        evidence["non_finite"] = f"{name} is not a finite number at epoch {_t(epoch)}"
        finite = [(v, i) for i, v in enumerate(curves.series.get("train_loss", ()))
                  if isinstance(v, Fraction)]
        result.epoch = epochs[min(finite)[1]] if finite else None
        return _diverging(result, "the loss became NaN or infinite at epoch " + _t(epoch))

    train = smoothed.get("train_loss")
    t_tol = None
    if train and _count(train) >= 2:
        t_tol = _tolerance(curves.series["train_loss"], train)
        evidence.update(train_loss_first=_first(train), train_loss_last=_last(train),
                        train_loss_tolerance=t_tol)
        low, at = min((v, i) for i, v in enumerate(train) if v is not None)
        evidence.update(train_loss_min=low, train_loss_min_epoch=epochs[at])
        rise = _last(train) - low
        spread = max(v for v in train if v is not None) - low
        if at < _last_index(train) - patience + 1 and rise > max(t_tol, spread / 10):
            evidence["train_loss_rise"] = rise
            result.epoch = epochs[at]
            return _diverging(result, f"the training loss fell to {_f(low)} at epoch "
                              f"{_t(epochs[at])} and then rose by {_f(rise)} to {_f(_last(train))}")

    metric = next((m for m in ("val_accuracy", "val_loss")
                   if m in smoothed and _count(smoothed[m]) >= 2), None)
    m_tol = higher = best_i = None
    if metric:
        values = smoothed[metric]
        higher = metric.endswith("accuracy")
        m_tol = _tolerance(curves.series[metric], values)
        sign = 1 if higher else -1
        smooth_best = -max((sign * v, -i) for i, v in enumerate(values) if v is not None)[1]
        raw = curves.series[metric]
        near = range(max(0, smooth_best - window // 2), min(n, smooth_best + window // 2 + 1))
        best_i = -max((sign * raw[i], -i) for i in near if isinstance(raw[i], Fraction))[1]
        evidence.update(metric=metric, higher_is_better=higher, best_epoch=epochs[best_i],
                        best_value=values[best_i], last_value=_last(values),
                        metric_tolerance=m_tol)
        result.epoch = epochs[best_i]
        worse = sign * (values[best_i] - _last(values))
        evidence["worsening_after_best"] = worse
        after = _last_index(values) - best_i
        train_falls = True
        if train is not None and train[best_i] is not None:
            train_falls = _last(train) < train[best_i]
        if after >= patience and worse > m_tol and train_falls:
            if train is not None and train[best_i] is not None:
                evidence["train_loss_at_best"] = train[best_i]
            k = _t(epochs[best_i])
            result.diagnosis = "overfitting"
            result.remedies = ["epochs", "early_stopping"]
            result.advice = [
                f"Overfitting after epoch {k}: {metric} is best at epoch {k} "
                f"({_f(values[best_i])}) and then worsens to {_f(_last(values))}, while the "
                "training loss still falls"
                + (f" ({_f(train[best_i])} → {_f(_last(train))})." if train else "."),
                f"Set epochs = {k}, or stop early (early stopping with patience {patience} on "
                f"{metric})."]
            return result

    if train is not None and t_tol is not None:
        last_i = _last_index(train)
        start_i = max(0, last_i - patience)
        while start_i > 0 and train[start_i] is None:
            start_i -= 1
        recent = train[start_i] - train[last_i] if train[start_i] is not None else Fraction(0)
        span = epochs[last_i] - epochs[start_i]
        total_span = epochs[last_i] - epochs[0]
        first = _first(train)
        total = first - train[last_i]
        recent_rate = recent / span if span else Fraction(0)
        average_rate = total / total_span if total_span else Fraction(0)
        evidence.update(train_loss_recent_rate=recent_rate,
                        train_loss_average_rate=average_rate)
        metric_improving = True
        if metric:
            values = smoothed[metric]
            m_last = _last_index(values)
            m_start = max(0, m_last - patience)
            while m_start > 0 and values[m_start] is None:
                m_start -= 1
            gain = (1 if higher else -1) * (values[m_last] - values[m_start])
            evidence["metric_recent_gain"] = gain
            metric_improving = gain > m_tol
        if recent > t_tol and metric_improving:
            result.diagnosis = "underfitting"
            result.epoch = epochs[last_i]
            still = (f"the training loss still falls at the last epoch ({_f(recent_rate)} per "
                     f"epoch over the last {patience} points)"
                     + (f" and {metric} still improves" if metric else "") + ".")
            if average_rate > 0 and recent_rate * 2 >= average_rate:
                result.remedies = ["learning_rate", "train_longer"]
                result.advice = [
                    "Underfitting: " + still,
                    f"Progress is steady and slow ({_f(recent_rate / average_rate * 100)}% "
                    "of its average rate), so the steps are too small: raise the learning "
                    "rate (or train longer)."]
            else:
                result.remedies = ["train_longer", "learning_rate"]
                result.advice = [
                    "Underfitting: " + still,
                    "Progress is slowing down but not over: train longer (or raise the "
                    "learning rate)."]
            return result
        threshold = high_loss if high_loss is not None else first * HIGH_LOSS_FRACTION
        evidence["high_loss_threshold"] = threshold
        if first > 0 and train[last_i] >= threshold:
            result.diagnosis = "underfitting"
            result.remedies = ["model_size"]
            result.advice = [
                f"Underfitting: the training loss stopped improving at {_f(train[last_i])}, "
                f"still {_f(train[last_i] / first * 100)}% of its start {_f(first)}"
                + (f" (at or above the threshold {_f(high_loss)})" if high_loss else "") + ".",
                "The model cannot fit even the training data: enlarge the model (more layers "
                "or more units per layer); a higher learning rate or more epochs would not "
                "help, since the loss has levelled off."]
            return result

    if metric is None:
        result.diagnosis = "undetermined"
        result.remedies = ["validation_data"]
        level = f" at {_f(_last(train))}" if train is not None else ""
        result.advice = [
            "Cannot tell over- from underfitting: the file has no validation loss or "
            f"accuracy, and the training loss has levelled off{level}.",
            "Record a validation metric (Keras: validation_data=..., Lightning: a "
            "validation_step) and diagnose again."]
        return result
    result.diagnosis = "good_fit"
    where = f" {metric} is best at epoch {_t(epochs[best_i])} ({_f(smoothed[metric][best_i])})" \
        f" and stays within its tolerance {_f(m_tol)} afterwards;" if metric else ""
    result.advice = [f"Good fit:{where} the training loss has levelled off"
                     if train is not None else f"Good fit:{where}".rstrip(";") + ".",
                     "Keep the settings" + (f"; epochs = {_t(epochs[best_i])} is enough."
                                            if metric else ".")]
    if train is not None:
        result.advice[0] += "."
    return result


def _diverging(result: Diagnosis, why: str) -> Diagnosis:
    result.diagnosis = "diverging"
    result.remedies = ["lower_learning_rate"]
    result.advice = [f"Diverging: {why}.",
                     "Lower the learning rate (by a factor of 10 to start), and check the "
                     "inputs for very large values."]
    return result


def _smooth(values: list, window: int) -> list:
    """Centred moving average; missing or non-finite cells are skipped, None if none are left."""
    half = window // 2
    out = []
    for i in range(len(values)):
        near = [v for v in values[max(0, i - half):i + half + 1] if isinstance(v, Fraction)]
        out.append(sum(near) / len(near) if near and isinstance(values[i], Fraction) else None)
    return out


def _tolerance(raw: list, smooth: list) -> Fraction:
    gaps = sorted(abs(r - s) for r, s in zip(raw, smooth)
                  if isinstance(r, Fraction) and s is not None)
    median = gaps[len(gaps) // 2] if len(gaps) % 2 else (gaps[len(gaps) // 2 - 1]
                                                          + gaps[len(gaps) // 2]) / 2
    present = [s for s in smooth if s is not None]
    return max(3 * median, (max(present) - min(present)) / 100)


def _missing_epochs(epochs: list) -> list:
    if not all(e.denominator == 1 for e in epochs) or epochs[-1] - epochs[0] > 100_000:
        return []
    have = set(epochs)
    return [Fraction(e) for e in range(int(epochs[0]), int(epochs[-1]) + 1)
            if Fraction(e) not in have]


def _count(values: list) -> int:
    return sum(v is not None for v in values)


def _first(values: list):
    return next(v for v in values if v is not None)


def _last(values: list):
    return next(v for v in reversed(values) if v is not None)


def _last_index(values: list) -> int:
    return max(i for i, v in enumerate(values) if v is not None)


def _f(x) -> str:
    return num.fmt_sig(x, 3)


def _t(epoch) -> str:
    return str(epoch)
