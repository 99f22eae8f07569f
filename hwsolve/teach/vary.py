"""``hwsolve vary``: new numbers for the same problem, with a key the solver computes.

Inputs and params are drawn from a grid of "nice" values (integers, halves, tenths by default;
zero is left out), constants and the head are kept.  A draw is rejected and redrawn when

- a value lands on a kink or a tie (relu/leaky_relu/abs at 0, a tie in min/max: the solver
  says so in its notes) — unless ``kinks`` asks for one, in which case a draw *without* one is
  rejected;
- a branch differs from the original's: every relu, leaky_relu or abs takes the same side
  of its kink and every max or min the same winner as in the source problem, so a unit the
  problem switched off (relu′ = 0, the case it was written to test) stays off, and no other
  unit dies;
- Ŷ saturates (σ outside [0.02, 0.98], |tanh| above 0.96, a softmax entry above 0.98);
- it cannot be evaluated (a log of a negative number, a division by zero);
- it repeats an earlier variant;

and, for the first half of the attempts, when a node value of a rational graph is not a short
decimal (at most 4 places).  The key lists Ŷ, L, every gradient and every node value, written
from the solver's exact numbers: exact decimals where they terminate, 6 significant figures
otherwise — so the variant passes ``hwsolve check`` by construction of the same solver; its
correctness rests on the solver's own tests.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hwsolve import num
from hwsolve.engine.solve import Setup, resolve_setup, solve
from hwsolve.errors import HwsolveError
from hwsolve.spec.load import Problem
from hwsolve.spec.shapes import flatten, nest, shape_of

GRIDS = {
    "integers": [Fraction(n) for n in range(-3, 4) if n],
    "halves": [Fraction(n, 2) for n in range(-4, 5) if n % 2],
    "tenths": [Fraction(n, 10) for n in range(-10, 11) if n % 5],
}
MAX_TRIES = 4000
SHORT_PLACES = 4


@dataclass
class Variant:
    number: int
    values: dict          # name -> drawn value (same shape as the source)
    solution: object
    text: str             # the YAML of the variant with its key
    student: str | None = None  # vary --roster: the student this variant is for


def grid_values(names: list) -> list:
    """The union of the named grids; ValueError for an unknown name."""
    chosen = []
    for name in names:
        if name not in GRIDS:
            raise ValueError(f"unknown grid {name!r}; the grids are {', '.join(GRIDS)}")
        chosen.append(GRIDS[name])
    return chosen


def vary(problem: Problem, count: int = 1, seed: int = 0, grids: list | None = None,
         kinks: bool = False, on_variant=None) -> list:
    """``count`` variants; ``on_variant()`` is called after each (a progress bar)."""
    if getattr(problem, "examples", None) or getattr(problem, "train", None):
        raise HwsolveError("vary draws new inputs and params for one example; it does not vary "
                           "mini-batches (examples) or training runs (train) yet",
                           file=problem.file)
    if not problem.inputs and not problem.params:
        raise HwsolveError("has no inputs or params to draw new numbers for (constants are "
                           "kept), so every variant would be the problem itself",
                           file=problem.file)
    if grids is not None and not grids:
        raise ValueError("names no grid; give one or more of " + ", ".join(GRIDS))
    families = grid_values(grids or list(GRIDS))
    rng = random.Random(seed)
    base = resolve_setup(problem)
    original = branch_pattern(solve(problem, base))
    seen: set = set()
    variants: list = []
    tries = 0
    while len(variants) < count:
        tries += 1
        if tries > MAX_TRIES * count:
            raise HwsolveError(f"could not draw {count} distinct variants that meet the rules "
                               f"(kinks, dead units, saturation) in {tries - 1} attempts; try "
                               "other --grid values", file=problem.file)
        values = _draw(problem, families, rng)
        fingerprint = tuple((k, tuple(flatten(v))) for k, v in sorted(values.items()))
        if fingerprint in seen:
            continue
        setup = Setup(base.activation, base.loss, base.label, base.label_given, None,
                      list(base.warnings), base.output_grad, base.class_index, values)
        try:
            solution = solve(problem, setup)
        except HwsolveError:
            continue
        if not acceptable(solution, kinks, strict=tries % (2 * MAX_TRIES) < MAX_TRIES):
            continue
        if not kinks and not same_branches(branch_pattern(solution), original):
            continue
        seen.add(fingerprint)
        number = len(variants) + 1
        variants.append(Variant(number, values, solution,
                                variant_yaml(problem, solution, values, number, seed)))
        if on_variant is not None:
            on_variant()
    return variants


def _draw(problem: Problem, families: list, rng: random.Random) -> dict:
    drawn = {}
    for table in (problem.inputs, problem.params):
        for name, value in table.items():
            entries = [rng.choice(rng.choice(families)) for _ in flatten(value)]
            shape = shape_of(value)
            drawn[name] = _tuples(nest(entries, shape))
    return drawn


_SIDED = ("relu", "leaky_relu", "abs")
_PICKING = ("max", "min")


def branch_pattern(solution) -> tuple:
    """The branch every kinked op takes: (node, tape position, side) with the side the sign of
    a relu/leaky_relu/abs argument (0 on the kink), or the winner's argument number of a
    max/min, from 1 (None for a tie)."""
    from hwsolve.engine.solve import tape_values
    values = solution.full.values
    pattern = []
    for program in solution.full.graph.programs:
        if not any(op in _SIDED + _PICKING for op, _, _ in program.tape):
            continue
        computed = tape_values(program, values)
        for position, (op, args, _) in enumerate(program.tape):
            if op in _SIDED:
                pattern.append((program.label, position, num.sign(computed[args[0]])))
            elif op in _PICKING:
                pattern.append((program.label, position, _winner(op, [computed[a]
                                                                      for a in args])))
    return tuple(pattern)


def _winner(op: str, values: list):
    best = 0
    for i in range(1, len(values)):
        order = num.cmp(values[i], values[best])
        if order and (order > 0) == (op == "max"):
            best = i
    return best + 1 if all(i == best or num.cmp(v, values[best]) for i, v in
                           enumerate(values)) else None


def same_branches(pattern: tuple, original: tuple) -> bool:
    """Every branch as in ``original``; where the original sits on a kink or a tie, the variant
    may take either side (it never sits on one: kinks are rejected)."""
    if len(pattern) != len(original):
        return False
    return all(o[2] in (0, None) or p[2] == o[2] for p, o in zip(pattern, original))


def _tuples(value):
    """Nested lists (a tensor of any rank) as nested tuples, the spec's form of a value."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def has_kink(solution) -> bool:
    return any(solution.full.kinks)


