"""The keys of mini-batches and training runs: ``answers.examples`` and ``answers.train``.

``answers.examples`` lists one ``{Yhat, L, values}`` per example (before any training step);
``values`` keys the example's node values by name (``z1``, ``'H[2]'``).

``answers.train`` keys the run of the spec's ``train`` block:

* ``L`` (after the last step) and ``loss`` (L before step 1, after step 1, ...);
* ``params`` after the last step, whole or by entry ``'W[1, 2]'``;
* ``Yhat`` after the last step (with examples: one row per example), ``values`` (node values
  after the last step) and ``grad`` (the gradients at the final params);
* ``steps: {K: {params: {...}, state: {exp_avg: {W: ...}, ...}}}``: the params and the
  optimizer's state after step K, the state named as ``torch.optim`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve.spec.shapes import entry_name, shape_of
from hwsolve.spec.yamlread import Sequence

TRAIN_ANSWER_KEYS = ("L", "loss", "params", "Yhat", "values", "grad", "steps")
EXAMPLE_ANSWER_KEYS = ("Yhat", "L", "values")
STEP_KEYS = ("params", "state")
# torch.optim's state names, with the letters of the textbooks' formulas as aliases.
STATE_NAMES = ("momentum_buffer", "square_avg", "sum", "exp_avg", "exp_avg_sq")
# v is exp_avg_sq for adam and square_avg for rmsprop: resolved by the checker, which knows.
STATE_ALIASES = {"m": "exp_avg", "v": "v", "b": "momentum_buffer", "s": "sum"}


@dataclass
class StepAnswers:
    step: int
    line: int
    params: dict = field(default_factory=dict)  # name or entry -> keys
    state: dict = field(default_factory=dict)   # torch state name -> {name or entry -> keys}
    state_lines: dict = field(default_factory=dict)


@dataclass
class TrainAnswers:
    loss: object = None                         # Key: L after the last step
    losses: tuple | None = None                 # Keys: L before step 1, after 1, ...
    params: dict = field(default_factory=dict)  # name or entry -> Key or nested Keys
    line: int = 0
    yhat: object = None                         # keys of Ŷ after the last step
    values: dict = field(default_factory=dict)  # node values after the last step
    grad: dict = field(default_factory=dict)    # gradients at the final params
    steps: dict = field(default_factory=dict)   # K -> StepAnswers


def _named_keys(builder, node, where: str, names, what: str, declared: dict | None) -> dict:
    """``{name or 'name[i, j]': keys}`` with every base name in ``names``."""
    entries = builder.mapping(node, where, ())
    found = {}
    for name, entry in entries.values.items():
        path = f"{where}.{name}"
        line = entries.key_lines[name]
        base, index = entry_name(name)
        if base not in names:
            raise builder.fail(f"{base!r} is not {what}", path, line)
        key = builder.keys(entry, path) if index is None else builder.key(entry, path)
        shape = (declared or {}).get(base)
        if shape is not None:
            from hwsolve.spec.keys import key_shape_problem
            problem = key_shape_problem(key, shape, index, base)
            if problem:
                raise builder.fail(problem, path, line)
        found[name] = key
    return found


def _param_shapes(params: dict) -> dict:
    return {name: shape_of(value) for name, value in params.items()}


def train_answers(builder, node, where: str, params: dict, shapes: dict) -> TrainAnswers:
    table = builder.mapping(node, where, TRAIN_ANSWER_KEYS)
    answers = TrainAnswers(line=table.line)
    pshapes = _param_shapes(params)
    if "L" in table.values:
        answers.loss = builder.key(table.values["L"], f"{where}.L")
    if "loss" in table.values:
        losses = builder.keys(table.values["loss"], f"{where}.loss")
        if not isinstance(losses, tuple) or any(isinstance(x, tuple) for x in losses):
            raise builder.fail("loss is a list of numbers: L before step 1, after step 1, ...",
                               f"{where}.loss", table.values["loss"].line)
        answers.losses = losses
    if "params" in table.values:
        answers.params = _named_keys(builder, table.values["params"], f"{where}.params",
                                     params, "a param: only params are trained", pshapes)
    if "Yhat" in table.values:
        answers.yhat = builder.keys(table.values["Yhat"], f"{where}.Yhat")
    if "values" in table.values:
        answers.values = _named_keys(builder, table.values["values"], f"{where}.values",
                                     shapes, "an input, param, constant or node", None)
    if "grad" in table.values:
        names = {n for n in shapes if n not in getattr(builder, "constant_names", ())}
        answers.grad = _named_keys(builder, table.values["grad"], f"{where}.grad", names,
                                   "an input, param or node (a constant has no gradient)",
                                   None)
    if "steps" in table.values:
        answers.steps = _steps(builder, table.values["steps"], f"{where}.steps", params,
                               pshapes)
    return answers


def _steps(builder, node, where: str, params: dict, pshapes: dict) -> dict:
    table = builder.mapping(node, where, ())
    found = {}
    for text, body in table.values.items():
        line = table.key_lines[text]
        path = f"{where}.{text}"
        if not str(text).isdigit() or int(text) < 1:
            raise builder.fail(f"{text!r} is not a step number: steps are keyed by K = 1, 2, "
                               "... (the state after step K)", path, line)
        step = StepAnswers(int(text), line)
        body = builder.mapping(body, path, STEP_KEYS)
        if "params" in body.values:
            step.params = _named_keys(builder, body.values["params"], f"{path}.params",
                                      params, "a param: only params are trained", pshapes)
        if "state" in body.values:
            states = builder.mapping(body.values["state"], f"{path}.state", ())
            for name, entry in states.values.items():
                spot = f"{path}.state.{name}"
                torch_name = STATE_ALIASES.get(name, name)
                if torch_name not in STATE_NAMES + ("v",):
                    raise builder.fail(f"{name!r} is not an optimizer state; the states are "
                                       f"named as torch.optim names them: "
                                       f"{', '.join(STATE_NAMES)} (or m, v, b, s as in the "
                                       "formulas)", spot, states.key_lines[name])
                step.state[torch_name] = _named_keys(builder, entry, spot, params,
                                                     "a param: only params have state", pshapes)
                step.state_lines[torch_name] = states.key_lines[name]
        found[step.step] = step
    return found


def example_answers(builder, node, where: str, shapes: dict | None = None) -> tuple:
    """``answers.examples``: one entry per example, in input order, each ``{Yhat, L, values}``
    (any may be left out; ``{}`` keys nothing for that example), before any training step."""
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
        body = builder.mapping(item, path, EXAMPLE_ANSWER_KEYS)
        keys = {}
        if "Yhat" in body.values:
            keys["Yhat"] = builder.keys(body.values["Yhat"], f"{path}.Yhat")
        if "L" in body.values:
            keys["L"] = builder.key(body.values["L"], f"{path}.L")
        if "values" in body.values:
            keys["values"] = _named_keys(builder, body.values["values"], f"{path}.values",
                                         shapes or {}, "an input, param, constant or node",
                                         None)
        found.append(keys)
    return tuple(found)


__all__ = ["TrainAnswers", "StepAnswers", "train_answers", "example_answers"]
