"""Finding problems: a name is looked up in ./problems/, then among the packaged problems."""

from __future__ import annotations

from pathlib import Path

from hwsolve.errors import HwsolveError

SUFFIXES = (".yaml", ".yml")


def packaged_dir() -> Path:
    """Inside an installed wheel the problems live in hwsolve/problems; in a source checkout
    (or an editable install) they are the repository's top-level problems/ folder."""
    inside = Path(__file__).parent / "problems"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "problems"


def search_dirs() -> list:
    dirs = [Path("problems"), packaged_dir()]
    unique: list = []
    for d in dirs:
        if d.is_dir() and all(d.resolve() != u.resolve() for u in unique):
            unique.append(d)
    return unique


def find(name: str) -> Path:
    """A path if ``name`` looks like one, otherwise the first problems/NAME.yaml found."""
    candidate = Path(name)
    if name.endswith(SUFFIXES) or "/" in name or "\\" in name or candidate.is_file():
        return candidate
    for directory in search_dirs():
        for suffix in SUFFIXES:
            path = directory / f"{name}{suffix}"
            if path.is_file():
                return path
    raise HwsolveError(f"no problem named {name!r}; 'hwsolve list' shows the problems, and a "
                       "path to a .yaml file works too", file=name)


def all_problems() -> list:
    """Every problem, ./problems/ first; a packaged problem of the same name is shadowed."""
    found: dict = {}
    for directory in search_dirs():
        for path in sorted(directory.iterdir()):
            if path.suffix in SUFFIXES and path.is_file():
                found.setdefault(path.stem, path)
    return list(found.values())
