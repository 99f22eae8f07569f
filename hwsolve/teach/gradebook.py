"""A whole class graded in one run: the gradebook data model and the run that fills it.

A :class:`Gradebook` holds one row per student, in the order read: a
:class:`hwsolve.teach.grade.Report` for every submission that could be graded, a
:class:`hwsolve.teach.answers.Flagged` (0 points, "needs review", with its reason) for every
one that could not — unreadable, malformed (a non-number, the same entry twice, a list of the
wrong length, an entry the problem does not have), a student who submitted twice, a variant that
is not in the exam.  One bad file never stops the class.  Every renderer (terminal, JSON, CSV,
Markdown, and course-platform formats) reads this model and computes nothing.

The problem is one file, or a folder of variants as ``hwsolve vary -o`` writes them
(``NAME-v07.yaml`` is variant 7): each submission then names its variant (``variant: 7``, a
``variant`` column) or a roster (``student,variant``) does.  With ``per_student`` each
student's own variant is drawn again from the id and the course seed
(:func:`hwsolve.teach.roster.student_variant`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from hwsolve.errors import HwsolveError
from hwsolve.teach.answers import Flagged, Submission
from hwsolve.words import plural

EXIT_FLAGGED = 3
_VARIANT_FILE = re.compile(r"-v0*([0-9]{1,6})$")


@dataclass
class Gradebook:
    problem: str
    rule: str                         # the rule in force and where it came from
    rows: list                        # Report or Flagged, one per student
    follow_through: Fraction = Fraction(1)
    notes: list = field(default_factory=list)

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.book_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render import notebook
        return notebook.book_markdown(self)

    @property
    def reports(self) -> list:
        return [r for r in self.rows if not isinstance(r, Flagged)]

    @property
    def flagged(self) -> list:
        return [r for r in self.rows if isinstance(r, Flagged)]

    @property
    def entries(self) -> list:
        """Every counted entry of any report, in first-seen order (the gradebook's columns)."""
        seen: dict = {}
        for report in self.reports:
            for e in report.entries:
                if e.counted:
                    seen.setdefault(e.entry, None)
        return list(seen)

    def exit_code(self) -> int:
        """0 every entry right, 1 some entry not right, 3 graded but some flagged."""
        if self.flagged:
            return EXIT_FLAGGED
        return 0 if all(r.all_right for r in self.reports) else 1


@dataclass
class _Key:
    """A problem (or one variant of it) ready to grade against."""
    name: str
    problem: object
    ref: object
    rule: object
    rule_text: str


class _Keys:
    def __init__(self, problem_arg, *, tolerance, variant, course, per_student, course_seed):
        from hwsolve import api
        self.api = api
        self.tolerance, self.variant, self.course = tolerance, variant, course
        self.per_student, self.course_seed = per_student, course_seed
        self.cache: dict = {}
        path = Path(str(problem_arg))
        self.folder = path if path.is_dir() else None
        self.variants: dict = {}
        if self.folder is not None:
            for p in sorted(self.folder.iterdir()):
                match = _VARIANT_FILE.search(p.stem)
                if p.suffix in (".yaml", ".yml") and match and p.is_file():
                    self.variants.setdefault(int(match[1]), p)
            if not self.variants:
                raise HwsolveError("the folder has no variant files (NAME-v1.yaml, NAME-v2.yaml"
                                   ", ... as hwsolve vary -o writes them)", file=str(path))
            self.base = None
        else:
            self.base = api.load(problem_arg)
            _refuse_other_kinds(self.base)

    @property
    def name(self) -> str:
        if self.folder is not None:
            return f"{self.folder} ({len(self.variants)} variants)"
        return self.base.file

    def _make(self, name: str, problem, solution) -> _Key:
        from hwsolve.teach import reference, tolerance as tol
        try:
            rule, source = tol.for_grading(self.tolerance, problem.tolerance, self.course)
        except ValueError as exc:
            raise HwsolveError(str(exc), where="--tolerance") from None
        from hwsolve.teach.grade import asked_entries
        ref = reference.build(solution)
        asked_entries(ref, problem)       # a bad grade: list is the problem's error (exit 2)
        return _Key(name, problem, ref, rule, f"{rule.describe()} ({source})")

    def for_submission(self, submission: Submission, roster: dict | None) -> _Key:
        if self.per_student:
            from hwsolve.teach.roster import student_variant
            key = ("student", submission.student)
            if key not in self.cache:
                drawn = student_variant(self.base, submission.student, self.course_seed)
                self.cache[key] = self._make(f"{self.base.name} for {submission.student}",
                                             self.base, drawn.solution)
            return self.cache[key]
        if self.folder is None:
            if submission.variant is not None:
                match = _VARIANT_FILE.search(Path(self.base.file).stem)
                if not match or int(match[1]) != submission.variant:
                    raise HwsolveError(f"names variant {submission.variant}, but the problem "
                                       f"is one file ({self.base.file}), not that variant; give "
                                       "the folder of variants vary -o wrote",
                                       file=submission.file, where="variant")
            if None not in self.cache:
                solution = self.api.solve_problem(self.base, variant=self.variant)
                self.cache[None] = self._make(self.base.name, self.base, solution)
            return self.cache[None]
        number = submission.variant
        if roster is not None and submission.student in roster:
            listed = roster[submission.student]
            if number is not None and listed != number:
                raise HwsolveError(f"the submission says variant {number} but the roster says "
                                   f"{listed}", file=submission.file, where="variant")
            number = listed
        if number is None:
            raise HwsolveError("names no variant: write variant: N in the submission, or give "
                               "--roster with the columns student,variant", file=submission.file)
        if number not in self.variants:
            raise HwsolveError(f"variant {number} is not in {self.folder} (it has "
                               f"{_ranges(sorted(self.variants))})", file=submission.file,
                               where="variant")
        if number not in self.cache:
            problem = self.api.load(self.variants[number])
            _refuse_other_kinds(problem)
            self.cache[number] = self._make(f"variant {number}", problem,
                                            self.api.solve_problem(problem))
        return self.cache[number]


def _ranges(numbers: list) -> str:
    if len(numbers) > 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"variants {numbers[0]} to {numbers[-1]}"
    return ("variant " if len(numbers) == 1 else "variants ") + ", ".join(map(str, numbers[:10])) + (" ..." if len(numbers) > 10
                                                                  else "")


def _refuse_other_kinds(problem) -> None:
    if getattr(problem, "examples", None) or getattr(problem, "train", None):
        what = "a mini-batch (examples:)" if getattr(problem, "examples", None) else \
            "a training run (train:)"
        raise HwsolveError(f"grade takes a problem with one example; this one is {what}, whose "
                           "answers are not graded yet", file=problem.file)


def problem_kind_error(problem_arg) -> None:
    """A curves or identity file gets its own reason, not a network problem's."""
    from hwsolve.teach import kinds
    path = Path(str(problem_arg))
    if path.is_file():
        kind = kinds.kind_of(path)
        if kind in ("curves", "identity"):
            article = "an" if kind[0] in "aeiou" else "a"
            tool = "hwsolve curves" if kind == "curves" else "hwsolve prove"
            raise HwsolveError(f"is {article} {kind} problem (kind: {kind}); grade grades the "
                               f"answers of a network problem ({tool} handles this kind)",
                               file=str(path))


def follow_through_credit(option: str | None, problem, course) -> tuple:
    from hwsolve.teach.grade import FOLLOW_THROUGH
    if option is not None:
        return FOLLOW_THROUGH[option], f"follow_through {option} (option)"
    if problem is not None and "follow_through" in getattr(problem, "lines", {}):
        return problem.follow_through, "the problem's follow_through"
    if course is not None and course.follow_through:
        return FOLLOW_THROUGH[course.follow_through], f"follow_through {course.follow_through} " \
            f"({course.describe()})"
    return Fraction(1), "follow_through full (default)"


def grade_class(problem_arg, answers, *, tolerance: str | None = None,
                variant: str | None = None, roster_path=None, per_student: bool = False,
                course_seed: int | None = None, follow_through: str | None = None,
                course=None) -> Gradebook:
    """Grade every submission in ``answers`` against ``problem_arg`` (a problem, or a folder of
    variants).  HwsolveError only when nothing can be graded (a bad problem, roster or path)."""
    from hwsolve.teach import answers as reading, grade as grading, roster as rosters
    from hwsolve.teach import course as courses

    course = course if course is not None else courses.load()
    problem_kind_error(problem_arg)
    if per_student:
        if course_seed is None:
            course_seed = course.seed
        if course_seed is None:
            raise HwsolveError("per-student variants need the course seed: give --seed or set "
                               "seed in hwsolve.toml", where="--per-student")
    keys = _Keys(problem_arg, tolerance=tolerance, variant=variant, course=course,
                 per_student=per_student, course_seed=course_seed)
    if keys.folder is None and roster_path is not None:
        raise HwsolveError("--roster says which variant each student sat: give PROBLEM as the "
                           "folder of variants vary -o wrote", file=str(problem_arg),
                           where="--roster")
    if keys.folder is not None and (per_student or variant):
        raise HwsolveError("a folder of variants is graded by each submission's variant (or "
                           "--roster); --per-student and --variant take one problem file",
                           file=str(problem_arg), where="--per-student" if per_student
                           else "--variant")
    roster = rosters.read_roster(roster_path) if roster_path is not None else None
    credit, credit_text = follow_through_credit(follow_through, keys.base, course)
    found = reading.read(answers)
    single = Path(str(answers)).is_file() and Path(str(answers)).suffix != ".csv"
    rows: list = []
    by_student: dict = {}
    for item in found:
        by_student.setdefault(item.student, []).append(item)
    for item in found:
        same = by_student[item.student]
        if len(same) > 1:
            if item is same[0]:
                places = ", ".join(f"{s.file}" + (f" line {s.line}" if s.line else "")
                                   for s in same)
                rows.append(Flagged(item.student, item.file, f"the student {item.student!r} "
                                    f"submitted {len(same)} times ({places}); which one counts "
                                    "is for the instructor to decide", item.line))
            continue
        if isinstance(item, Flagged):
            rows.append(item)
            continue
        try:
            key = keys.for_submission(item, roster)
            report = grading.grade(key.ref, item, key.rule, credit, problem=key.problem,
                                   rule_text=key.rule_text)
            if keys.folder is not None or per_student:
                report.variant = key.name
            report.digits = course.digits or 4
            rows.append(report)
        except HwsolveError as exc:
            if exc.file is None or exc.file == "":
                exc.file = item.file
            if single:
                raise  # one submission file: its error is the answer (exit 2)
            rows.append(Flagged.from_error(item.student, exc, item.file))
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError, RecursionError) \
                as exc:
            # a bug in hwsolve must not cost the class its gradebook: this one is flagged
            if os.environ.get("HWSOLVE_DEBUG") or single:
                raise
            rows.append(Flagged(item.student, item.file, "hwsolve could not grade this "
                                f"submission (internal error: {type(exc).__name__}); grade it "
                                "by hand and report the file", item.line))
    if roster is not None:
        missing = [s for s in roster if s not in by_student]
    else:
        missing = []
    rules = sorted({r.rule for r in rows if not isinstance(r, Flagged)})
    rule_text = rules[0] if len(rules) == 1 else ("; ".join(rules) if rules else
                                                  _rule_without_reports(keys, tolerance, course))
    book = Gradebook(keys.name, rule_text, rows, credit)
    book.notes.append(credit_text)
    if missing:
        book.notes.append(f"{plural(len(missing), 'student')} on the roster submitted nothing: "
                          + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
    return book


def _rule_without_reports(keys: _Keys, tolerance, course) -> str:
    from hwsolve.teach import tolerance as tol
    try:
        rule, source = tol.for_grading(tolerance, getattr(keys.base, "tolerance", None), course)
    except ValueError as exc:
        raise HwsolveError(str(exc), where="--tolerance") from None
    return f"{rule.describe()} ({source})"
