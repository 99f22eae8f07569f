"""Grading a student's closed form: ``derive: {W: "outer(Yhat - Y, x)"}`` in a submission.

A form is right when it has the variable's shape and equals hwsolve's entrywise gradient at the
problem's values and at random exact points, so every correct rewrite ((AB)ᵀ = BᵀAᵀ, reordered
sums, factored forms) is accepted.  A wrong form gets its slip named, each found the same way,
by numbers: the student's values are compared with what that one slip gives.

- ``layout``: the whole gradient transposed (the other layout);
- ``transpose``: a transpose missing or extra inside the form (one edit of the student's form
  that adds or removes a transpose, or swaps the factors of an outer product, fixes it);
- ``hadamard_for_matmul`` / ``matmul_for_hadamard``: one ``*`` for ``@`` (or back) fixes it;
- ``sign``, ``factor_two`` (the ½ of a squared error dropped or doubled), ``dropped_mean`` (the
  form is N times the gradient, N the size of a mean in the objective): a constant ratio;
- ``sigma_for_sigma_prime``, ``missing_activation_derivative``, ``softmax_diagonal``: the form
  equals a derivation with that one rule mistake planted (:attr:`rules.Deriver.slip`).
"""

from __future__ import annotations

import ast
import copy
import random
import re
from dataclasses import dataclass, field
from fractions import Fraction

from hwsolve import num
from hwsolve.derive import check, form as F
from hwsolve.derive.check import Evaluator, SkipPoint, same
from hwsolve.derive.rules import Deriver, Refusal, Where
from hwsolve.errors import HwsolveError
from hwsolve.num import NumericError
from hwsolve.spec import expr as E
from hwsolve.spec.shapes import describe, flatten

SLIPS = {
    "layout": "the other layout: the transpose of the gradient (∂L/∂W has the shape of W)",
    "transpose": "a missing (or extra) transpose",
    "hadamard_for_matmul": "⊙ (element-wise *) where the matrix product @ belongs",
    "matmul_for_hadamard": "the matrix product @ where ⊙ (element-wise *) belongs",
    "dropped_mean": "the 1/N of a mean is dropped",
    "sigma_for_sigma_prime": "σ where σ′ belongs (the activation instead of its derivative)",
    "missing_activation_derivative": "the activation's derivative σ′ is left out",
    "softmax_diagonal": "the softmax Jacobian replaced by its diagonal ŷ ⊙ (1 − ŷ)",
    "sign": "the sign is flipped",
    "factor_two": "a factor of 2: the ½ of a squared error dropped or doubled",
}
PLANTED = ("sigma_for_sigma_prime", "missing_activation_derivative", "softmax_diagonal",
           "dropped_mean")


@dataclass
class FormVerdict:
    wrt: str
    text: str
    verdict: str              # right or wrong
    kind: str | None = None   # a key of SLIPS, "shape", "unreadable" or "other"
    message: str = ""
    correct: str = ""         # hwsolve's own form


@dataclass
class Context:
    """What the grader knows about one objective."""
    shapes: dict              # every name a form may use -> shape
    wrt_shapes: dict
    solve_at: object
    draw: dict
    own: bool
    build: object             # build(slip) -> (where [(name, text)], {wrt: text})
    mean_sizes: set = field(default_factory=set)
    seed: int = 0
    points: int = 6
    _samples: list | None = None
    _planted: dict = field(default_factory=dict)

    def samples(self) -> list:
        """[(env, expected)] at the own values and ``points`` random points (cached)."""
        if self._samples is None:
            found = []
            if self.own:
                found += self.solve_at(None)["pairs"]
            rng = random.Random(self.seed)
            tries = 0
            while len(found) < self.points + self.own and tries < 10 * self.points:
                tries += 1
                values = {n: check.random_value(s, rng) for n, s in self.draw.items()}
                try:
                    solved = self.solve_at(values)
                except (SkipPoint, NumericError, ZeroDivisionError):
                    continue
                if not solved.get("kink"):
                    found += solved["pairs"]
            self._samples = found
        return self._samples

    def planted(self, slip: str) -> dict | None:
        """{wrt: values per sample} of the derivation with ``slip`` planted (None: n/a)."""
        if slip not in self._planted:
            try:
                where, grads = self.build(slip)
                self._planted[slip] = {w: [_values(where, text, env) for env, _ in
                                           self.samples()] for w, text in grads.items()}
            except (Refusal, HwsolveError, E.ExprError, NumericError, ZeroDivisionError):
                self._planted[slip] = None
        return self._planted[slip]


