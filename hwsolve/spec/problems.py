"""Finding problems: a name is looked up in ./problems/, then among the packaged problems.

This module is on the fast path of ``hwsolve list``, which must start in about the time of a
bare ``python -c pass``: it uses only ``os`` (not pathlib, re or yaml) unless a title is
written in a form that needs the full YAML reader.
"""

from __future__ import annotations

import os

from hwsolve.errors import HwsolveError, printable

SUFFIXES = (".yaml", ".yml")


def packaged_dir() -> str:
    """Inside an installed wheel the problems live in hwsolve/problems; in a source checkout
    (or an editable install) they are the repository's top-level problems/ folder."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # hwsolve/
    inside = os.path.join(here, "problems")
    return inside if os.path.isdir(inside) else os.path.join(os.path.dirname(here), "problems")


def shown_path(path: str | None) -> str | None:
    """A path as a user should read it: a packaged problem as ``problems/q3a.yaml`` (the name
    in the repository and the README), not its site-packages path; any other path as given."""
    if not path:
        return path
    packaged = os.path.abspath(packaged_dir())
    full = os.path.abspath(path)
    if full.startswith(packaged + os.sep) and os.path.relpath(full).startswith(".."):
        return "problems/" + os.path.relpath(full, packaged).replace(os.sep, "/")
    return path


def search_dirs() -> list:
    unique: list = []
    for directory in ("problems", packaged_dir()):
        if os.path.isdir(directory) and all(not os.path.samefile(directory, u) for u in unique):
            unique.append(directory)
    return unique


def find(name: str) -> str:
    """A path if ``name`` looks like one; otherwise problems/NAME.yaml, then ./NAME.yaml, then
    the packaged NAME.yaml; then a unique match that differs only in case (``Q3a``).  A name
    that matches nothing gets the nearest problem names in its message."""
    if name.endswith(SUFFIXES) or "/" in name or os.sep in name or os.path.isfile(name):
        return name
    order = ["problems"] if os.path.isdir("problems") else []
    order.append(".")
    packaged = packaged_dir()
    if os.path.isdir(packaged) and all(not os.path.samefile(packaged, d) for d in order):
        order.append(packaged)
    for directory in order:
        for suffix in SUFFIXES:
            path = os.path.join(directory, name + suffix)
            if os.path.isfile(path):
                return os.path.normpath(path) if directory == "." else path
    stems = {}
    for path in all_problems():
        stems.setdefault(os.path.splitext(os.path.basename(path))[0], path)
    folded = [stem for stem in stems if stem.lower() == name.lower()]
    if len(folded) == 1:
        return stems[folded[0]]
    raise HwsolveError(f"no problem named {name!r}{_nearest(name, list(stems))}; 'hwsolve "
                       "list' shows the problems, and a path to a .yaml file works too",
                       file=name)


def _nearest(name: str, names: list) -> str:
    """' (did you mean 'q3a'?)' for the closest names, or nothing."""
    import difflib

    close = difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def all_problems() -> list:
    """Every problem file, ./problems/ first; a packaged problem of the same name is shadowed."""
    found: dict = {}
    for directory in search_dirs():
        for entry in sorted(os.listdir(directory)):
            stem, suffix = os.path.splitext(entry)
            path = os.path.join(directory, entry)
            if suffix in SUFFIXES and os.path.isfile(path):
                found.setdefault(stem, path)
    return list(found.values())


def files_for(names: list | None) -> list:
    """The problem files that names stand for: a folder is every .yaml/.yml file in it (a
    course's whole key tree), nothing at all means every known problem."""
    if not names:
        return all_problems()
    files: list = []
    for name in map(str, names):
        if os.path.isdir(name):
            found = sorted(os.path.join(name, entry) for entry in os.listdir(name)
                           if os.path.splitext(entry)[1] in SUFFIXES)
            if not found:
                raise HwsolveError("this folder has no .yaml or .yml problem files, so there "
                                   "is nothing to check", file=name)
            files += found
        else:
            files.append(find(name))
    return files


def list_titles() -> list:
    """(name, title) for every problem; a file that cannot be read shows why instead."""
    rows = []
    for path in all_problems():
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            rows.append((name, read_title(path)))
        except HwsolveError as exc:
            rows.append((name, f"(unreadable: {exc.message})"))
    return rows


def titles_text() -> str:
    """The ``hwsolve list`` output: names aligned, then titles."""
    rows = [(printable(name), printable(" ".join(title.split("\n")).strip()))
            for name, title in list_titles()]  # a title's escape codes never reach the terminal
    width = max((len(name) for name, _ in rows), default=0)
    return "".join(f"{name:<{width}}  {title}\n" for name, title in rows)


def read_title(path: str) -> str:
    """The title of a problem file: a quick scan for the usual one-line forms, otherwise the
    full YAML reader (block scalars, escapes and continuation lines need it)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read(64 * 1024).splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for number, line in enumerate(lines):
        if line.startswith("title:"):
            continues = number + 1 < len(lines) and lines[number + 1][:1] in (" ", "\t")
            title = None if continues else _one_line_scalar(line[len("title:"):].strip())
            if title is not None:
                return title
            break
    return _title_by_yaml(path)


def _one_line_scalar(text: str):
    """A one-line plain, 'single' or "double" quoted scalar without escapes, else None."""
    if text.startswith('"'):
        body = text[1:].split('"', 1)
        if "\\" in text or len(body) < 2 or body[1].strip()[:1] not in ("", "#"):
            return None
        return body[0]
    if text.startswith("'"):
        body = text[1:].split("'", 1)
        if len(body) < 2 or body[1].strip()[:1] not in ("", "#"):
            return None
        return body[0]
    plain = text.split(" #", 1)[0].strip()
    if not plain or plain[0] in "|>&*!%@`[{":
        return None
    return plain


def _title_by_yaml(path: str) -> str:
    from hwsolve.spec.yamlread import Mapping, Scalar, read_file
    from pathlib import Path

    tree = read_file(Path(path), path)
    title = tree.values.get("title") if isinstance(tree, Mapping) else None
    return title.text if isinstance(title, Scalar) else "(no title)"
