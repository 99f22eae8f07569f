"""Strict, safe YAML reading.

Common YAML loaders resolve plain scalars by YAML 1.1 rules (``no`` -> False, ``1:30`` -> 90,
``010`` -> 8), silently keep the last of two duplicate keys, expand aliases (the "billion
laughs" bomb) and recurse once per nesting level.  This reader instead walks the parser's event
stream iteratively and builds a small tree in which every scalar keeps its source text and line:
the spec layer decides what a scalar means where it stands, and nothing is ever converted
behind the user's back.  Anchors, aliases, tags, duplicate keys and more than one document are
refused; so is nesting deeper than ``MAX_DEPTH`` and any file larger than ``MAX_BYTES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hwsolve.errors import HwsolveError

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32

# The words common loaders turn into booleans (YAML 1.1 also lists y/n, but those are more
# often names, and PyYAML leaves them as text).
_BOOLEAN_WORDS = re.compile(r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE"
                            r"|on|On|ON|off|Off|OFF")
_NULL_WORDS = re.compile(r"~|null|Null|NULL|")

try:  # libyaml is much faster; its parser keeps its own heap stack, so depth cannot crash it.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Scalar:
    text: str
    line: int
    plain: bool  # False when quoted or a block scalar: always text, never a number

    @property
    def is_null(self) -> bool:
        return self.plain and bool(_NULL_WORDS.fullmatch(self.text))


@dataclass
class Sequence:
    items: list
    line: int


@dataclass
class Mapping:
    line: int
    values: dict = field(default_factory=dict)     # key text -> node
    key_lines: dict = field(default_factory=dict)  # key text -> line of the key


Node = Scalar | Sequence | Mapping


def read_file(path: Path, display: str) -> Node:
    """Read and parse ``path``; every failure is an HwsolveError naming ``display``."""
    return parse_text(read_text(path, display), display)


def read_text(path: Path, display: str) -> str:
    """The text of ``path``, a regular file of at most ``MAX_BYTES``; a FIFO or a device is
    refused before it is opened (reading one could wait forever)."""
    try:
        if path.is_dir():
            raise HwsolveError("is a directory, not a problem file", file=display)
        if path.exists() and not path.is_file():
            raise HwsolveError("is not a regular file (a named pipe, socket or device); a "
                               "problem is a .yaml file", file=display)
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise HwsolveError("no such file", file=display) from None
    except HwsolveError:
        raise
    except OSError as exc:
        raise HwsolveError(f"cannot be read ({exc.strerror or exc})", file=display) from None
    if len(data) > MAX_BYTES:
        raise HwsolveError(f"is larger than {MAX_BYTES // (1024 * 1024)} MiB; problem files "
                           "are small text files", file=display)
    return decode(data, display)


def decode(data: bytes, display: str) -> str:
    if b"\0" in data:
        raise HwsolveError("is a binary file (it contains NUL bytes), not a YAML problem",
                           file=display)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HwsolveError(f"is not UTF-8 text (bad byte at offset {exc.start})",
                           file=display) from None


def parse_text(text: str, display: str) -> Node:
    """Build the tree for one YAML document."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise HwsolveError(f"is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=display)
    if not text.strip():
        raise HwsolveError("is empty; a problem needs at least title, inputs, nodes and label",
                           file=display)
    try:
        return _build(yaml.parse(text, Loader=_Loader), display)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise HwsolveError(f"YAML syntax error: {problem}", file=display, line=line) from None
    except yaml.YAMLError as exc:
        raise HwsolveError(f"YAML error: {exc}", file=display) from None


def _build(events, display: str) -> Node:
    """Turn the event stream into a tree without recursion."""
    root: list[Node] = []
    stack: list[Mapping | Sequence] = []
    pending_key: list[Scalar | None] = []  # per open mapping: the key waiting for its value
    documents = 0

    def attach(node: Node) -> None:
        if not stack:
            root.append(node)
            return
        parent = stack[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
        elif pending_key[-1] is None:
            if not isinstance(node, Scalar):
                raise HwsolveError("a mapping key must be a plain name", file=display,
                                   line=node.line)
            if node.plain and _BOOLEAN_WORDS.fullmatch(node.text):
                raise HwsolveError(f"key {node.text!r} reads as a boolean in YAML 1.1; quote it",
                                   file=display, line=node.line)
            if node.text in parent.values:
                raise HwsolveError(
                    f"duplicate key {node.text!r} (first on line {parent.key_lines[node.text]}); "
                    "YAML loaders silently keep only the last one", file=display, line=node.line)
            pending_key[-1] = node
        else:
            key = pending_key[-1]
            parent.values[key.text] = node
            parent.key_lines[key.text] = key.line
            pending_key[-1] = None

    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise HwsolveError("holds more than one YAML document; a problem is one document",
                                   file=display, line=line)
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise HwsolveError("YAML anchors and aliases (&, *) are not supported in problem "
                               "files; write the values out", file=display, line=line)
        elif getattr(event, "tag", None) and not _implicit_tag(event):
            raise HwsolveError(f"YAML tags such as {event.tag!r} are not supported",
                               file=display, line=line)
        elif isinstance(event, yaml.ScalarEvent):
            plain = event.style in (None, "")
            if plain and _BOOLEAN_WORDS.fullmatch(event.value) and stack \
                    and not (isinstance(stack[-1], Mapping) and pending_key[-1] is None):
                raise HwsolveError(f"{event.value!r} reads as a boolean in YAML 1.1; write a "
                                   "number, or quote it if it is text", file=display, line=line)
            attach(Scalar(event.value, line, plain))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise HwsolveError(f"is nested more than {MAX_DEPTH} levels deep",
                                   file=display, line=line)
            node = Mapping(line) if isinstance(event, yaml.MappingStartEvent) \
                else Sequence([], line)
            attach(node)
            stack.append(node)
            pending_key.append(None)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            pending_key.pop()
    if not root:
        raise HwsolveError("holds no YAML document", file=display)
    return root[0]


def _implicit_tag(event) -> bool:
    """Plain and quoted scalars carry no tag unless the author wrote one (``!!str``, ``!foo``)."""
    return event.tag in (None, "!") or (getattr(event, "implicit", False) is True)