def _values(where: list, text: str, env: dict) -> list:
    ev = Evaluator(env)
    for name, t in where:
        ev.define(name, t)
    return flatten(ev.value(text))


# ----------------------------------------------------------------------------- contexts

def for_expression(text: str, shapes: dict, *, seed: int = 0, points: int = 6) -> Context:
    from hwsolve.derive.expression import _engine, _names

    names = _names(text)
    full = {n: tuple(shapes.get(n, ())) for n in names}
    tree = E.parse_tensor(text, full)
    means = _mean_sizes(tree)

    def build(slip):
        where = Where(set(full))
        deriver = Deriver(set(full), where)
        deriver.slip = slip
        deriver.back(tree, F.number(1))
        grads = {n: F.to_text(deriver.gradient(n, full[n])) for n in full}
        return [(n, F.to_text(t)) for n, t in where.entries], grads
    return Context(full, dict(full), _engine(tree, full, names), full, False, build, means,
                   seed, points)


def for_problem(problem, setup, *, seed: int = 0, points: int = 6) -> Context:
    from hwsolve.derive.problem import engine, forms

    built = forms(problem, setup)
    means = {len(problem.examples)} if problem.examples and problem.reduction == "mean" \
        else set()
    for source in problem.nodes:
        means |= _mean_sizes(E.parse_tensor(source.text, built.shapes, node=source.name))

    def build(slip):
        b = forms(problem, setup, slip=slip)
        return ([(n, F.to_text(t)) for n, t in b.where.entries],
                {w: F.to_text(t) for w, t in b.grads.items()})
    wrt_shapes = {n: built.shapes[n] for n in list(problem.params) + list(problem.inputs)}
    wrt_shapes.update({s.name: built.shapes[s.name] for s in problem.nodes})
    return Context(built.shapes, wrt_shapes, engine(problem, setup, built), built.draw, True,
                   build, means, seed, points)


def _mean_sizes(tree) -> set:
    found = set()
    stack = [tree]
    while stack:
        t = stack.pop()
        if t.kind == "reduce" and t.data == "mean":
            size = 1
            for n in t.args[0].shape:
                size *= n
            found.add(size)
        stack.extend(t.args)
    return found


# ----------------------------------------------------------------------------- grading

def grade_forms(ctx: Context, forms: dict) -> list:
    return [grade_one(ctx, wrt, text) for wrt, text in forms.items()]


def grade_one(ctx: Context, wrt: str, text: str) -> FormVerdict:
    v = FormVerdict(wrt, str(text), "wrong")
    if wrt not in ctx.wrt_shapes:
        v.kind, v.message = "unreadable", f"{wrt!r} is not a variable of this problem"
        return v
    want_shape = tuple(ctx.wrt_shapes[wrt])
    samples = ctx.samples()
    truth = [flatten(expected[wrt]) for _, expected in samples]
    try:
        tree = E.parse_tensor(str(text), ctx.shapes)
    except E.ExprError as exc:
        return _by_edit(ctx, v, truth, want_shape) or _say(v, "unreadable",
                                                          f"the form cannot be read: {exc}")
    try:
        got = [_values([], str(text), env) for env, _ in samples]
    except (NumericError, ZeroDivisionError, KeyError) as exc:
        return _say(v, "other", f"the form cannot be evaluated: {exc}")
    if tree.shape != want_shape:
        if tree.shape == want_shape[::-1] and _agree(got, [_t(g, want_shape) for g in truth]):
            return _named(v, "layout")
        return _by_edit(ctx, v, truth, want_shape) or _say(
            v, "shape", f"the form is {describe(tree.shape)}, but ∂L/∂{wrt} has the shape of "
            f"{wrt}, {describe(want_shape)}")
    if _agree(got, truth):
        v.verdict = "right"
        return v
    return _diagnose(ctx, v, tree, got, truth, want_shape)


