"""Problem files of other kinds than a network: ``kind: curves`` and ``kind: identity``.

A network problem has no ``kind`` key (or ``kind: network``); the spec loader never sees the
other kinds, which are recognised here first by a quick scan for a top-level ``kind:`` line.

.. code-block:: yaml

    kind: curves                  # or: identity
    title: "Q2a: ..."
    description: ...              # optional
    curves: {epoch: [...], train_loss: [...], val_accuracy: [...]}   # curves
    left: tanh(x)                 # identity
    right: 2*sigmoid(2*x) - 1     # identity
    expect: {diagnosis: overfitting, epoch: 5, remedy: epochs}       # or {verdict: proved}

``hwsolve check`` compares every ``expect`` entry with what hwsolve finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError

KINDS = ("network", "curves", "identity")
_KIND_LINE = re.compile(r"^kind[ \t]*:[ \t]*['\"]?([A-Za-z_]+)", re.M)
_KEYS = {"curves": ("kind", "title", "description", "curves", "expect"),
         "identity": ("kind", "title", "description", "left", "right", "expect")}
_EXPECT = {"curves": ("diagnosis", "epoch", "remedy"), "identity": ("verdict",)}
_CURVE_KEYS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")


def kind_of(path: str | Path) -> str | None:
    """'curves' or 'identity' for a file of those kinds, None for a network problem."""
    if not Path(path).is_file():
        return None  # a FIFO or device must never be opened (it could block); the loader says why
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return None  # the spec loader reports a missing or unreadable file
    match = _KIND_LINE.search(head)
    if not match or match[1] == "network":
        return None
    return match[1]  # an unknown kind is reported by load(), with its line


@dataclass
class Identity:
    file: str
    title: str
    description: str
    left: str
    right: str
    expect: dict  # key -> (text, line)


def load(path: str | Path):
    """A ``kind: curves`` file as :class:`Curves`, a ``kind: identity`` file as Identity."""
    from hwsolve.spec.yamlread import Mapping, read_file

    display = str(path)
    tree = read_file(Path(path), display)
    if not isinstance(tree, Mapping):
        raise HwsolveError("the file must be a mapping of keys to values", file=display)
    kind = _text(tree, "kind", display)
    if kind not in _KEYS:
        raise HwsolveError(f"unknown kind {kind!r}; the kinds are " + ", ".join(KINDS),
                           file=display,
                           where="kind", line=tree.key_lines["kind"])
    for key, line in tree.key_lines.items():
        if key not in _KEYS[kind]:
            raise HwsolveError(f"unknown key {key!r}; a {kind} file has "
                               + ", ".join(_KEYS[kind]), file=display, where=key, line=line)
    title = _text(tree, "title", display)
    description = _text(tree, "description", display) if "description" in tree.values else ""
    expect = _expect(tree, kind, display)
    if kind == "identity":
        return Identity(display, title, description, _text(tree, "left", display),
                        _text(tree, "right", display), expect)
    curves = _curves(tree, display, title)
    curves.expect = expect
    return curves


def _text(tree, key: str, display: str) -> str:
    from hwsolve.spec.yamlread import Scalar

    if key not in tree.values:
        raise HwsolveError(f"the required key {key!r} is missing", file=display, line=tree.line)
    node = tree.values[key]
    if not isinstance(node, Scalar) or node.is_null:
        raise HwsolveError("must be a text value", file=display, where=key, line=node.line)
    return node.text


def _expect(tree, kind: str, display: str) -> dict:
    from hwsolve.spec.yamlread import Mapping, Scalar

    node = tree.values.get("expect")
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        raise HwsolveError("expect must be a mapping", file=display, where="expect",
                           line=node.line)
    found = {}
    for key, value in node.values.items():
        where, line = f"expect.{key}", node.key_lines[key]
        if key not in _EXPECT[kind]:
            raise HwsolveError(f"unknown key {key!r}; expect takes " + ", ".join(_EXPECT[kind]),
                               file=display, where=where, line=line)
        if not isinstance(value, Scalar) or value.is_null:
            raise HwsolveError("must be one value", file=display, where=where, line=line)
        _check_expected(key, value.text, display, where, line)
        found[key] = (value.text, value.line)
    return found


def _check_expected(key: str, text: str, display: str, where: str, line: int) -> None:
    """An expected value that hwsolve can never produce is a bad file (exit 2), not a
    difference (exit 1): ``diagnosis: overfit`` is a typo, not a disagreement."""
    from hwsolve.teach.curves import DIAGNOSES, REMEDIES

    allowed = {"diagnosis": DIAGNOSES, "remedy": REMEDIES,
               "verdict": ("proved", "different", "undecided")}.get(key)
    if allowed is not None and text not in allowed:
        import difflib
        close = difflib.get_close_matches(text, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise HwsolveError(f"{text[:60]!r} is not a {key}{hint}; it is one of "
                           + ", ".join(allowed), file=display, where=where, line=line)
    if key == "epoch":
        try:
            num.parse_decimal(text)
        except ValueError as exc:
            raise HwsolveError(f"must be an epoch number ({exc})", file=display, where=where,
                               line=line) from None


def _curves(tree, display: str, title: str):
    from hwsolve.spec.yamlread import Mapping, Scalar, Sequence
    from hwsolve.teach.curves import from_columns, parse_cell

    node = tree.values.get("curves")
    if not isinstance(node, Mapping):
        raise HwsolveError("curves must be a mapping such as {epoch: [...], train_loss: [...]}",
                           file=display, where="curves", line=node.line if node else tree.line)
    columns: dict = {}
    lengths: dict = {}
    lines: list = []
    for key, value in node.values.items():
        where = f"curves.{key}"
        if key not in _CURVE_KEYS:
            raise HwsolveError(f"unknown curve {key!r}; the curves are " + ", ".join(_CURVE_KEYS),
                               file=display, where=where, line=node.key_lines[key])
        if not isinstance(value, Sequence):
            raise HwsolveError("must be a list of numbers", file=display, where=where,
                               line=value.line)
        cells = []
        for i, item in enumerate(value.items, start=1):
            try:
                if not isinstance(item, Scalar) or not item.plain:
                    raise ValueError
                cells.append(None if item.is_null else parse_cell(item.text))
            except ValueError:
                raise HwsolveError(f"entry {i} is not a number (write null for a missing "
                                   "value)", file=display, where=f"{where}[{i}]",
                                   line=item.line) from None
        columns[key] = cells
        lengths[key] = (len(cells), node.key_lines[key])
        lines = [item.line for item in value.items] if key == "epoch" else lines
    metrics = [k for k in columns if k != "epoch"]
    if not metrics:
        raise HwsolveError("needs at least one of train_loss, val_loss, train_accuracy, "
                           "val_accuracy", file=display, where="curves", line=node.line)
    if "epoch" not in columns:
        size = lengths[metrics[0]][0]
        columns["epoch"] = [Fraction(i) for i in range(1, size + 1)]
        lengths["epoch"] = (size, node.line)
        lines = [node.line] * size
    size = lengths["epoch"][0]
    for key, (length, line) in lengths.items():
        if length != size:
            raise HwsolveError(f"{key} has {length} entries but epoch has {size}: the curves "
                               "have different lengths (write null for a missing value)",
                               file=display, where=f"curves.{key}", line=line)
    return from_columns(display, title, columns, lines)


# ----------------------------------------------------------------------------- check

@dataclass
class ExpectComparison:
    """Duck-types tools.check.Comparison for the check report."""
    variant: str | None
    entry: str
    key: str
    computed: object
    line: int

    @property
    def ok(self) -> bool:
        if isinstance(self.computed, str) or self.computed is None:
            return self.key == str(self.computed)
        try:
            return num.key_matches(self.key, self.computed)
        except ArithmeticError:
            return False


def solve(path: str | Path, **options):
    """A Diagnosis for a curves file, a Proof for an identity file."""
    loaded = load(path)
    if isinstance(loaded, Identity):
        from hwsolve.teach.prove import prove
        try:
            return prove(loaded.left, loaded.right, title=loaded.title,
                         **{k: v for k, v in options.items() if k in ("timeout", "max_ops")})
        except HwsolveError as exc:
            exc.file = loaded.file
            exc.where = exc.where and exc.where.lower()
            raise
    from hwsolve.teach.curves import diagnose
    return diagnose(loaded, **{k: v for k, v in options.items()
                               if k in ("window", "patience", "high_loss")})


def check(path: Path):
    """A ProblemCheck for a curves or identity file (errors recorded, not raised)."""
    from hwsolve.teach.problemcheck import ProblemCheck

    result = ProblemCheck(path.stem, str(path))
    try:
        solved = solve(path)
        if hasattr(solved, "verdict"):
            expect = load(path).expect
            found = {"verdict": solved.verdict}
        else:
            expect = solved.curves.expect
            found = {"diagnosis": solved.diagnosis, "epoch": solved.epoch,
                     "remedy": solved.remedies[0] if solved.remedies else "none"}
        for key, (text, line) in expect.items():
            result.comparisons.append(ExpectComparison(None, key, text, found[key], line))
    except HwsolveError as exc:
        result.error = exc
    return result
