"""The output head as ordinary operations on the tape: Ŷ = activation(output), then the loss L.

:func:`attach` adds to a copy of the graph the node ``Yhat`` (one program per output entry),
the label ``Y`` as leaf slots of kind "label", and the node ``L`` — a loss operation of
:mod:`hwsolve.ops.vector`, or an expression over ``Yhat``, ``Y`` and every name of the problem in
which ``bce``, ``mse``, ``cross_entropy`` and ``hinge`` stand for that loss's value.  With
``loss: none`` there is no L: the objective is Ŷ itself, seeded with ``output_grad``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from hwsolve.engine import head_nn
from hwsolve.engine.graph import Graph, add_leaf, compile_tree
from hwsolve.errors import HwsolveError
from hwsolve.spec import expr as E
from hwsolve.spec.shapes import describe, flatten, shape_of

PRESETS = ("bce", "mse", "cross_entropy", "hinge")
ACTIVATION_OF = {"bce": "sigmoid", "cross_entropy": "softmax", "hinge": "identity"}
"""The activation each preset needs (mse takes any); a loss expression needs that of every
preset it names."""


def presets_in(loss: str) -> tuple:
    """The presets a loss uses: the preset itself, or those a loss expression names."""
    if loss in PRESETS:
        return (loss,)
    if loss == "none" or not isinstance(loss, str):
        return ()
    return tuple(p for p in PRESETS if re.search(rf"\b{p}\b", loss))


def activation_problem(activation: str, loss: str) -> str | None:
    """Why the presets of ``loss`` cannot follow ``activation``, or None."""
    for preset in presets_in(loss):
        needed = ACTIVATION_OF.get(preset)
        if needed is None or activation == needed:
            continue
        named = "" if preset == loss else f" (the loss {loss!r} uses {preset})"
        if preset == "bce" and activation == "softmax":
            return ("bce needs sigmoid outputs, one probability each; softmax outputs share one "
                    f"normaliser: with softmax use the cross_entropy loss{named}")
        if preset == "bce":
            return (f"bce needs an output in (0, 1), but the activation is {activation}, "
                    f"whose output can leave (0, 1){named}; use sigmoid with bce, or the mse "
                    "loss")
        return f"{preset} needs activation: {needed}, not {activation}{named}"
    return None


def label_problem(loss: str, label) -> str | None:
    """Why ``label`` cannot be the label of ``loss`` (the range its presets need), or None."""
    if label is None or "bce" not in presets_in(loss):
        return None
    bad = [y for y in flatten(label) if not 0 <= y <= 1]
    if bad:
        return f"bce needs a label in [0, 1], not {bad[0]}"
    return None


def turns_zero_labels(activation: str, loss: str) -> bool:
    """Under tanh, mse and bce (also inside an expression) read a label 0 as -1."""
    return activation == "tanh" and any(p in ("mse", "bce") for p in presets_in(loss))


@dataclass
class HeadSlots:
    yhat: list                    # slots of Ŷ, row-major
    z: list                       # slots of the output node
    label: list                   # slots of Y (may be empty)
    loss: int | None              # slot of L (None for loss: none)
    seeds: dict = field(default_factory=dict)   # slot -> upstream gradient to start from
    forward_only: bool = False    # loss: none, a vector output, no output_grad: values only


def copy_graph(graph: Graph) -> Graph:
    return Graph(graph.problem, list(graph.slots), dict(graph.leaf_values), dict(graph.vectors),
                 dict(graph.scalars), graph.nodes, dict(graph.shapes), [], graph.linear)


def attach(body: Graph, setup) -> tuple:
    """A copy of ``body`` with the head of ``setup`` compiled after its nodes."""
    graph = copy_graph(body)
    problem = graph.problem
    out = problem.output
    shape = graph.shapes[out]
    fail = _failer(problem, setup)
    if len(shape) > 1:
        raise fail(f"the output must be a scalar or a vector, but {out} is {describe(shape)}",
                   "output")
    act = setup.activation
    z = graph.slots_of(out)
    source = E.Tensor("name", shape, data=out)
    if act == "softmax":
        if shape == ():
            raise fail("softmax needs a vector output, but the output is a scalar", "activation")
        if shape[0] > E.MAX_SOFTMAX:
            raise fail(f"softmax of an output of {shape[0]:,} entries: every entry depends on "
                       f"every other, so its local derivatives grow with the square of the "
                       f"length; at most {E.MAX_SOFTMAX:,}", "activation")
        tree = E.Tensor("softmax", shape, (source,))
    else:
        tree = E.Tensor("ew", shape, (source,), act)
    line = problem.lines.get("activation", problem.lines.get("output", 0)) or 0
    graph.head_nodes += compile_tree(graph, "Yhat", "yhat", tree, f"{act}({out})", line)
    yhat = graph.slots_of("Yhat")
    head = HeadSlots(yhat, z, [], None)
    loss = setup.loss
    if loss == "none":
        grads = setup.output_grad
        if grads is None and shape:  # forward-only: every value, no gradients
            head.forward_only = True
            return graph, head
        if grads is None:
            grads = Fraction(1)
        if shape_of(grads) != shape:
            raise fail(f"output_grad must be {describe(shape)}, like the output, not "
                       f"{describe(shape_of(grads))}", "output_grad")
        head.seeds = dict(zip(yhat, flatten(grads)))
        return graph, head
    line = problem.lines.get("loss", 0) or 0
    if loss in PRESETS or loss in head_nn.PRESETS:
        target = _labels(setup, loss, shape, fail)
        head.label = add_leaf(graph, "Y", "label", target)
        graph.head_nodes += _preset(graph, "L", loss, head, act, setup.class_index, line)
    else:
        head.label = _expression_labels(graph, setup)
        graph.head_nodes += _expression(graph, loss, head, act, setup, line, fail)
    head.loss = graph.scalars["L"]
    head.seeds = {head.loss: Fraction(1)}
    return graph, head


def _preset(graph: Graph, name: str, loss: str, head: HeadSlots, act: str, class_index,
            line: int) -> list:
    k = len(head.yhat)
    items = tuple(E.Item("Yhat", i) for i in range(1, k + 1)) if graph.shapes["Yhat"] \
        else (E.Name("Yhat"),)
    contexts = tuple(E.Context(s) for s in head.z)
    labels = tuple(E.Context(s) for s in head.label)
    op, extra = head_nn.preset_op(graph.problem, loss, class_index)
    expr = E.Apply(op, (E.VectorLit(items), E.VectorLit(contexts), E.VectorLit(labels)),
                   (act, k, extra))
    tree = _Fixed(expr)
    return compile_tree(graph, name, "loss", tree, loss, line)


class _Fixed(E.Tensor):
    """A scalar tree whose lowering is given (the preset losses are built, not parsed)."""

    def __init__(self, expr):
        super().__init__("fixed", (), (), expr)


def _expression(graph: Graph, text: str, head: HeadSlots, act: str, setup, line: int,
                fail) -> list:
    programs = []
    shapes = dict(graph.shapes)
    used = [p for p in PRESETS if re.search(rf"\b{p}\b", text)]
    for preset in used:
        for taken in (preset, f"Y_{preset}"):
            if taken in graph.shapes:
                raise fail(f"the loss expression uses {preset!r}, and {taken!r} is also a name "
                           "of this problem (the preset's value and label take those names); "
                           "rename it", "loss")
        target = _labels(setup, preset, graph.shapes["Yhat"], fail)
        saved = head.label
        head.label = _label_slots(graph, preset, target)
        programs += _preset(graph, preset, preset, head, act, setup.class_index, line)
        head.label = saved
        shapes[preset] = ()
    try:
        tree = E.parse_tensor(text, shapes, node="L")
    except E.ExprError as exc:
        raise fail(str(exc), "loss") from None
    if tree.shape != ():
        raise fail(f"the loss must be a scalar, but the expression is {describe(tree.shape)}; "
                   "use sum(...) or mean(...)", "loss")
    programs += compile_tree(graph, "L", "loss", tree, text, line)
    return programs


def _label_slots(graph: Graph, preset: str, target) -> list:
    """The label as the preset inside a loss expression reads it (one-hot for a class)."""
    return add_leaf(graph, f"Y_{preset}", "label", target)


def _expression_labels(graph: Graph, setup) -> list:
    if setup.label is None:
        return []
    return add_leaf(graph, "Y", "label", setup.label)


def _labels(setup, loss: str, shape: tuple, fail):
    """The label entries a preset loss compares with, checked against the output's shape."""
    label = setup.label
    k = shape[0] if shape else 1
    if label is None:
        raise fail(f"the {loss} loss needs a label (key 'label')", "label")
    if loss in ("cross_entropy", "hinge") and shape:
        if shape_of(label) == ():
            c = label
            if c.denominator != 1 or not 1 <= c <= k:
                raise fail(f"the class number must be a whole number from 1 to {k}, not {c}",
                           "label")
            setup.class_index = int(c)
            return tuple(Fraction(int(j == int(c))) for j in range(1, k + 1))
        if loss == "hinge":
            raise fail("the hinge loss takes a class number as its label", "label")
        if shape_of(label) != shape:
            raise fail(f"the label must be a class number or {describe(shape)} of "
                       f"probabilities, not {describe(shape_of(label))}", "label")
        if any(p < 0 for p in label) or sum(label) != 1:
            raise fail("a probability label needs entries of at least 0 that sum to 1", "label")
        return label
    if shape_of(label) != shape:
        raise fail(f"the label must be {describe(shape)}, like the output, not "
                   f"{describe(shape_of(label))}", "label")
    if loss == "hinge" and label not in (1, -1):
        raise fail(f"with one output, the hinge loss max(0, 1 - y·s) needs a label of 1 or -1, "
                   f"not {label}", "label")
    return label


