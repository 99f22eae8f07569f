"""What a training run writes while it runs: ``--history`` row by row, ``--format csv``'s rows on
stdout, and the progress line on a terminal's stderr.  A run of 10,000,000 steps keeps only a
thinned record in memory (:class:`hwsolve.engine.train.History`); every step reaches its file
here, as it is computed."""

from __future__ import annotations

import csv
import os
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
        self.tmp = None
        self.path = history
        self.notes: list = []   # values beyond float range in the rows (the caller prints them)
        if history is not None:
            self._open(history)
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
            row = history_row(step, loss, yhats, self.notes)
            try:
                for writer in self.writers:
                    if step == 0:
                        writer.writerow(history_header(yhats))
                    writer.writerow(row)
            except OSError as exc:
                if self.handle is None or self.handle.closed:
                    raise
                self._failed(exc)
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

    def _open(self, path: str) -> None:
        """``--history`` is written to a temporary file in its folder and moved into place
        when the run ends (:mod:`hwsolve.fileio`'s rule: a failed write leaves no half file)."""
        import tempfile
        from pathlib import Path
        target = Path(path)
        folder = target.parent if str(target.parent) else Path(".")
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                            dir=folder)
            self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except OSError as exc:
            self._failed(exc)
        self.writers.append(csv.writer(self.handle, lineterminator="\n"))

    def _failed(self, exc: OSError):
        """Drop the temporary file and name the file and the option."""
        from hwsolve.errors import HwsolveError
        self._discard()
        raise HwsolveError(f"cannot be written ({exc.strerror or exc})", file=str(self.path),
                           where="--history") from None

    def _discard(self) -> None:
        if self.handle is not None:
            try:
                self.handle.close()
            except OSError:
                pass
        self.handle = None
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None

    def close(self, done: bool = True) -> None:
        """End the run's output; ``done`` False (the run failed) leaves no ``--history``."""
        if self.progress is not None and self.shown:
            self.progress.write("\r\x1b[K")
            self.progress.flush()
        sys.stdout.flush()
        if self.handle is not None:
            if not done:
                self._discard()
            else:
                try:
                    self.handle.close()
                    self.handle = None
                    os.chmod(self.tmp, 0o644)
                    os.replace(self.tmp, self.path)
                    self.tmp = None
                except OSError as exc:
                    self._failed(exc)


def _terminal(stream):
    try:
        return stream if stream.isatty() else None
    except (AttributeError, ValueError):
        return None
