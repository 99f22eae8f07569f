"""The result of checking one problem file against its keys: plain data, read by the checkers
(tools/check.py for keyed problems, teach/kinds.py for curves and identity files) and by the
renderers, so that none of them imports another's module to share it (issue 21: layers one way)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve.errors import HwsolveError


@dataclass
class ProblemCheck:
    name: str
    file: str
    comparisons: list = field(default_factory=list)
    error: HwsolveError | None = None

    @property
    def failures(self) -> list:
        return [c for c in self.comparisons if not c.ok]
