"""The rich consoles the commands print with: results on stdout, messages on stderr.

``NO_COLOR`` (https://no-color.org: set and not empty) turns off every style, bold and dim
included: rich's own ``no_color`` only drops colours and still emits bold, so the console gets
no colour system at all.
"""

from __future__ import annotations

import os


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def make(width: int | None = None, *, stderr: bool = False, soft_wrap: bool = False):
    from rich.console import Console
    plain = {"color_system": None, "no_color": True} if no_color() else {}
    return Console(width=width, highlight=False, soft_wrap=soft_wrap, stderr=stderr, **plain)


def message(text: str) -> None:
    """A message about the run (``wrote …``, a note): on stderr, so that the results on stdout
    can be piped."""
    import click
    click.echo(text, err=True)


class progress:
    """A progress bar on stderr for long work (``check`` of a course, ``vary --count 30``):
    shown only on a terminal, and only once the work has taken ``after`` seconds, so a quick
    run prints nothing extra and a pipe or a log never gets bar frames.

        with progress(len(files), "checking") as bar:
            for f in files:
                ...
                bar.advance()
    """

    def __init__(self, total: int, label: str, *, after: float = 1.0, stream=None):
        import sys
        import time
        self.total, self.label, self.after = total, label, after
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.done = 0
        self.bar = None
        self.task = None

    def __enter__(self):
        return self

    def advance(self, n: int = 1) -> None:
        import time
        self.done += n
        if self.bar is None and self.done < self.total and self._terminal() and \
                time.monotonic() - self.start >= self.after:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, \
                TextColumn, TimeRemainingColumn
            plain = {"color_system": None, "no_color": True} if no_color() else {}
            console = Console(file=self.stream, force_terminal=True, **plain)
            self.bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total, completed=self.done)
        elif self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def _terminal(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
