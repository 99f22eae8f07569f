"""``hwsolve derive PROBLEM``: closed forms from a problem's own nodes and head.

The head gives δ = ∂L/∂z for the output node (:mod:`hwsolve.derive.head`); the nodes are then
walked in reverse spec order, each node's adjoint named ``d_<node>`` in the ``where`` list (the
δ₁, δ₂ of a course) before it flows into the node's expression.  Forms may use every name of
the problem: inputs, params, constants, nodes, ``Yhat`` and the label ``Y``.

Each form is checked against the engine's gradient at the problem's own values and at 20
random rational values of its inputs and params.  A mini-batch problem gets per-example forms
(``per_example: true``): checked in every example, and their mean (or sum, the problem's
``reduction``) against the engine's batch gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hwsolve.derive import form as F
from hwsolve.derive import head as H
from hwsolve.derive.check import SkipPoint
from hwsolve.derive.finish import finish, refuse
from hwsolve.derive.result import LAYOUTS, Derivation
from hwsolve.derive.rules import Deriver, Refusal, Where
from hwsolve.errors import HwsolveError
from hwsolve.num import NumericError
from hwsolve.spec import expr as E
from hwsolve.spec.shapes import shape_of

PRESETS = ("bce", "mse", "cross_entropy", "hinge")


def derive_problem(problem, setup, wrt: list | None = None, *, layout: str = "variable",
                   seed: int = 0, points: int = 20) -> Derivation:
    if layout not in LAYOUTS:
        raise HwsolveError(f"unknown layout {layout!r}; the layouts are "
                           f"{', '.join(LAYOUTS)}", where="--layout")
    built = forms(problem, setup, wrt)
    batch = bool(problem.examples)
    derivation = Derivation(problem.name, "L", [], [], layout=layout, seed=seed,
                            per_example=batch, reduction=problem.reduction if batch else None,
                            head=built.head)
    if setup.loss != "none":
        derivation.notes.append(f"Yhat = {setup.activation}({problem.output}); Y is the label"
                                + (" (one-hot: the class number as a vector)"
                                   if _class_label(problem, setup) else ""))
    if batch:
        derivation.notes.append(
            f"per example: the batch gradient is the {problem.reduction} of these forms over "
            f"the {len(problem.examples)} examples")
    return finish(derivation, built.where, built.grads, engine(problem, setup, built),
                  built.draw, points=points, own=True, deriver=built.deriver,
                  what=problem.file)


@dataclass
class Built:
    where: object            # rules.Where
    grads: dict              # wrt -> form
    head: str
    extra: dict              # label names -> the preset they belong to
    zshape: tuple
    shapes: dict             # every name of the problem -> shape (Yhat and Y too)
    draw: dict               # the names the check draws at random -> shape
    deriver: object


def forms(problem, setup, wrt: list | None = None, slip: str | None = None) -> Built:
    """The unchecked forms (``slip`` plants one rule mistake, for the grader's diagnosis)."""
    batch = bool(problem.examples)
    shapes = {}
    for table in (problem.inputs, problem.params, problem.constants):
        for n, v in table.items():
            shapes[n] = shape_of(v)
    trees = []
    for source in problem.nodes:
        tree = E.parse_tensor(source.text, shapes, node=source.name)
        shapes[source.name] = tree.shape
        trees.append((source, tree))
    out = problem.output
    zshape = shapes[out]
    leaves = list(problem.params) + ([] if batch else list(problem.inputs))
    wrt = list(wrt or leaves)
    for w in wrt:
        if w not in shapes or w in problem.constants:
            known = ", ".join(leaves + [s.name for s, _ in trees])
            raise HwsolveError(f"--wrt {w}: not a param, input or node of this problem "
                               f"(these are: {known})", file=problem.file, where="--wrt")
        if batch and w not in problem.params:
            raise HwsolveError(f"--wrt {w}: in a mini-batch only the params have a batch "
                               "gradient", file=problem.file, where="--wrt")
    act, loss = setup.activation, setup.loss
    where = Where(set(shapes) | {"Yhat", "Y", "L"})
    targets = set(wrt)  # and the nodes that lead to a wrt name (their adjoints are needed)
    for source, tree in trees:
        if F.names_in(tree) & targets:
            targets.add(source.name)
    deriver = Deriver(targets, where)
    deriver.slip = slip
    try:
        dz, head_text, extra = _head(problem, setup, act, loss, zshape, shapes, where, deriver)
        if out in targets:
            deriver.whole.setdefault(out, []).append(dz)
            deriver.steps.append((out, dz, head_text))
        for source, tree in reversed(trees):
            if source.name not in targets:
                continue
            g = deriver.gradient(source.name, tree.shape)
            if F.is_zero(g):
                continue
            if g.kind not in ("name", "num"):
                g = where.bind(g, f"d_{source.name}", force=True)
            deriver.context = f"{source.name} = {source.text.strip()}  ({source.name}: " \
                f"{'scalar' if not tree.shape else '×'.join(map(str, tree.shape))})"
            deriver.back(tree, g, out=F.name(source.name, tree.shape))
        grads = {}
        for w in wrt:
            g = deriver.gradient(w, shapes[w])
            if w in problem.params or w in problem.inputs or g.kind in ("name", "num"):
                grads[w] = g
            else:  # a node: its named adjoint
                grads[w] = where.bind(g, f"d_{w}", force=True)
    except Refusal as exc:
        raise refuse(exc, problem.file) from None
    draw = {n: shapes[n] for n in (list(problem.params) +
                                   ([] if batch else list(problem.inputs)))}
    every = dict(shapes)
    every["Yhat"] = zshape
    for n in extra:
        every[n] = zshape
    return Built(where, grads, head_text, extra, zshape, every, draw, deriver)


def engine(problem, setup, built: Built):
    """``solve_at(values)`` for the checker (per example for a mini-batch)."""
    if problem.examples:
        return _batch_engine(problem, setup, setup.loss, built.zshape, built.extra)
    return _engine(problem, setup, setup.loss, built.zshape, built.extra)


def _head(problem, setup, act, loss, zshape, shapes, where, deriver):
    """δ = ∂L/∂z, the head's prose, and the label names the check must provide."""
    yhat = F.name("Yhat", zshape)
    if loss == "none":
        seed = setup.output_grad if setup.output_grad is not None else 1
        g = H.seed_literal(seed, zshape)
        return H.through_activation(act, g, yhat, None), f"loss: none, ∂/∂ŷ = {seed}", {}
    if loss in PRESETS:
        dz = H.preset_dz(act, loss, zshape, "Y", where)
        return dz, H.PROSE.get((act, loss), f"{act} + {loss}"), {"Y": loss}
    if loss in ("huber", "l1", "smooth_l1"):  # issue 19's piecewise losses
        raise HwsolveError(f"derive has no closed form for the {loss} loss yet (its gradient is "
                           "piecewise in each entry of Ŷ − Y); 'hwsolve PROBLEM --steps' shows "
                           "its gradients entry by entry", where="loss")
    # a loss expression over Yhat, Y, the problem's names and the presets' values
    tree_shapes = dict(shapes)
    tree_shapes["Yhat"] = zshape
    label = setup.label
    if label is not None:
        tree_shapes["Y"] = shape_of(label)
    used = [p for p in PRESETS if p in loss and p not in shapes]
    for p in used:
        tree_shapes[p] = ()
    tree = E.parse_tensor(loss, tree_shapes, node="L")
    inner = Deriver(deriver.targets | {"Yhat", *used}, where)
    inner.whole, inner.entries, inner.steps = deriver.whole, deriver.entries, deriver.steps
    inner.context = f"L = {loss}"
    inner.back(tree, F.number(1))
    parts = []
    g_yhat = inner.gradient("Yhat", zshape)
    if not F.is_zero(g_yhat):
        parts.append(H.through_activation(act, where.bind(g_yhat), yhat, None))
    extra = {"Y": None} if label is not None else {}
    for p in used:
        a = inner.gradient(p, ())
        parts.append(F.mul(a, H.preset_dz(act, p, zshape, f"Y_{p}", where)))
        extra[f"Y_{p}"] = p
    return F.add(*parts), f"L = {loss}", extra


def _class_label(problem, setup) -> bool:
    labels = [ex.label for ex in problem.examples] or [setup.label]
    return setup.loss in ("cross_entropy", "hinge") and any(
        label is not None and not isinstance(label, (tuple, list)) for label in labels)


def _labels(setup, extra: dict, zshape) -> dict:
    return {n: H.label_value(setup, preset or setup.loss, zshape) for n, preset in extra.items()}


def _kinked(warnings: list):
    """The engine's first note of a convention applied at a kink, or None."""
    return next((w for w in warnings if " at 0" in w or "tie" in w), None)


def _engine(problem, setup, loss, zshape, extra):
    from hwsolve import api

    def solve_at(values):
        try:
            solution = api.solve_problem(problem, setup=replace(setup, values=values)
                                         if values else setup)
        except (HwsolveError, NumericError) as exc:
            if values is None:
                raise
            raise SkipPoint(str(exc)) from None
        env = dict(solution.values)
        env.update(_labels(solution.setup, extra, zshape))
        return {"pairs": [(env, solution.grad)], "kink": _kinked(solution.warnings)}
    return solve_at


def _batch_engine(problem, setup, loss, zshape, extra):
    from hwsolve.engine.batch import Batch

    runner = Batch(problem, setup)

    def solve_at(values):
        try:
            solved = runner.solve(values)
        except (HwsolveError, NumericError) as exc:
            if values is None:
                raise
            raise SkipPoint(str(exc)) from None
        pairs = []
        kink = None
        for run, example_setup in zip(solved.runs, solved.setups):
            kink = kink or next((n for notes in run.kinks for n in notes), None)
            graph = run.runner.graph
            env = {n: run.value_of(n) for n in graph.shapes if n not in ("Y", "L")
                   and not n.startswith("Y_")}
            env.update(_labels(example_setup, extra, zshape))
            grads = {n: run.grad_of(n) for n in problem.params}
            pairs.append((env, grads))
        return {"pairs": pairs, "total": (solved.scale, solved.grad), "kink": kink}
    return solve_at
