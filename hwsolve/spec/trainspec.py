"""The spec keys of mini-batches and training: ``examples``, ``reduction``, ``train``, and the
``answers.train`` key.  Validated with the loader's own building blocks, so every error names
the file, the key path and the line like the rest of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve.spec.trainconfig import OPTIMIZERS, TrainConfig, check_config
from hwsolve.spec.shapes import describe, entry_name, shape_of
from hwsolve.spec.yamlread import Sequence

MAX_EXAMPLES = 100_000
MAX_STEPS = 10_000_000
REDUCTIONS = ("mean", "sum")
_TRAIN_KEYS = ("optimizer", "lr", "momentum", "weight_decay", "betas", "eps", "alpha", "steps")
_EXAMPLE_KEYS = ("inputs", "label")
_TRAIN_ANSWER_KEYS = ("L", "loss", "params")
_EXAMPLE_ANSWER_KEYS = ("Yhat", "L")


@dataclass
class TrainAnswers:
    loss: object = None                         # Key: L after the last step
    losses: tuple | None = None                 # Keys: L before step 1, after 1, ...
    params: dict = field(default_factory=dict)  # name or entry -> Key or nested Keys
    line: int = 0


def examples(builder, top: dict, declared: dict) -> tuple:
    """(the inputs of example 1, [Example]) from ``examples:``; every example gives the same
    inputs with the same shapes, and a label when the problem has none of its own."""
    from hwsolve.engine.batch import Example

    node = top["examples"]
    if "inputs" in top:
        raise builder.fail("give the inputs either at the top (one example) or in every "
                           "example of 'examples', not both", "inputs",
                           builder.lines.get("inputs"))
    if not isinstance(node, Sequence) or not node.items:
        raise builder.fail("examples must be a non-empty list of {inputs: {...}, label: ...}",
                           "examples", node.line)
    if len(node.items) > MAX_EXAMPLES:
        raise builder.fail(f"at most {MAX_EXAMPLES} examples", "examples", node.line)
    found = []
    first: dict = {}
    for k, item in enumerate(node.items, start=1):
        where = f"examples[{k}]"
        body = builder.mapping(item, where, _EXAMPLE_KEYS)
        if "inputs" not in body.values:
            raise builder.fail("an example needs its inputs: {inputs: {name: value}, label: "
                               "...}", where, item.line)
        table = builder.mapping(body.values["inputs"], f"{where}.inputs", ())
        values = {}
        for name, value in table.values.items():
            path = f"{where}.inputs.{name}"
            line = table.key_lines[name]
            if k == 1:
                builder.declare(name, "inputs", declared, line)
            elif name not in first:
                raise builder.fail(f"{name!r} is not an input of example 1; every example "
                                   "gives the same inputs", path, line)
            values[name] = builder.value(value, path)
            if k > 1 and shape_of(values[name]) != shape_of(first[name]):
                raise builder.fail(f"{name} is {describe(shape_of(first[name]))} in example 1 "
                                   f"but {describe(shape_of(values[name]))} here", path, line)
        if k == 1:
            if not values:
                raise builder.fail("an example needs at least one input", f"{where}.inputs",
                                   table.line)
            first = values
        missing = [name for name in first if name not in values]
        if missing:
            raise builder.fail(f"example {k} does not give the input {missing[0]!r}; every "
                               "example gives every input", f"{where}.inputs", table.line)
        label = builder.value(body.values["label"], f"{where}.label") \
            if "label" in body.values else None
        found.append(Example(values, label, item.line))
    with_label = [ex.label is not None for ex in found]
    if any(with_label) and not all(with_label):
        k = with_label.index(False) + 1
        raise builder.fail("either every example gives its label or none does (then the "
                           "problem's label serves all)", f"examples[{k}]",
                           node.items[k - 1].line)
    if any(with_label) and "label" in top:
        raise builder.fail("the examples give their labels: remove the top-level label",
                           "label", builder.lines.get("label"))
    return first, found


def reduction(builder, node) -> str:
    return builder.choice(node, "reduction", REDUCTIONS)


def train(builder, node) -> TrainConfig:
    table = builder.mapping(node, "train", _TRAIN_KEYS)
    values = table.values
    config = TrainConfig()
    if "optimizer" in values:
        config.optimizer = builder.choice(values["optimizer"], "train.optimizer", OPTIMIZERS)
    for key in ("lr", "momentum", "weight_decay", "eps", "alpha"):
        if key in values:
            setattr(config, key, builder.number(values[key], f"train.{key}"))
    if "betas" in values:
        betas = values["betas"]
        if not isinstance(betas, Sequence) or len(betas.items) != 2:
            raise builder.fail("betas is a list of two numbers, like [0.9, 0.999]",
                               "train.betas", betas.line)
        config.betas = tuple(builder.number(b, f"train.betas[{i}]")
                             for i, b in enumerate(betas.items, start=1))
    if "steps" in values:
        steps = builder.number(values["steps"], "train.steps")
        if steps.denominator != 1 or not 0 <= steps <= MAX_STEPS:
            raise builder.fail(f"steps must be a whole number from 0 to {MAX_STEPS}",
                               "train.steps", values["steps"].line)
        config.steps = int(steps)

    def fail(message, key):
        where = f"train.{key}"
        return builder.fail(message, where, builder.lines.get(where, table.line))
    check_config(config, fail)
    return config


def train_answers(builder, node, where: str, params: dict) -> TrainAnswers:
    """``answers.train``: ``L`` (after the last step), ``loss`` (every step's L, from before
    step 1) and ``params`` (after the last step, whole or by entry)."""
    table = builder.mapping(node, where, _TRAIN_ANSWER_KEYS)
    answers = TrainAnswers(line=table.line)
    if "L" in table.values:
        answers.loss = builder.key(table.values["L"], f"{where}.L")
    if "loss" in table.values:
        losses = builder.keys(table.values["loss"], f"{where}.loss")
        if not isinstance(losses, tuple) or any(isinstance(x, tuple) for x in losses):
            raise builder.fail("loss is a list of numbers: L before step 1, after step 1, ...",
                               f"{where}.loss", table.values["loss"].line)
        answers.losses = losses
    if "params" in table.values:
        entries = builder.mapping(table.values["params"], f"{where}.params", ())
        for name, entry in entries.values.items():
            path = f"{where}.params.{name}"
            line = entries.key_lines[name]
            base, index = entry_name(name)
            if base not in params:
                raise builder.fail(f"{base!r} is not a param: only params are trained", path,
                                   line)
            key = builder.keys(entry, path) if index is None else builder.key(entry, path)
            from hwsolve.spec.load import key_shape_problem
            problem = key_shape_problem(key, shape_of(params[base]), index, base)
            if problem:
                raise builder.fail(problem, path, line)
            answers.params[name] = key
    return answers



def example_answers(builder, node, where: str) -> tuple:
    """``answers.examples``: a list with one entry per example, in input order, each
    ``{Yhat: ..., L: ...}`` (either may be left out; ``{}`` keys nothing for that example).
    Ŷ and L are the example's own, before any training step."""
    count = getattr(builder, "example_count", 0)
    if not count:
        raise builder.fail("answers.examples keys each example of a mini-batch, and this "
                           "problem has no examples", where, node.line)
    if not isinstance(node, Sequence):
        raise builder.fail("examples is a list with one {Yhat: ..., L: ...} per example",
                           where, node.line)
    if len(node.items) != count:
        raise builder.fail(f"the problem has {count} examples but the key lists "
                           f"{len(node.items)}; give one entry per example ({{}} for none)",
                           where, node.line)
    found = []
    for k, item in enumerate(node.items, start=1):
        path = f"{where}[{k}]"
        body = builder.mapping(item, path, _EXAMPLE_ANSWER_KEYS)
        keys = {}
        if "Yhat" in body.values:
            keys["Yhat"] = builder.keys(body.values["Yhat"], f"{path}.Yhat")
        if "L" in body.values:
            keys["L"] = builder.key(body.values["L"], f"{path}.L")
        found.append(keys)
    return tuple(found)
