"""Problem spec format v1: validation of the YAML tree into a :class:`Problem`.

Every number is taken exactly from its text, every key is checked (unknown keys are typos),
and every error names the file, the key path and the line.  Expressions stay text here; the
graph stage parses them.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError, printable
from hwsolve.spec import trainspec
from hwsolve.spec.keys import _ANSWER_KEYS, Answers, Key, KeyReader, key_shape_problem  # noqa: F401
from hwsolve.spec.shapes import (MAX_RANK, describe, entry_name, flatten,  # noqa: F401
                                 shape_of)
from hwsolve.spec.vocab import ACTIVATIONS, CONVENTIONS, FUNCTIONS, LOSSES
from hwsolve.spec.yamlread import Mapping, Node, Scalar, Sequence, parse_text, read_text

RESERVED = {"Yhat": "the output Ŷ", "L": "the loss", "Y": "the label (the target)"}
MAX_NAME = 64
MAX_VECTOR = 100_000
MAX_EXPRESSION = 10_000

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOP_KEYS = ("title", "description", "inputs", "params", "constants", "nodes", "output",
             "activation", "loss", "label", "output_grad", "columns", "answers", "variants",
             "tolerance", "follow_through", "examples", "reduction", "train", "grade", "delta",
             "beta", "conventions")
_VARIANT_KEYS = ("activation", "loss", "label", "output_grad", "inputs", "params", "constants",
                 "answers")

Value = Fraction | tuple  # a scalar, or a vector as a tuple of Fractions


@dataclass
class Head:
    """The output head as written in the spec (or a variant); CLI overrides come later."""
    activation: str = "sigmoid"
    loss: str = "bce"            # a preset, or the text of a loss expression
    label: Value | None = None   # a number (or class number), a vector, or None
    label_text: str = ""
    output_grad: Value | None = None


@dataclass
class Variant:
    name: str
    head: Head
    answers: Answers | None
    values: dict = field(default_factory=dict)   # overridden inputs, params, constants


@dataclass
class NodeSource:
    name: str
    text: str
    line: int


@dataclass
class Problem:
    name: str
    file: str
    title: str
    description: str
    inputs: dict
    params: dict
    constants: dict
    nodes: list          # NodeSource, in spec order
    output: str
    head: Head
    columns: list
    answers: Answers | None
    variants: dict
    lines: dict          # key path -> line, for errors raised by later stages
    source: str = ""     # the YAML text it was read from (--verify re-reads this, not the file)
    tolerance: object = None      # hwsolve.teach.tolerance.Rule; None: decimal places as written
    follow_through: Fraction = Fraction(1)  # credit for an error carried from an earlier entry
    examples: list = field(default_factory=list)   # mini-batch: engine.batch.Example each
    reduction: str = "mean"                        # of the examples' losses: mean or sum
    train: object = None                           # spec.trainspec.TrainSpec, or None
    grade: list | None = None     # the entries `hwsolve grade` scores: [(text, line)], or None
    delta: Fraction = Fraction(1)                  # the huber loss's delta
    beta: Fraction = Fraction(1)                   # the smooth_l1 loss's beta
    conventions: str = "textbook"                  # spec.conventions.NAMES


def load_problem(path: str | Path) -> Problem:
    path = Path(path)
    text = read_text(path, str(path))
    return build_problem(parse_text(text, str(path)), name=path.stem, file=str(path),
                         source=text)


def load_problem_text(text: str, name: str = "problem") -> Problem:
    return build_problem(parse_text(text, name), name=name, file=name, source=text)


def build_problem(tree: Node, *, name: str, file: str, source: str = "") -> Problem:
    problem = _Builder(file).problem(tree, name)
    problem.source = source
    return problem



def _at(where: str, index: tuple) -> str:
    """The name of an entry or part of a value: X, X[2], X[2, 1] (never X[2][1])."""
    return f"{where}[{', '.join(map(str, index))}]" if index else where


class _Builder(KeyReader):
    """Validates one spec; keeps the file name and the line of every key path it has seen."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[str, int] = {}
        self.constant_names: set = set()
        self.params: dict = {}

    def fail(self, message: str, where: str | None, line: int | None) -> HwsolveError:
        return HwsolveError(message, file=self.file, where=where, line=line)

    # ---------------------------------------------------------------- the document

    def problem(self, tree: Node, name: str) -> Problem:
        top = self.mapping(tree, None, _TOP_KEYS)
        for required in ("title", "nodes"):
            if required not in top.values:
                raise self.fail(f"the required key {required!r} is missing", None, top.line)
        title = printable(self.text(top.values["title"], "title"))  # no terminal escapes
        description = printable(self.text(top.values["description"], "description")) \
            if "description" in top.values else ""
        declared: dict[str, str] = {}
        tables = {}
        for section in ("inputs", "params", "constants"):
            tables[section] = self.values_table(top.values.get(section), section, declared,
                                                required=False)
        examples = []
        if "examples" in top.values:  # a mini-batch: example 1's inputs define the graph
            tables["inputs"], examples = trainspec.examples(self, top.values, declared)
        self.params = tables["params"]
        self.example_count = len(examples)
        nodes = self.node_sources(top.values["nodes"], declared)
        node_names = [node.name for node in nodes]
        output = self.name_in(top.values["output"], "output", node_names, "a node") \
            if "output" in top.values else node_names[-1]
        head = self.head(top.values, None, Head())
        gradient_names = [*tables["inputs"], *tables["params"], *node_names]
        columns = self.columns(top.values.get("columns"), gradient_names, tables["constants"]) \
            or ["Yhat", "L", *tables["params"], *tables["inputs"]]
        shapes = self.shapes(tables, node_names)
        self.constant_names = set(tables["constants"])
        answers = self.answers(top.values["answers"], "answers", shapes) \
            if "answers" in top.values else None
        declared_shapes = {name: (section, shape_of(value)) for section in tables
                           for name, value in tables[section].items()}
        variants = self.variants(top.values.get("variants"), head, shapes, declared_shapes)
        return Problem(name=name, file=self.file, title=title, description=description,
                       inputs=tables["inputs"], params=tables["params"],
                       constants=tables["constants"], nodes=nodes, output=output, head=head,
                       columns=columns, answers=answers, variants=variants, lines=self.lines,
                       tolerance=self.tolerance(top.values.get("tolerance")),
                       follow_through=self.follow_through(top.values.get("follow_through")),
                       grade=self.grade_entries(top.values.get("grade")),
                       examples=examples,
                       reduction=trainspec.reduction(self, top.values["reduction"])
                       if "reduction" in top.values else "mean",
                       train=trainspec.train(self, top.values["train"])
                       if "train" in top.values else None,
                       **self.loss_settings(top.values))

    def loss_settings(self, table: dict) -> dict:
        """delta (huber), beta (smooth_l1): positive numbers; conventions: a course's name."""
        settings = {}
        for key in ("delta", "beta"):
            if key in table:
                value = self.number(table[key], key)
                if value <= 0:
                    raise self.fail(f"{key} must be a positive number, not {value}", key,
                                    table[key].line)
                settings[key] = value
        if "conventions" in table:
            settings["conventions"] = self.choice(table["conventions"], "conventions",
                                                  CONVENTIONS)
        return settings

    def mapping(self, node: Node, where: str | None, allowed: tuple) -> Mapping:
        if not isinstance(node, Mapping):
            what = "the file" if where is None else where
            raise self.fail(f"{what} must be a mapping of keys to values", where, node.line)
        for key, line in node.key_lines.items():
            path = f"{where}.{key}" if where else key
            self.lines[path] = line
            if allowed and key not in allowed:
                raise self.fail(f"unknown key {key!r}; the keys allowed here are "
                                f"{', '.join(allowed)}", path, line)
        return node

    def text(self, node: Node, where: str) -> str:
        if not isinstance(node, Scalar) or node.is_null:
            raise self.fail("must be a text value", where, node.line)
        return node.text

    def choice(self, node: Node, where: str, options: tuple) -> str:
        value = self.text(node, where)
        if value not in options:
            raise self.fail(f"{value!r} is not one of {', '.join(options)}", where, node.line)
        return value

    def number(self, node: Node, where: str) -> Fraction:
        if isinstance(node, Scalar) and node.plain and not node.is_null:
            try:
                return num.parse_decimal(node.text)
            except ValueError as exc:
                raise self.fail(str(exc), where, node.line) from None
        if isinstance(node, Scalar) and node.is_null:
            raise self.fail("a number is required here, but the value is empty", where,
                            node.line)
        raise self.fail("must be a plain decimal number (like 2, -1.5 or 1e-3), not "
                        + ("quoted text" if isinstance(node, Scalar) else "a list or mapping"),
                        where, node.line)

    def value(self, node: Node, where: str, depth: int = 0, index: tuple = ()) -> Value:
        """A number, a vector [a, b], a matrix [[a, b], [c, d]] (rectangular, rows first) or a
        tensor of rank 3 or 4 ([[[...]]], channels first).  ``where`` is the value's name;
        ``index`` the position of this part in it, so entries are named X[i, j, k]."""
        at = _at(where, index)
        if not isinstance(node, Sequence):
            return self.number(node, at)
        if not node.items:
            raise self.fail("a vector needs at least one entry", at, node.line)
        if isinstance(node.items[0], Sequence):
            if depth + 2 > MAX_RANK:
                raise self.fail(f"values may be tensors of rank at most {MAX_RANK}, not nested "
                                "deeper", at, node.line)
            rows = []
            for i, row in enumerate(node.items, start=1):
                if not isinstance(row, Sequence):
                    raise self.fail(f"row {i} of the matrix is not a list: every row of a "
                                    "matrix [[a, b], [c, d]] is a list",
                                    _at(where, (*index, i)), row.line)
                rows.append(self.value(row, where, depth + 1, (*index, i)))
                a, b = shape_of(rows[-1]), shape_of(rows[0])
                if a != b:
                    what = f"has {a[0]} entries, row 1 has {b[0]}" if len(a) == len(b) == 1 \
                        else f"is {describe(a)}, row 1 {describe(b)}"
                    raise self.fail(f"the {'matrix' if depth == 0 else 'tensor'} is ragged: "
                                    f"row {i} {what}", _at(where, (*index, i)), row.line)
            if len(rows) * len(flatten(rows[0])) > MAX_VECTOR:
                raise self.fail(f"a matrix may have at most {MAX_VECTOR} entries", at,
                                node.line)
            return tuple(rows)
        return self.vector(node, where, index=index)

    def vector(self, node: Sequence, where: str, row: tuple | None = None,
               index: tuple = ()) -> tuple:
        """A list of numbers; ``row`` (matrix where, row number) or ``index`` (the position
        of this row in a tensor) names entries X[i, j]."""
        if row is not None:
            where, index = row[0], (row[1],)
        at = _at(where, index)
        if not node.items:
            raise self.fail("a vector needs at least one entry", at, node.line)
        if len(node.items) > MAX_VECTOR:
            raise self.fail(f"a vector may have at most {MAX_VECTOR} entries", at, node.line)
        if any(isinstance(item, Sequence) for item in node.items):
            raise self.fail("a matrix must list every row as a list [[a, b], [c, d]]", at,
                            node.line)
        return tuple(self.number(item, _at(where, (*index, i)))
                     for i, item in enumerate(node.items, start=1))

    def check_name(self, name: str, where: str, line: int) -> None:
        if keyword.iskeyword(name):
            raise self.fail(f"{name!r} is a Python keyword, and expressions are read with "
                            f"Python's grammar, so it cannot name a value; use another name "
                            f"such as {name}_ or {name[:3].lower()}1", where, line)
        if not _NAME.fullmatch(name):
            hint = ""
            if any(ch in name for ch in "()[], "):
                hint = ("; in a {...} mapping a comma ends the entry, so quote an expression "
                        "that contains commas, or write one 'name: expression' per line")
            raise self.fail(f"{name!r} is not a valid name (letters, digits and _, not "
                            f"starting with a digit){hint}", where, line)
        if name.startswith("__"):
            raise self.fail(f"{name!r}: names starting with __ are not allowed", where, line)
        if len(name) > MAX_NAME:
            raise self.fail(f"names are limited to {MAX_NAME} characters", where, line)
        if name in RESERVED:
            raise self.fail(f"{name!r} is reserved: {name} is {RESERVED[name]} in every output "
                            "and in the shown work, so a value of that name would be ambiguous",
                            where, line)
        if name in FUNCTIONS:
            raise self.fail(f"{name!r} is reserved: it is a function of the format", where,
                            line)

    def declare(self, name: str, section: str, declared: dict, line: int) -> None:
        where = f"{section}.{name}"
        self.check_name(name, where, line)
        if name in declared:
            raise self.fail(f"{name!r} is already defined in {declared[name]}", where, line)
        declared[name] = section

    def values_table(self, node: Node | None, section: str, declared: dict,
                     required: bool) -> dict:
        if node is None or (isinstance(node, Scalar) and node.is_null):
            if required:
                raise self.fail(f"{section} must list at least one value", section,
                                node.line if node else None)
            return {}
        table = self.mapping(node, section, ())
        if required and not table.values:
            raise self.fail(f"{section} must list at least one value", section, table.line)
        result = {}
        for name, value in table.values.items():
            self.declare(name, section, declared, table.key_lines[name])
            result[name] = self.value(value, f"{section}.{name}")
        return result

    def node_sources(self, node: Node, declared: dict) -> list:
        if isinstance(node, Sequence):
            raise self.fail("nodes must be a mapping 'name: expression' (in order), not a list",
                            "nodes", node.line)
        table = self.mapping(node, "nodes", ())
        if not table.values:
            raise self.fail("nodes must define at least one node", "nodes", table.line)
        sources = []
        for name, expr in table.values.items():
            where = f"nodes.{name}"
            self.declare(name, "nodes", declared, table.key_lines[name])
            if not isinstance(expr, Scalar) or expr.is_null:
                raise self.fail("a node is defined by one expression (text)", where, expr.line)
            if len(expr.text) > MAX_EXPRESSION:
                raise self.fail(f"the expression is longer than {MAX_EXPRESSION} characters; "
                                "split it into several nodes", where, expr.line)
            sources.append(NodeSource(name, expr.text, expr.line))
        return sources

    def name_in(self, node: Node, where: str, names: list, what: str) -> str:
        value = self.text(node, where)
        if value not in names:
            raise self.fail(f"{value!r} is not {what} of this problem", where, node.line)
        return value

    def head(self, table: dict, where: str | None, base: Head) -> Head:
        prefix = f"{where}." if where else ""
        head = Head(base.activation, base.loss, base.label, base.label_text, base.output_grad)
        if "activation" in table:
            head.activation = self.choice(table["activation"], prefix + "activation", ACTIVATIONS)
        if "loss" in table:
            head.loss = self.loss(table["loss"], prefix + "loss")
        if "label" in table:
            head.label = self.value(table["label"], prefix + "label")
            head.label_text = getattr(table["label"], "text", "")
        if "output_grad" in table:
            head.output_grad = self.value(table["output_grad"], prefix + "output_grad")
        return head

    def loss(self, node: Node, where: str) -> str:
        """A preset loss, or a loss expression (parsed by the graph stage, with its line)."""
        value = self.text(node, where).strip()
        if value in LOSSES or value == "Yhat":  # "Yhat": the output itself is the objective
            return value
        if _NAME.fullmatch(value):
            raise self.fail(f"unknown loss {value!r}; the losses are {', '.join(LOSSES)}, or an "
                            "expression such as 'mse + 0.01 * sum(W ** 2)'", where, node.line)
        if len(value) > MAX_EXPRESSION:
            raise self.fail(f"the loss expression is longer than {MAX_EXPRESSION} characters",
                            where, node.line)
        return value

    def grade_entries(self, node: Node | None) -> list | None:
        """``grade: [Yhat, L, W1, 'W1[1, 2]', value z1]``: the entries `hwsolve grade` scores
        (checked against the graph when grading; see hwsolve.teach.grade.asked_entries)."""
        if node is None:
            return None
        if not isinstance(node, Sequence) or not node.items:
            raise self.fail("grade must be a non-empty list of the entries to score, such as "
                            "[Yhat, L, W1, 'W1[1, 2]', value z1]", "grade", node.line)
        return [(self.text(item, f"grade[{i}]"), item.line)
                for i, item in enumerate(node.items, start=1)]

    def columns(self, node: Node | None, gradient_names: list, constants: dict) -> list:
        if node is None:
            return []
        if not isinstance(node, Sequence) or not node.items:
            raise self.fail("columns must be a non-empty list of names", "columns",
                            node.line)
        columns = []
        for i, item in enumerate(node.items, start=1):
            where = f"columns[{i}]"
            name = self.text(item, where)
            if name in constants:
                raise self.fail(f"{name!r} is a constant: it has no gradient column", where,
                                item.line)
            if name not in ("Yhat", "L") and name not in gradient_names:
                raise self.fail(f"{name!r} is not Yhat, L, or an input, param or node", where,
                                item.line)
            if name in columns:
                raise self.fail(f"{name!r} appears twice", where, item.line)
            columns.append(name)
        return columns

    @staticmethod
    def shapes(tables: dict, node_names: list) -> dict:
        """name -> shape for declared values; None for nodes (known after parsing)."""
        shapes = {name: None for name in node_names}
        for table in tables.values():
            for name, value in table.items():
                shapes[name] = shape_of(value)
        return shapes

    def overrides(self, body: dict, where: str, declared: dict) -> dict:
        """A variant's new inputs, params or constants: declared names, of the same shapes."""
        values = {}
        for section in ("inputs", "params", "constants"):
            if section not in body:
                continue
            table = self.mapping(body[section], f"{where}.{section}", ())
            for name, node in table.values.items():
                path = f"{where}.{section}.{name}"
                if declared.get(name, (None,))[0] != section:
                    raise self.fail(f"{name!r} is not one of the problem's {section}", path,
                                    table.key_lines[name])
                value = self.value(node, path)
                if shape_of(value) != declared[name][1]:
                    raise self.fail(f"{name} is {describe(declared[name][1])}; the variant "
                                    f"gives {describe(shape_of(value))}", path,
                                    table.key_lines[name])
                values[name] = value
        return values

    def variants(self, node: Node | None, base: Head, shapes: dict,
                 declared_shapes: dict | None = None) -> dict:
        declared_shapes = declared_shapes or {}
        if node is None:
            return {}
        table = self.mapping(node, "variants", ())
        variants = {}
        for name, body in table.values.items():
            where = f"variants.{name}"
            if not _NAME.fullmatch(name.replace("-", "_")):
                raise self.fail(f"{name!r} is not a valid variant name", where,
                                table.key_lines[name])
            body = self.mapping(body, where, _VARIANT_KEYS)
            head = self.head(body.values, where, base)
            values = self.overrides(body.values, where, declared_shapes)
            answers = self.answers(body.values["answers"], f"{where}.answers", shapes) \
                if "answers" in body.values else None
            variants[name] = Variant(name, head, answers, values)
        return variants