def _say(v: FormVerdict, kind: str, message: str) -> FormVerdict:
    v.kind, v.message = kind, message
    return v


def _by_edit(ctx, v, truth, shape):
    """The slip one edit of the student's form repairs (None if no edit does)."""
    for kind, variant in _edits(v.text, ctx.shapes):
        try:
            if E.parse_tensor(variant, ctx.shapes).shape != shape:
                continue
            values = [_values([], variant, env) for env, _ in ctx.samples()]
        except (E.ExprError, NumericError, ZeroDivisionError, KeyError):
            continue
        if _agree(values, truth):
            return _named(v, kind)
    return None


def _named(v: FormVerdict, kind: str) -> FormVerdict:
    v.kind, v.message = kind, SLIPS[kind]
    return v


def _diagnose(ctx, v, tree, got, truth, shape) -> FormVerdict:
    ratio = _ratio(got, truth)
    if ratio == -1:
        return _named(v, "sign")
    if ratio in (2, Fraction(1, 2)) and not (2 in ctx.mean_sizes and ratio == 2):
        return _named(v, "factor_two")
    if ratio is not None and ratio in ctx.mean_sizes:
        return _named(v, "dropped_mean")
    if ratio == 2:
        return _named(v, "factor_two")
    if len(shape) == 2 and shape[0] == shape[1] and _agree(got, [_t(g, shape) for g in truth]):
        return _named(v, "layout")
    for slip in PLANTED:
        planted = ctx.planted(slip)
        if planted and v.wrt in planted and not _agree(planted[v.wrt], truth) and \
                _agree(got, planted[v.wrt]):
            return _named(v, slip)
    if _by_edit(ctx, v, truth, shape):
        return v
    v.kind = "other"
    first = next(((k, a, b) for g, t in zip(got, truth) for k, (a, b) in enumerate(zip(g, t))
                  if not same(a, b)), None)
    if first:
        k, a, b = first
        v.message = (f"entry {k + 1} is {num.fmt_sig(a, 6)} where the gradient is "
                     f"{num.fmt_sig(b, 6)}")
    return v


def _t(flat: list, shape: tuple) -> list:
    """The transpose of a row-major m×n matrix's entries, as row-major n×m entries."""
    if len(shape) != 2:
        return flat
    m, n = shape
    return [flat[i * n + j] for j in range(n) for i in range(m)]


def _agree(a: list, b: list) -> bool:
    return all(len(x) == len(y) and all(same(p, q) for p, q in zip(x, y)) for x, y in zip(a, b))


def _ratio(got: list, truth: list):
    """c if the form is c times the gradient at every sample (c a small rational), else None."""
    c = None
    for g, t in zip(got, truth):
        for a, b in zip(g, t):
            if num.sign(b) == 0:
                if num.sign(a) != 0:
                    return None
                continue
            r = num.div(a, b)
            if c is None:
                if not num.is_exact(r):
                    r = Fraction(num.to_float(r)).limit_denominator(64)
                c = r
            if not same(a, num.mul(c, b)):
                return None
    return c


