"""Answer-key checking: solve a problem and each of its variants, compare every key entry.

A key value matches when the computed value, rounded to the decimal places written in the
key, equals it (0.69 matches 0.68997; -0.934 matches -0.93369).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError, printable
from hwsolve.engine import precision
from hwsolve.engine.solve import Solution, evaluate, resolve_setup, solve
from hwsolve.spec.load import Answers, Key, entry_name, load_problem


@dataclass
class Comparison:
    variant: str | None
    entry: str         # Yhat, L, ∇W3[1], value z1, ...
    key: str           # as written in the file
    computed: object   # exact value
    line: int
    bits: int = num.WORK_BITS  # the precision the value was computed at

    @property
    def decided(self) -> bool:
        """False when an irrational value lies too near the key's rounding boundary."""
        return num.key_decision(self.key, self.computed, _accurate(self.bits)) is not None

    @property
    def ok(self) -> bool:
        return num.key_matches(self.key, self.computed, _accurate(self.bits))


def _accurate(bits: int) -> int:
    """The bits an irrational value computed at ``bits`` is trusted to (13 for rounding)."""
    return bits - 13


@dataclass
class ProblemCheck:
    name: str
    file: str
    comparisons: list = field(default_factory=list)
    error: HwsolveError | None = None

    @property
    def failures(self) -> list:
        return [c for c in self.comparisons if not c.ok]


def check_file(path: Path) -> ProblemCheck:
    """Never raises for a bad problem: the error is recorded so that other files still run."""
    from hwsolve.teach import kinds
    if kinds.kind_of(path):  # kind: curves / identity: compare the file's expect entries
        return kinds.check(path)
    result = ProblemCheck(printable(path.stem), str(path))  # a file name reaches the terminal
    try:
        problem = load_problem(path)
        evaluation = evaluate(problem)
        runs = [(None, problem.answers)] + [(name, v.answers)
                                            for name, v in problem.variants.items()]
        for variant, answers in runs:
            if answers is None:
                continue
            setup = resolve_setup(problem, variant=variant)
            found = compare(solve(problem, setup, evaluation), answers, variant)
            bits = evaluation.bits
            while not all(c.decided for c in found) and precision.next_bits(bits):
                # Round once, from enough digits: recompute the values more precisely.
                bits = precision.next_bits(bits)
                higher = solve(problem, setup, evaluate(problem, bits))
                found = [c if c.decided else fresh for c, fresh in
                         zip(found, compare(higher, answers, variant))]
            result.comparisons += found
    except HwsolveError as exc:
        result.error = exc
    except MemoryError:
        result.error = HwsolveError("the problem needs more memory than is available",
                                    file=str(path))
    except RecursionError:
        result.error = HwsolveError("the problem is nested too deeply to process",
                                    file=str(path))
    return result


def compare(solution: Solution, answers: Answers, variant: str | None) -> list:
    found: list = []

    def add(entry: str, key: Key | tuple, value) -> None:
        bits = solution.evaluation.bits
        if isinstance(key, tuple):
            for i, (k, v) in enumerate(zip(key, value), start=1):
                found.append(Comparison(variant, f"{entry}[{i}]", k.text, v, k.line, bits))
        else:
            found.append(Comparison(variant, entry, key.text, value, key.line, bits))

    if answers.yhat:
        add("Yhat", answers.yhat, solution.head.yhat)
    if answers.loss:
        add("L", answers.loss, solution.head.loss)
    for prefix, table, keys in (("∇", solution.grad, answers.grad),
                                ("value ", solution.values, answers.values)):
        for name, key in keys.items():
            add(f"{prefix}{name}", key, _lookup(table, name))
    return found


def _lookup(table: dict, name: str):
    """A whole entry, or one entry ``W1[2]`` of a vector."""
    base, index = entry_name(name)
    return table[base] if index is None else table[base][index - 1]