def dead_units(solution) -> list:
    """Spec nodes computed by a relu whose input is not positive."""
    dead = []
    values = solution.full.values
    for program in solution.full.graph.nodes:
        op = program.tape[-1][0]
        if op == "relu" and not num.sign(values[program.slot]) > 0:
            dead.append(program.label)
    return dead


def saturated(solution) -> bool:
    activation = solution.setup.activation
    yhat = [solution.full.values[s] for s in solution.head_slots.yhat]
    floats = [num.to_float(y) for y in yhat]
    if activation == "sigmoid":
        return any(not 0.02 <= y <= 0.98 for y in floats)
    if activation == "tanh":
        return any(abs(y) > 0.96 for y in floats)
    if activation == "softmax":
        return max(floats) > 0.98
    return False


def short_values(solution) -> bool:
    """Every rational node value a decimal of at most SHORT_PLACES places."""
    limit = 10 ** SHORT_PLACES
    for program in solution.full.graph.nodes:
        value = solution.full.values[program.slot]
        if num.is_exact(value) and limit % _decimal_denominator(value):
            return False
    return True


def _decimal_denominator(x: Fraction) -> int:
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return x.denominator if d == 1 else 10 ** 9 + 7  # not a terminating decimal


def acceptable(solution, kinks: bool, strict: bool = True) -> bool:
    if has_kink(solution) != kinks:
        return False
    if saturated(solution):
        return False
    return short_values(solution) or not strict


# ----------------------------------------------------------------------------- writing

def decimal_text(x: Fraction) -> str:
    """An exact terminating decimal as plain text: 1.5, -0.25, 3."""
    with localcontext() as ctx:
        ctx.prec = 200
        text = format(Decimal(x.numerator) / Decimal(x.denominator), "f")
    return text


def key_text(x) -> str:
    """A key entry for the solver's exact value: the exact decimal (at least 4 places) where it
    terminates in at most 8 places, else 6 significant figures, rounded half up."""
    if num.is_exact(x) and 10 ** 8 % _decimal_denominator(x) == 0:
        text = decimal_text(x)
        whole, _, frac = text.partition(".")
        return f"{whole}.{frac.ljust(4, '0')}"
    with localcontext() as ctx:
        ctx.prec = num.WORK_DPS + 10
        d = num.to_decimal(x)
        if not d:
            return "0.0000"
        places = max(5 - d.adjusted(), 0)
        rounded = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format(rounded, "f")


def _value_text(value) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return decimal_text(value)


def _key_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_key_value(v) for v in value) + "]"
    return key_text(value)


def variant_yaml(problem: Problem, solution, values: dict, number: int, seed: int) -> str:
    head = problem.head
    out = [f"# Variant {number} of {problem.name} (hwsolve vary, seed {seed}).  Inputs and params "
           "were drawn from", "# a grid of nice values; the key below was computed by "
           "hwsolve's solver.",
           f"title: {json.dumps(f'{problem.title} (variant {number})', ensure_ascii=False)}"]
    if problem.description:  # the question text; the variant keeps the source's branches
        out.append(f"description: {json.dumps(problem.description, ensure_ascii=False)}")
    for section, table in (("inputs", problem.inputs), ("params", problem.params),
                           ("constants", problem.constants)):
        if table:
            out.append(f"{section}:")
            out += [f"  {name}: {_value_text(values.get(name, value))}"
                    for name, value in table.items()]
    out.append("nodes:")
    out += [f"  {node.name}: {json.dumps(node.text)}" for node in problem.nodes]
    out.append(f"output: {problem.output}")
    out.append(f"activation: {head.activation}")
    out.append(f"loss: {json.dumps(head.loss)}")
    if head.label is not None:
        out.append(f"label: {_value_text(head.label)}")
    if head.output_grad is not None:
        out.append(f"output_grad: {_value_text(head.output_grad)}")
    out.append(f"columns: [{', '.join(problem.columns)}]")
    out.append("answers:")
    if "Yhat" in solution.values:
        out.append(f"  Yhat: {_key_value(solution.values['Yhat'])}")
    if "L" in solution.values:
        out.append(f"  L: {_key_value(solution.values['L'])}")
    if not getattr(solution.head_slots, "forward_only", False):  # values only: no gradient
        out.append("  grad:")
        out += [f"    {name}: {_key_value(value)}" for name, value in solution.grad.items()
                if name != "Yhat"]
    out.append("  values:")
    out += [f"    {node.name}: {_key_value(solution.values[node.name])}"
            for node in problem.nodes]
    return "\n".join(out) + "\n"
