"""The spec keys of mini-batches and training: ``examples``, ``reduction``, ``train``, and the
``answers.train`` key.  Validated with the loader's own building blocks, so every error names
the file, the key path and the line like the rest of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsolve.spec.trainconfig import OPTIMIZERS, TrainConfig, check_config
from hwsolve.spec.shapes import describe, shape_of
from hwsolve.spec.yamlread import Sequence

MAX_EXAMPLES = 100_000
MAX_STEPS = 10_000_000
REDUCTIONS = ("mean", "sum")
_TRAIN_KEYS = ("optimizer", "lr", "momentum", "weight_decay", "betas", "eps", "alpha", "steps")
_EXAMPLE_KEYS = ("inputs", "label")


from hwsolve.spec.trainkeys import TrainAnswers  # noqa: E402,F401  (moved; re-exported)


@dataclass
class Example:
    """One example of a mini-batch, as the spec gives it (spec data: the engine reads it)."""
    inputs: dict          # name -> value, every input of the problem
    label: object         # the label of this example (None: the problem's)
    line: int = 0


def examples(builder, top: dict, declared: dict) -> tuple:
    """(the inputs of example 1, [Example]) from ``examples:``; every example gives the same
    inputs with the same shapes, and a label when the problem has none of its own."""
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