def label_values(problem, setup, shape: tuple) -> dict:
    """The label leaves :func:`attach` makes for ``setup``, by slot name (``Y``, and ``Y_bce``
    ... for the presets a loss expression names), checked as attach checks them.  A batch
    compiles its graph once and puts each example's label into these slots."""
    loss = setup.loss
    if loss == "none":
        return {}
    fail = _failer(problem, setup)
    if loss in PRESETS:
        return {"Y": _labels(setup, loss, shape, fail)}
    values = {} if setup.label is None else {"Y": setup.label}
    for preset in presets_in(loss):
        values[f"Y_{preset}"] = _labels(setup, preset, shape, fail)
    return values


def structure_of(setup, shape: tuple):
    """What of a label the compiled head depends on beyond its slots: the class of a
    multiclass hinge (its margins are taken against that class); None otherwise."""
    if shape and "hinge" in presets_in(setup.loss):
        return setup.class_index
    return None


def _failer(problem, setup):
    def fail(message: str, key: str) -> HwsolveError:
        where = key
        if setup.variant is not None and f"variants.{setup.variant}.{key}" in problem.lines:
            where = f"variants.{setup.variant}.{key}"
        return HwsolveError(message, file=problem.file, where=where,
                            line=problem.lines.get(where))
    return fail
