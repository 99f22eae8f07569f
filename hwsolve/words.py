"""Counted nouns in messages: ``1 problem``, ``2 problems``, never ``problem(s)``."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "entry", "entries")`` -> ``1 entry``; ``many`` defaults to noun + "s"."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"