def _edits(text: str, shapes: dict):
    """(kind, text) for each one-place edit of the student's form."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return
    nodes = list(ast.walk(tree))
    for i, node in enumerate(nodes):
        edits = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            edits.append(("matmul_for_hadamard", lambda n: setattr(n, "op", ast.Mult())))
            edits.append(("transpose", _swap))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            edits.append(("hadamard_for_matmul", lambda n: setattr(n, "op", ast.MatMult())))
            edits.append(("hadamard_for_matmul", _outer))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "outer" and len(node.args) == 2:
                edits.append(("transpose", lambda n: n.args.reverse()))
        for kind, change in edits:
            copied = copy.deepcopy(tree)
            change(list(ast.walk(copied))[i])
            yield kind, ast.unparse(copied)
        # add or remove a transpose
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "transpose" and \
                len(node.args) == 1:
            copied = copy.deepcopy(tree)
            target = list(ast.walk(copied))[i]
            yield "transpose", ast.unparse(_replace_node(copied, target, target.args[0]))
        if isinstance(node, ast.Name) and len(shapes.get(node.id, ())) == 2:
            copied = copy.deepcopy(tree)
            target = list(ast.walk(copied))[i]
            wrapped = ast.Call(ast.Name("transpose", ast.Load()), [target], [])
            yield "transpose", ast.unparse(_replace_node(copied, target, wrapped))


def _outer(n):  # u * v where the outer product u vᵀ belongs
    n.left = ast.Call(ast.Name("outer", ast.Load()), [n.left, n.right], [])
    n.op, n.right = ast.Mult(), ast.Constant(1)


def _swap(n):
    n.left, n.right = n.right, n.left


def _replace_node(tree, old, new):
    if tree.body is old:
        tree.body = new
        return tree
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return tree
            if isinstance(value, list):
                for k, item in enumerate(value):
                    if item is old:
                        value[k] = new
                        return tree
    return tree


# ----------------------------------------------------------------------------- submissions

def read_forms(node, file: str) -> dict:
    """``derive: {W: "outer(Yhat - Y, x)"}`` of a submission -> {wrt: (text, line)}."""
    from hwsolve.spec.yamlread import Mapping, Scalar

    if not isinstance(node, Mapping):
        raise HwsolveError("derive must be a mapping of names to closed forms, such as "
                           "W: \"outer(Yhat - Y, x)\"", file=file, where="derive",
                           line=getattr(node, "line", None))
    out = {}
    for name, value in node.values.items():
        if not isinstance(value, Scalar) or value.is_null or not value.text.strip():
            raise HwsolveError("a closed form is an expression in quotes, such as "
                               "\"outer(Yhat - Y, x)\"", file=file, where=f"derive.{name}",
                               line=node.key_lines[name])
        out[str(name)] = (value.text, node.key_lines[name])
    return out


_CONTEXTS: dict = {}  # id(solution) -> (solution, context, own forms): one per class graded


def _context_of(solution) -> tuple:
    """The grading context of a solved problem, built once for a whole class of submissions
    (its sample points and planted derivations are then shared)."""
    found = _CONTEXTS.get(id(solution))
    if found is not None and found[0] is solution:
        return found[1], found[2]
    ctx = for_problem(solution.problem, solution.setup)
    try:
        where, own = ctx.build(None)
    except (Refusal, HwsolveError):
        where, own = [], {}
    for name, text in reversed(where):  # the correct form written out, without the where list
        own = {w: re.sub(rf"\b{name}\b", f"({text})", t) for w, t in own.items()}
    if len(_CONTEXTS) >= 4:
        _CONTEXTS.clear()
    _CONTEXTS[id(solution)] = (solution, ctx, own)
    return ctx, own


def as_verdicts(solution, forms: dict | None, verdict_type, written_type) -> list:
    """The grader's Verdicts of a submission's closed forms (``forms``: {wrt: (text, line)}):
    entry ``derive W``, the correct answer hwsolve's own checked form."""
    if not forms:
        return []
    ctx, own = _context_of(solution)
    out = []
    for wrt, (text, line) in forms.items():
        v = grade_one(ctx, wrt, text)
        written = written_type(f"derive {wrt}", text, Fraction(0), None, line)
        out.append(verdict_type(f"derive {wrt}", written, own.get(wrt, "(no closed form)"),
                                v.verdict, None if v.verdict == "right" else v.kind,
                                "" if v.verdict == "right" else v.message))
    return out
