"""Course defaults: one ``hwsolve.toml`` in the course folder.

An instructor keeps the rules of a course in one place instead of repeating options::

    [course]
    tolerance = "sigfigs:3"     # the rule for grading and check (the syntax of --tolerance)
    digits = 4                  # digits of printed values
    problems = "problems"       # the folder `hwsolve check` reads with no argument
    follow_through = "full"     # credit for entries that follow from a named root: full|half|none
    seed = 2026                 # the course seed from which per-student variants are drawn

The file is looked for in the current folder and its parents, stopping at the first folder that
holds a ``.git`` entry.  Every key is optional; a command-line option beats the course file, and
the course file beats a built-in default.  A problem's own ``tolerance:`` beats both (it is the
author's statement about that problem).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from hwsolve import fileio
from hwsolve.errors import HwsolveError

FILENAME = "hwsolve.toml"
MAX_BYTES = 64 * 1024
FOLLOW_THROUGH = ("full", "half", "none")
KEYS = ("tolerance", "digits", "problems", "follow_through", "seed")


@dataclass(frozen=True)
class Course:
    """The course settings in force (``path`` is None when there is no course file)."""

    path: Path | None = None
    tolerance: str | None = None        # text in --tolerance syntax, already validated
    digits: int | None = None
    problems: Path | None = None        # the folder `check` reads (absolute)
    follow_through: str | None = None
    seed: int | None = None

    def rule(self):
        """The course's grading rule (a tolerance.Rule), or None when it sets none."""
        if self.tolerance is None:
            return None
        from hwsolve.teach import tolerance
        return tolerance.parse_option(self.tolerance)

    def describe(self) -> str:
        return f"course file {self.path}" if self.path else "no course file"


def _toml_loads(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def find(start: Path | None = None) -> Path | None:
    """The course file that applies in ``start`` (default: the current folder), or None."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / FILENAME
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            return None
    return None


def load(start: Path | None = None) -> Course:
    """The course settings that apply in ``start``; an empty Course when there is no file."""
    path = find(start)
    return Course() if path is None else read(path)


def read(path: Path) -> Course:
    shown = str(path)
    text = fileio.read_text(path, limit=MAX_BYTES, what="course file", display=shown)
    try:
        data = _toml_loads(text)
    except Exception as exc:  # tomllib.TOMLDecodeError; its message names the line
        raise HwsolveError(f"is not valid TOML: {exc}", file=shown) from None
    table = data.get("course", data)
    if not isinstance(table, dict):
        raise HwsolveError("[course] must be a table of settings", file=shown)
    for key in table:
        if key not in KEYS and not (table is data and key == "course"):
            near = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else \
                f"; the settings are {', '.join(KEYS)}"
            raise HwsolveError(f"unknown setting {key!r}{hint}", file=shown, where=key)
    values: dict = {"path": path}
    if "tolerance" in table:
        rule = table["tolerance"]
        if not isinstance(rule, str):
            raise HwsolveError('tolerance is a text such as "sigfigs:3" or "rel:1e-3"',
                               file=shown, where="tolerance")
        from hwsolve.teach import tolerance
        try:
            tolerance.parse_option(rule)
        except ValueError as exc:
            raise HwsolveError(str(exc), file=shown, where="tolerance") from None
        values["tolerance"] = rule
    if "digits" in table:
        digits = table["digits"]
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 60:
            raise HwsolveError("digits is a whole number from 1 to 60", file=shown,
                               where="digits")
        values["digits"] = digits
    if "problems" in table:
        folder = table["problems"]
        if not isinstance(folder, str) or not folder.strip():
            raise HwsolveError("problems is the name of a folder", file=shown,
                               where="problems")
        values["problems"] = (path.parent / folder).resolve()
    if "follow_through" in table:
        policy = table["follow_through"]
        if policy not in FOLLOW_THROUGH:
            raise HwsolveError(f"follow_through is one of {', '.join(FOLLOW_THROUGH)}",
                               file=shown, where="follow_through")
        values["follow_through"] = policy
    if "seed" in table:
        seed = table["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 63:
            raise HwsolveError("seed is a whole number from 0 to 2**63 - 1", file=shown,
                               where="seed")
        values["seed"] = seed
    return Course(**values)
