"""``hwsolve info PROBLEM``: the seed's Q1 table for a problem — which quantities are learned
parameters, which are hyper-parameters, inputs and constants, each with a one-line reason.

Read only: the parsed :class:`Problem` and its graph (for the activations, the leaky slopes and
the layers); nothing is solved.
"""

from __future__ import annotations

from hwsolve.spec.shapes import entries_of, shape_of

from dataclasses import dataclass, field

from hwsolve.engine.graph import build
from hwsolve.engine.solve import resolve_setup
from hwsolve.spec import expr as E
from hwsolve.spec.load import Problem

ACTIVATION_OPS = ("relu", "leaky_relu", "sigmoid", "tanh")
_NICE = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "sigmoid": "sigmoid", "tanh": "tanh",
         "identity": "identity"}


@dataclass
class Info:
    problem: Problem
    parameters: list = field(default_factory=list)       # {name, shape, count, reason}
    hyperparameters: list = field(default_factory=list)  # {name, value, reason}
    inputs: list = field(default_factory=list)           # {name, shape, value, reason}
    constants: list = field(default_factory=list)        # {name, value, reason}

    @property
    def learned_scalars(self) -> int:
        return sum(p["count"] for p in self.parameters)

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.info_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render.teach import info_markdown
        return info_markdown(self)

    def _repr_html_(self):
        from hwsolve.render.teach import info_html
        return info_html(self)


def info(problem: Problem, *, activation: str | None = None, loss: str | None = None,
         variant: str | None = None) -> Info:
    setup = resolve_setup(problem, variant=variant, activation=activation, loss=loss)
    graph = build(problem)
    result = Info(problem)
    for name, value in problem.params.items():
        shape, count = _shape(value)
        kind = "weight" if name.upper().startswith("W") else \
            "bias" if name.upper().startswith("B") else "parameter"
        form = {0: "", 1: " vector", 2: " matrix"}[len(shape)]
        result.parameters.append({
            "name": name, "shape": shape, "count": count,
            "reason": f"learned: a {kind}{form}, updated by gradient "
                      f"descent from dL/d{name} during training, not set by hand"})
    for name, value in problem.inputs.items():
        shape, _ = _shape(value)
        result.inputs.append({"name": name, "shape": shape, "value": value,
                              "reason": "data: a feature of the example, given, not learned"})
    if setup.label is not None:
        result.inputs.append({"name": "Y", "shape": list(shape_of(setup.label)),
                              "value": setup.label,
                              "reason": "data: the example's label (target), given, not "
                                        "learned"})

    slopes = _leaky_slopes(graph)
    for name, value in problem.constants.items():
        use = " (the leaky ReLU slope, a hyper-parameter)" if name in slopes else ""
        result.constants.append({"name": name, "value": value,
                                 "reason": f"fixed: written into the problem, never updated{use}"})

    hyper = result.hyperparameters
    hidden = sorted({n.expr.op for n in graph.nodes if _activation(n.expr)})
    if hidden:
        hyper.append({"name": "hidden activation", "value": ", ".join(_NICE[h] for h in hidden),
                      "reason": "chosen by hand before training; the non-linearity does not "
                                "change while the model learns"})
    hyper.append({"name": "output activation", "value": setup.activation,
                  "reason": "chosen to match the task and the labels (σ for 0/1 labels, tanh "
                            "for -1/1); fixed during training"})
    hyper.append({"name": "loss", "value": setup.loss,
                  "reason": "chosen by hand (bce for classification, mse for regression); it "
                            "defines what training minimises, so it is not learned"})
    for name, value in slopes.items():
        hyper.append({"name": name or "leaky ReLU slope", "value": value,
                      "reason": "the leaky ReLU slope: set by hand and fixed; gradients flow "
                                "through it but it is never updated"})
    layers = _layers(graph)
    if layers:
        hyper.append({"name": "depth", "value": len(layers),
                      "reason": "the number of hidden layers, set when the network is designed; "
                                "training does not change it"})
        widths = [len(nodes) for nodes in layers]
        hyper.append({"name": "width", "value": widths[0] if len(set(widths)) == 1 else widths,
                      "reason": "the units per hidden layer ("
                                + "; ".join(", ".join(nodes) for nodes in layers)
                                + "), set by hand, fixed during training"})
    examples = getattr(problem, "examples", None)
    if examples:
        hyper.append({"name": "batch size", "value": len(examples),
                      "reason": "how many examples each gradient averages (or sums) over: "
                                "chosen by hand, not learned"})
    for key, value in _training(problem):
        hyper.append({"name": key, "value": value,
                      "reason": "a setting of the training run, chosen by hand and tuned on "
                                "the validation set, never learned"})
    return result


def _shape(value) -> tuple:
    """([m, n], m·n) for a matrix, ([n], n) for a vector, ([], 1) for a scalar."""
    shape = shape_of(value)
    return list(shape), entries_of(shape)


def _activation(expr) -> bool:
    return isinstance(expr, E.Apply) and expr.op in ACTIVATION_OPS


def _leaky_slopes(graph) -> dict:
    """Slope name (a constant's, or '' for a number written inline) -> value."""
    found: dict = {}
    stack = [node.expr for node in graph.nodes]
    while stack:
        e = stack.pop()
        if isinstance(e, E.Apply):
            if e.op == "leaky_relu":
                slope = e.args[1]
                if isinstance(slope, E.Name) and slope.name in graph.problem.constants:
                    found[slope.name] = graph.problem.constants[slope.name]
                elif isinstance(slope, E.Num):
                    found.setdefault("", slope.value)
            stack.extend(e.args)
        elif isinstance(e, E.VectorLit):
            stack.extend(e.items)
    return found


def _layers(graph) -> list:
    """Hidden layers as lists of node names, when every unit (a node whose expression is an
    activation) sits at a definite layer: one more than the deepest unit it reads from."""
    level: dict = {}
    for node in graph.nodes:
        below = max((level.get(slot, 0) for slot in node.inputs), default=0)
        level[node.slot] = below + (1 if _activation(node.expr) else 0)
    units: dict = {}
    for node in graph.nodes:
        if _activation(node.expr) and node.name != graph.problem.output:
            units.setdefault(level[node.slot], []).append(node.label)  # h[1], h[2]: units
    return [units[k] for k in sorted(units)]


def _training(problem) -> list:
    """The training settings of a problem that trains (issue 9's ``train:`` section)."""
    train = getattr(problem, "train", None) or getattr(problem, "training", None)
    if train is None:
        return []
    items = train.items() if isinstance(train, dict) else vars(train).items()
    return [(key, value) for key, value in items
            if key in ("lr", "learning_rate", "optimizer", "batch_size", "steps", "epochs",
                       "momentum") and value is not None]
