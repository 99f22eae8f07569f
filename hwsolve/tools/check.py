"""Answer-key checking: solve a problem and each of its variants, compare every key entry.

A key value matches when the computed value, rounded to the decimal places written in the
key, equals it (0.69 matches 0.68997; -0.934 matches -0.93369).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hwsolve import num
from hwsolve.errors import HwsolveError, printable
from hwsolve.engine import precision
from hwsolve.engine.solve import Solution, evaluate, resolve_setup, solve
from hwsolve.spec.load import Answers, Key, key_shape_problem, load_problem
from hwsolve.spec.shapes import entry_name, flatten, indices, label
from hwsolve.teach.problemcheck import ProblemCheck  # noqa: F401  (data; re-exported)


@dataclass
class Comparison:
    variant: str | None
    entry: str         # Yhat, L, ∇W3[1], value z1, ...
    key: str           # as written in the file
    computed: object   # exact value
    line: int
    exact: object = None   # a key written as an exact fraction '8/3'
    bits: int = num.WORK_BITS  # the precision the value was computed at

    @property
    def decided(self) -> bool:
        """False when an irrational value lies too near the key's rounding boundary."""
        if self.exact is not None or self.rule is not None:
            return True  # a tolerance rule compares the exact value itself
        return num.key_decision(self.key, self.computed, _accurate(self.bits)) is not None
    rule: object = None    # hwsolve.teach.tolerance.Rule in force; None: decimal places

    @property
    def ok(self) -> bool:
        if self.exact is not None:
            return num.is_exact(self.computed) and self.computed == self.exact
        if self.rule is not None:
            return self.rule.matches(self.key, self.computed)
        return num.key_matches(self.key, self.computed, _accurate(self.bits))

    @property
    def rule_text(self) -> str:
        """The rule this entry is judged by, printed with every ✗."""
        if self.exact is not None:
            return "exact fraction"
        return self.rule.describe() if self.rule is not None else "decimal places as written"


def _accurate(bits: int) -> int:
    """The bits an irrational value computed at ``bits`` is trusted to (13 for rounding)."""
    return bits - 13


def check_file(path: Path, tolerance=None, default=None) -> ProblemCheck:
    """Never raises for a bad problem: the error is recorded so that other files still run.
    ``tolerance`` (a Rule from --tolerance) overrides the problem's own ``tolerance:``, which
    overrides ``default`` (the course's rule); without any, decimal places as written."""
    from hwsolve.teach import kinds
    if kinds.kind_of(path):  # kind: curves / identity: compare the file's expect entries
        return kinds.check(path)
    result = ProblemCheck(printable(path.stem), str(path))  # a file name reaches the terminal
    try:
        problem = load_problem(path)
        rule = tolerance or problem.tolerance or default
        if problem.examples or problem.train is not None:  # hwsolve/tools/check_train.py
            from hwsolve.tools.check_train import compare_problem
            result.comparisons += compare_problem(problem, rule)
            return result
        evaluation = evaluate(problem)
        runs = [(None, problem.answers)] + [(name, v.answers)
                                            for name, v in problem.variants.items()]
        for variant, answers in runs:
            if answers is None:
                continue
            setup = resolve_setup(problem, variant=variant)
            solution = solve(problem, setup, evaluation)
            found = compare(solution, answers, variant, rule)
            bits = solution.evaluation.bits
            while not all(c.decided for c in found) and precision.next_bits(bits):
                # Round once, from enough digits: recompute the values more precisely.
                bits = precision.next_bits(bits)
                higher = solve(problem, setup, evaluate(problem, setup.values, bits=bits))
                found = [c if c.decided else fresh for c, fresh in
                         zip(found, compare(higher, answers, variant, rule))]
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


def course_files(demos: bool) -> list:
    """With no argument: the course's problems folder (hwsolve.toml ``problems``, default
    ./problems); ``--demos``: the problems shipped with hwsolve."""
    import os

    from hwsolve.spec import problems as found
    if demos:
        folder = found.packaged_dir()
        return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                      if os.path.splitext(f)[1] in found.SUFFIXES)
    from hwsolve.teach import course
    settings = course.load()
    folder = settings.problems or os.path.abspath("problems")
    if not os.path.isdir(folder):
        where = f"the course file {settings.path} names it" if settings.problems else \
            "the default problems folder"
        raise HwsolveError(f"there is no folder to check ({where}); give problem files or "
                           "folders, set problems = \"...\" in hwsolve.toml, or add --demos "
                           "to check the problems shipped with hwsolve", file=str(folder))
    return found.files_for([folder])


def compare(solution: Solution, answers: Answers, variant: str | None, rule=None) -> list:
    found: list = []
    problem = solution.problem
    shapes = solution.full.graph.shapes

    def add(entry: str, name: str, key, value, where: str) -> None:
        base, index = entry_name(name)
        first = key if isinstance(key, Key) else _first(key)
        problem_text = key_shape_problem(key, shapes.get(base, ()), index, base)
        if problem_text:
            raise HwsolveError(problem_text, file=problem.file, where=where, line=first.line)
        bits = solution.evaluation.bits
        if isinstance(key, Key):
            found.append(Comparison(variant, entry, key.text, value, key.line, key.exact, bits,
                                    rule))
            return
        for position, (k, v) in enumerate(zip(flatten(key), flatten(value))):
            sub = label(entry, _index_at(shapes[base], position))
            found.append(Comparison(variant, sub, k.text, v, k.line, k.exact, bits, rule))

    prefix_where = f"variants.{variant}.answers" if variant else "answers"
    if answers.yhat:
        add("Yhat", "Yhat", answers.yhat, solution.values["Yhat"], f"{prefix_where}.Yhat")
    for name, key in answers.yhat_entries.items():  # one entry of Ŷ: 'Yhat[2]'
        add(name, name, key, _lookup(solution.values, name), f"{prefix_where}.{name}")
    if answers.loss:
        if "L" not in solution.values:
            raise HwsolveError("the key gives L, but this problem has no loss (loss: none)",
                               file=problem.file, where=f"{prefix_where}.L",
                               line=answers.loss.line)
        add("L", "L", answers.loss, solution.values["L"], f"{prefix_where}.L")
    if answers.grad and getattr(solution.head_slots, "forward_only", False):
        name = next(iter(answers.grad))
        raise HwsolveError("the key gives a gradient, but this problem is forward only (loss: "
                           "none on a vector output without output_grad): give output_grad, "
                           "or key values only", file=problem.file,
                           where=f"{prefix_where}.grad.{name}")
    for prefix, section, table, keys in (("∇", "grad", solution.grad, answers.grad),
                                         ("value ", "values", solution.values, answers.values)):
        for name, key in keys.items():
            add(f"{prefix}{name}", name, key, _lookup(table, name),
                f"{prefix_where}.{section}.{name}")
    return found


def _first(key):
    while isinstance(key, tuple):
        key = key[0]
    return key


def _index_at(shape: tuple, position: int):
    return indices(shape)[position]


def _lookup(table: dict, name: str):
    """A whole entry, or one entry ``W1[2]`` / ``M[1, 2]`` of a tensor."""
    base, index = entry_name(name)
    value = table[base]
    if index is None:
        return value
    if isinstance(index, int):
        return value[index - 1]
    for i in index:
        value = value[i - 1]
    return value
