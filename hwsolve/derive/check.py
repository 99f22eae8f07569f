"""The proof of record: a closed form is evaluated on exact numbers and compared entry by entry
with the engine's own gradient, at the problem's values and at random rational points.

The forms are evaluated from their printed text (parsed by :func:`hwsolve.spec.expr.parse_tensor`
and lowered as a spec node is), with the value rules of :data:`hwsolve.ops.rules.RULES`: what is
checked is exactly what is printed.  Rational forms at rational points compare exactly
(``Fraction`` equality); a form with exp, log, sigmoid or tanh compares two independently
computed values at num's working precision, which must agree to within 2^-(bits - 40) of their
size.  A point where a kinked function (relu, step, abs, a min/max tie) meets its kink is
not held against the form (the engine says where it applied a convention): the form holds off
the kinks, with the indicator 1[z > 0]; agreement there still counts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

from hwsolve import num
from hwsolve.num import NumericError
from hwsolve.ops.rules import RULES
from hwsolve.spec import expr as E
from hwsolve.spec.exprtree import Apply, Item, Name, Num, VectorLit, VectorName
from hwsolve.spec.shapes import flatten, nest, shape_of

GUARD_BITS = 40


@dataclass
class Record:
    """What the check did for one gradient."""
    points: int = 0                 # points at which the form agreed
    exact: int = 0                  # of which compared as exact rationals
    own: str = "not checked"        # at the problem's values: agrees / kink / not available
    seed: int = 0
    skipped: int = 0                # random points drawn and skipped (kinks, domains)
    why_skipped: str = ""
    failures: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"own_values": self.own, "random_points": self.points, "exact": self.exact,
                "seed": self.seed, "skipped": self.skipped, "passed": not self.failures}


def random_value(shape: tuple, rng: random.Random):
    """A rational of one or two decimals in [-3, 3] per entry (0 avoided: kinks sit there)."""
    def one():
        while True:
            d = rng.choice((10, 100, 4, 5, 2))
            v = Fraction(rng.randint(-3 * d, 3 * d), d)
            if v:
                return v
    if shape == ():
        return one()
    if len(shape) == 1:
        return [one() for _ in range(shape[0])]
    return [[one() for _ in range(shape[1])] for _ in range(shape[0])]


def same(a, b) -> bool:
    if num.is_exact(a) and num.is_exact(b):
        return a == b
    size = max((num.abs_(a), num.abs_(b), Fraction(1)), key=num.to_float)
    gap = num.abs_(num.sub(a, b))
    return num.cmp(gap, num.mul(size, Fraction(1, 2 ** (num.WORK_BITS - GUARD_BITS)))) <= 0


class Evaluator:
    """Values of printed forms, given the values of the names they use."""

    def __init__(self, env: dict):
        self.env = dict(env)
        self.shapes = {n: shape_of(v) for n, v in env.items()}
        self.kinks = 0

    def define(self, name: str, text: str) -> None:
        self.env[name] = self.value(text)
        self.shapes[name] = shape_of(self.env[name])

    def value(self, text: str):
        tree = E.parse_tensor(text, self.shapes)
        memo: dict = {}
        return nest([self._eval(e, memo)[0] for e in E.lower(tree)], tree.shape)

    def _eval(self, e, memo: dict) -> list:
        key = id(e)
        if key in memo:
            return memo[key]
        kind = type(e)
        if kind is Num:
            out = [e.value]
        elif kind is Name:
            out = [self.env[e.name]]
        elif kind is Item:
            value = self.env[e.name]
            index = e.index if isinstance(e.index, tuple) else (e.index,)
            for i in index:
                value = value[i - 1]
            out = [value]
        elif kind is VectorName:
            out = flatten(self.env[e.name])
        elif kind is VectorLit:
            out = [v for item in e.items for v in self._eval(item, memo)]
        elif kind is Apply:
            args = [v for a in e.args for v in self._eval(a, memo)]
            rule = RULES[e.op]
            out = [rule.forward(args) if e.index is None else rule.forward(args, e.index)]
        else:
            raise AssertionError(kind)
        memo[key] = out
        return out


def _transpose(value):
    if isinstance(value, list) and value and isinstance(value[0], list):
        return [list(row) for row in zip(*value)]
    return value


def compare(where: list, grads: dict, env: dict, expected: dict, transpose=False) -> tuple:
    """Evaluate the where list and each gradient's text at ``env``: (verdicts, values), a
    verdict per name being None if the form agrees with ``expected`` (the engine's values),
    else the first differing entry as a sentence."""
    ev = Evaluator(env)
    for name, text in where:
        ev.define(name, text)
    verdicts, values = {}, {}
    for wrt, text in grads.items():
        got = flatten(ev.value(text))
        want = flatten(_transpose(expected[wrt]) if transpose else expected[wrt])
        values[wrt] = got
        verdicts[wrt] = None
        if len(got) != len(want):
            verdicts[wrt] = f"the form has {len(got)} entries, the gradient {len(want)}"
            continue
        for k, (a, b) in enumerate(zip(got, want)):
            if not same(a, b):
                verdicts[wrt] = (f"entry {k + 1}: the form gives {num.fmt_sig(a, 8)}, the "
                                 f"engine {num.fmt_sig(b, 8)}")
                break
    return verdicts, values


def compare_all(where: list, grads: dict, solved, transpose=False) -> dict:
    """``solved``: {"pairs": [(env, expected)] (one per example), "total": None, or for a
    mini-batch (scale, batch gradient), which the reduced forms must also give, "kink": a
    sentence if the engine met a kink (a relu at 0, a tie) at this point}."""
    pairs, total = solved["pairs"], solved.get("total")
    verdicts = {w: None for w in grads}
    sums = {}
    for k, (env, expected) in enumerate(pairs, start=1):
        found, values = compare(where, grads, env, expected, transpose)
        for w, verdict in found.items():
            if verdict and verdicts[w] is None:
                verdicts[w] = verdict if len(pairs) == 1 else f"in example {k}, {verdict}"
            sums[w] = values[w] if w not in sums else \
                [num.add(a, b) for a, b in zip(sums[w], values[w])]
    if total is not None:
        scale, batch = total
        for w in grads:
            want = flatten(_transpose(batch[w]) if transpose else batch[w])
            got = [num.mul(scale, v) for v in sums[w]]
            if verdicts[w] is None and not all(same(a, b) for a, b in zip(got, want)):
                verdicts[w] = "the reduced per-example forms differ from the batch gradient"
    return verdicts


def run(where: list, grads: dict, solve_at, leaves: dict, *, seed: int, points: int = 20,
        own: bool = True, transpose: bool = False) -> dict:
    """Check every gradient: ``solve_at(values or None)`` returns the engine's values and
    gradients (see :func:`compare_all`; None: the problem's own values), ``leaves`` maps the
    names to draw to their shapes.  Returns wrt -> :class:`Record`."""
    records = {w: Record(seed=seed) for w in grads}
    if own:
        solved = solve_at(None)
        verdicts = compare_all(where, grads, solved, transpose)
        for w, verdict in verdicts.items():
            records[w].own = "agrees" if verdict is None else "differs"
            if verdict is not None and solved.get("kink"):
                records[w].own = (f"differs at a kink ({solved['kink']}): the engine applies "
                                  "its convention there, the form holds off the kinks")
            elif verdict is not None:
                records[w].failures.append(f"at the problem's own values, {verdict}")
    rng = random.Random(seed)
    drawn = 0
    attempts = 0
    while drawn < points and attempts < points * 10:
        attempts += 1
        values = {n: random_value(s, rng) for n, s in leaves.items()}
        try:
            solved = solve_at(values)
            verdicts = compare_all(where, grads, solved, transpose)
            if solved.get("kink") and any(verdicts.values()):
                # the engine applied a convention at a kink here (a relu at 0, a tie, even
                # between constants): a disagreement proves nothing, an agreement counts
                raise SkipPoint(solved["kink"])
        except (NumericError, ZeroDivisionError, SkipPoint) as exc:
            for r in records.values():
                r.skipped += 1
                r.why_skipped = str(exc)
            continue
        drawn += 1
        pairs = solved["pairs"]
        exact = all(num.is_exact(v) for _, expected in pairs for w in grads
                    for v in flatten(expected[w]))
        for w, verdict in verdicts.items():
            if verdict is None:
                records[w].points += 1
                records[w].exact += exact
            else:
                records[w].failures.append(f"at random point {drawn}, {verdict}")
    for r in records.values():
        if r.points < points and not r.failures:
            r.failures.append(f"only {r.points} of {points} random points could be used; the "
                              f"others met a kink or left the domain, e.g. "
                              f"{r.why_skipped or 'no point was found'}")
    return records


class SkipPoint(ArithmeticError):
    """The engine met a kink or a domain error at this point."""
