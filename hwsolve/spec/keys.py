"""Answer keys: the ``answers`` of a problem or variant, each number kept as written (so that
``0.690`` still has three places), a vector's key a list, a matrix's a list of rows, one entry
keyed as ``'W1[1, 2]'``, and a quoted fraction ``'8/3'`` an exact key.  Read by the spec loader
(the :class:`KeyReader` mixin of its builder), compared by :mod:`hwsolve.tools.check`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from hwsolve import num
from hwsolve.spec.shapes import describe, entry_name, in_range, label, shape_of
from hwsolve.spec.yamlread import Node, Scalar, Sequence

_FRACTION = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?) */ *([0-9]+(?:\.[0-9]+)?)")
_ANSWER_KEYS = ("Yhat", "L", "grad", "values", "train", "examples")


@dataclass(frozen=True)
class Key:
    """One answer-key number, kept as written so that 0.690 still has three places; a quoted
    fraction '8/3' is ``exact`` and matches only that value."""
    text: str
    line: int
    exact: Fraction | None = None


def key_shape_problem(key, shape: tuple, index, name: str) -> str | None:
    """Why ``key`` cannot be the answer for ``name`` (of ``shape``), or None when it fits."""
    if index is not None:
        if not in_range(shape, index):
            return (f"{label(name, index)} does not exist: {name} is {describe(shape)}"
                    + (", numbered from 1" if shape else ""))
        return None
    given = shape_of(key) if isinstance(key, tuple) else ()
    if given != shape:
        if not shape:
            return f"{name} is a scalar; give one number"
        if len(shape) == 1 and len(given) == 1:
            return f"the vector has {shape[0]} entries but the key gives {given[0]}"
        return f"{name} is {describe(shape)}; the key gives {describe(given)}"
    return None


@dataclass
class Answers:
    yhat: Key | None = None
    loss: Key | None = None
    grad: dict = field(default_factory=dict)    # name -> Key | tuple[Key, ...]
    values: dict = field(default_factory=dict)  # name -> Key | tuple[Key, ...]
    train: object = None                        # spec.trainkeys.TrainAnswers after training
    examples: tuple | None = None               # per example: {"Yhat", "L", "values"}
    yhat_entries: dict = field(default_factory=dict)  # 'Yhat[2]' -> Key (one entry of Ŷ)


class KeyReader:
    """The builder's methods for keys (it provides ``fail``, ``mapping``, ``number`` and
    ``constant_names``)."""

    def key(self, node: Node, where: str) -> Key:
        """A decimal (matched to its written places) or a quoted exact fraction '8/3'."""
        if isinstance(node, Scalar) and not node.plain and not node.is_null:
            match = _FRACTION.fullmatch(node.text.strip())
            if not match:
                raise self.fail(f"{node.text!r} is quoted text; a key is a plain decimal, or an "
                                "exact fraction written as a string such as '8/3'", where,
                                node.line)
            try:
                exact = Fraction(num.parse_decimal(match[1])) / num.parse_decimal(match[2])
            except (ValueError, ZeroDivisionError) as exc:
                raise self.fail(f"{node.text!r} is not an exact fraction ({exc})", where,
                                node.line) from None
            return Key(node.text.strip(), node.line, exact)
        self.number(node, where)  # validates; the text is what is kept
        return Key(node.text.strip(), node.line)

    def keys(self, node: Node, where: str) -> Key | tuple:
        """A key, a list of keys (a vector) or a list of rows (a matrix)."""
        if not isinstance(node, Sequence):
            return self.key(node, where)
        if not node.items:
            raise self.fail("an empty list is not a key", where, node.line)
        first = node.items[0]
        if isinstance(first, Sequence) and first.items and isinstance(first.items[0], Sequence):
            parts = []  # a tensor of rank 3 or 4: a list of matrix (or rank-3) keys
            for i, part in enumerate(node.items, start=1):
                if not isinstance(part, Sequence):
                    raise self.fail("a tensor key lists its slices as lists", f"{where}[{i}]",
                                    part.line)
                parts.append(self.keys(part, f"{where}[{i}]"))
                if shape_of(parts[-1]) != shape_of(parts[0]):
                    raise self.fail(f"the tensor key is ragged: slice {i} is "
                                    f"{describe(shape_of(parts[-1]))}, slice 1 "
                                    f"{describe(shape_of(parts[0]))}", f"{where}[{i}]",
                                    part.line)
            return tuple(parts)
        if isinstance(node.items[0], Sequence):
            rows = []
            for i, row in enumerate(node.items, start=1):
                if not isinstance(row, Sequence) or \
                        any(isinstance(x, Sequence) for x in row.items):
                    raise self.fail("a matrix key lists its rows as lists of numbers",
                                    f"{where}[{i}]", row.line)
                if rows and len(row.items) != len(rows[0]):
                    raise self.fail(f"the matrix key is ragged: row {i} has {len(row.items)} "
                                    f"entries, row 1 has {len(rows[0])}", f"{where}[{i}]",
                                    row.line)
                rows.append(tuple(self.key(x, f"{where}[{i}, {j}]")
                                  for j, x in enumerate(row.items, start=1)))
            return tuple(rows)
        if any(isinstance(x, Sequence) for x in node.items):
            raise self.fail("a matrix key lists every row as a list", where, node.line)
        return tuple(self.key(x, f"{where}[{i}]") for i, x in enumerate(node.items, start=1))

    def answers(self, node: Node, where: str, shapes: dict) -> Answers:
        """Keys by name.  Shapes of inputs, params and constants are checked here; those of
        nodes and Yhat are known only once the graph is built, and are checked with the answer
        (with this key's line) by ``hwsolve check``."""
        table = self.mapping(node, where, ())
        answers = Answers()
        for name, line in table.key_lines.items():
            base, index = entry_name(name)
            if base == "Yhat" and index is not None:  # one entry of Ŷ: 'Yhat[2]'
                answers.yhat_entries[name] = self.key(table.values[name], f"{where}.{name}")
            elif name not in _ANSWER_KEYS:
                raise self.fail(f"unknown key {name!r}; the keys allowed here are "
                                f"{', '.join(_ANSWER_KEYS)} (and one entry of Ŷ such as "
                                "'Yhat[2]')", f"{where}.{name}", line)
        if "Yhat" in table.values:
            answers.yhat = self.keys(table.values["Yhat"], f"{where}.Yhat")
        if "L" in table.values:
            answers.loss = self.key(table.values["L"], f"{where}.L")
        if "train" in table.values:
            from hwsolve.spec import trainkeys  # training keys (issues 9, 19)
            answers.train = trainkeys.train_answers(self, table.values["train"],
                                                    f"{where}.train", self.params, shapes)
        if "examples" in table.values:
            from hwsolve.spec import trainkeys  # each example's own Ŷ, L, values (issue 9)
            answers.examples = trainkeys.example_answers(self, table.values["examples"],
                                                         f"{where}.examples", shapes)
        for section in ("grad", "values"):
            if section not in table.values:
                continue
            entries = self.mapping(table.values[section], f"{where}.{section}", ())
            target = answers.grad if section == "grad" else answers.values
            for name, entry in entries.values.items():
                path = f"{where}.{section}.{name}"
                line = entries.key_lines[name]
                base, index = entry_name(name)
                if base not in shapes:
                    raise self.fail(f"{base!r} is not an input, param, constant or node", path,
                                    line)
                if section == "grad" and base in self.constant_names:
                    raise self.fail(f"{base!r} is a constant: it has no gradient", path, line)
                key = self.keys(entry, path) if index is None else self.key(entry, path)
                shape = shapes[base]
                if shape is not None:  # a declared value: its shape is known now
                    problem = key_shape_problem(key, shape, index, base)
                    if problem:
                        raise self.fail(problem, path, line)
                target[name] = key
        return answers

    def tolerance(self, node: Node | None):
        """``tolerance: places``, ``{sigfigs: 3}``, ``{rel: 1e-3}``, ``{abs: 1e-3}`` or
        ``{rel_abs: [1e-2, 1e-8]}`` (the rules of :mod:`hwsolve.teach.tolerance`)."""
        if node is None:
            return None
        from hwsolve.teach import tolerance
        try:
            if isinstance(node, Scalar):
                return tolerance.make(self.text(node, "tolerance").strip(), [])
            table = self.mapping(node, "tolerance", tolerance.KINDS)
            if len(table.values) != 1:
                raise ValueError("give one rule, such as {sigfigs: 3} or {rel_abs: [1e-2, 1e-8]}")
            (kind, value), = table.values.items()
            items = value.items if isinstance(value, Sequence) else [value]
            if any(not isinstance(i, Scalar) or not i.plain or i.is_null for i in items):
                raise ValueError(f"the {kind} rule takes plain numbers")
            return tolerance.make(kind, [i.text for i in items])
        except ValueError as exc:
            raise self.fail(str(exc), "tolerance", node.line) from None

    def follow_through(self, node: Node | None) -> Fraction:
        if node is None:
            return Fraction(1)
        value = self.number(node, "follow_through")
        if not 0 <= value <= 1:
            raise self.fail("follow_through is the credit for an error carried forward, from 0 "
                            f"to 1, not {node.text}", "follow_through", node.line)
        return value

    # ---------------------------------------------------------------- building blocks
