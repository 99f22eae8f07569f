"""The one error type a user ever sees."""

from __future__ import annotations


class HwsolveError(Exception):
    """A problem with the user's input: which file, where in it, and one sentence on what is wrong.

    ``where`` is a key path such as ``nodes.H4`` or a CLI option such as ``--label``;
    ``line`` is 1-based.
    """

    def __init__(self, message: str, *, file: str | None = None, where: str | None = None,
                 line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.where = where
        self.line = line

    def __str__(self) -> str:
        place = ", ".join(part for part in (
            self.file,
            f"line {self.line}" if self.line else None,
            f"at {self.where}" if self.where else None,
        ) if part)
        return f"{place}: {self.message}" if place else self.message
