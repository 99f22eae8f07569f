"""What a training run writes while it runs: ``--history`` row by row, ``--format csv``'s rows on
stdout, and the progress line on a terminal's stderr.  A run of 10,000,000 steps keeps only a
thinned record in memory (:class:`hwsolve.engine.train.History`); every step reaches its file
here, as it is computed."""

from __future__ import annotations

import csv
import sys
import time

PROGRESS_AFTER = 1.0
"""Seconds a run may take before its progress is shown (on a terminal only)."""


class StepSink:
    """``on_step`` for :func:`hwsolve.engine.train.train`."""

    def __init__(self, total: int, history: str | None = None, stdout_csv: bool = False,
                 progress=None):
        self.total = total
        self.writers = []
        self.handle = None
        self.path = history
        if history is not None:
            self.handle = open(history, "w", encoding="utf-8", newline="")
            self.writers.append(csv.writer(self.handle, lineterminator="\n"))
        if stdout_csv:
            self.writers.append(csv.writer(sys.stdout, lineterminator="\n"))
        self.progress = progress if progress is not None else _terminal(sys.stderr)
        self.active = bool(self.writers) or self.progress is not None
        self.started = time.monotonic()
        self.shown = None
        self.next_check = 0

    def __call__(self, step: int, loss, yhats: list) -> None:
        if self.writers:
            from hwsolve.render.train_text import history_header, history_row
            row = history_row(step, loss, yhats)
            for writer in self.writers:
                if step == 0:
                    writer.writerow(history_header(yhats))
                writer.writerow(row)
        if self.progress is not None and step >= self.next_check:
            self.next_check = step + 64
            self._show(step)

    def _show(self, step: int) -> None:
        now = time.monotonic()
        if now - self.started < PROGRESS_AFTER or (self.shown and now - self.shown < 0.25):
            return
        self.shown = now
        rate = step / (now - self.started)
        left = (self.total - step) / rate if rate else 0
        self.progress.write(f"\rtraining: step {step:,} of {self.total:,} "
                            f"({100 * step / max(1, self.total):.0f}%, about {left:,.0f} s "
                            "left)\x1b[K")
        self.progress.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.progress is not None and self.shown:
            self.progress.write("\r\x1b[K")
            self.progress.flush()
        sys.stdout.flush()


def _terminal(stream):
    try:
        return stream if stream.isatty() else None
    except (AttributeError, ValueError):
        return None
