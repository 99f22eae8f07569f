"""The one error type a user ever sees, and the guard for text from a file that reaches a
terminal.  No imports: ``hwsolve list`` uses both on its fast path."""

from __future__ import annotations

# C0 and C1 control characters (ESC starts a terminal escape sequence) and the bidirectional
# overrides that reorder what a terminal shows; tab and newline stay.
_UNPRINTABLE = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7f, 0xa0)]
                if chr(code) not in "\t\n"}
_UNPRINTABLE.update({code: f"\\u{code:04x}" for code in [*range(0x202a, 0x202f),
                                                           *range(0x2066, 0x206a)]})


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (ESC as ``\\x1b``), so that
    a title or a name from a file cannot drive the terminal it is printed on."""
    return text.translate(_UNPRINTABLE)


_LONG_RUN = 120   # an echoed token longer than this (a 8,000-digit fraction) is clipped
_KEEP = 40


def clip(text: str) -> str:
    """``text`` with every run of more than 120 characters without a space shortened to its
    first 40 and its length, so that a message never echoes kilobytes of a bad input."""
    if len(text) <= _LONG_RUN:
        return text
    out, start = [], 0
    for index, ch in enumerate(text + " "):
        if ch.isspace():
            word = text[start:index]
            out.append(word if len(word) <= _LONG_RUN else
                       f"{word[:_KEEP]}… ({len(word):,} characters)")
            if index < len(text):
                out.append(ch)
            start = index + 1
    return "".join(out)


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
        message = clip(self.message)
        return printable(f"{place}: {message}" if place else message)
