"""``hwsolve grade``: a submission judged over the entries the problem asks for, under a rule
the instructor chose, with each consistent mistake named once.

- **The rule.** :func:`hwsolve.teach.tolerance.for_grading`: ``--tolerance``, else the problem's
  ``tolerance:``, else the course file's, else 3 significant figures relative to the correct
  value.  The student's own digits never decide: ``1`` matches only a value that rounds to
  1.00.
- **The score** is taken over the entries the problem asks for (its ``grade:`` list, else its
  ``columns``, expanded to entries).  An unanswered entry is ``missing``
  (no credit); an entry it does not ask for is judged and shown, but not counted (a note says
  so).
- **Roots.** The student's wrong entries are explained by the smallest set of single mistakes
  (:mod:`hwsolve.teach.roots`); each root is named once, the first entry it changes (in the
  sheet's order) is charged as ``wrong`` and every other entry that follows correctly from it
  is ``follows`` and earns ``follow_through`` credit (full 1, half ½, none 0).  What no root
  explains gets its own diagnosis (:mod:`hwsolve.teach.entrydiag`).

The report (:class:`Report`) is the gradebook's data model: renderers lay it out and compute
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.spec.shapes import describe, entry_name, indices, label
from hwsolve.teach import reference as R
from hwsolve.teach.answers import Submission, Written
from hwsolve.teach.entrydiag import EntryDiagnosis, Verdict
from hwsolve.teach.tolerance import GRADING_DEFAULT, Rule

STATUSES = ("right", "wrong", "missing", "follows")
FOLLOW_THROUGH = {"full": Fraction(1), "half": Fraction(1, 2), "none": Fraction(0)}
DIAGNOSIS_RULE = Rule("sigfigs", sigfigs=3)


@dataclass
class Entry:
    entry: str
    written: Written | None
    correct: object
    status: str                      # right, wrong, missing or follows
    kind: str | None = None          # the diagnosis of a wrong or following entry
    text: str = ""
    root: int | None = None          # index into Report.roots
    counted: bool = True             # asked by the problem (False: judged, not scored)

    @property
    def verdict(self) -> str:
        return self.status


@dataclass
class Root:
    kind: str
    where: str
    explanation: str
    entries: list = field(default_factory=list)   # the entries it explains, charged one first


@dataclass
class Report:
    student: str
    file: str
    rule: str
    entries: list                    # Entry: the asked ones in the sheet's order, then extras
    roots: list
    credit: Fraction
    total: int
    follow_through: Fraction
    variant: str | None = None
    notes: list = field(default_factory=list)
    digits: int = 4                  # significant digits of the correct values shown

    def __repr__(self):
        from hwsolve.render import notebook
        return notebook.report_repr(self)

    def _repr_markdown_(self):
        from hwsolve.render import notebook
        return notebook.report_markdown(self)

    @property
    def score(self) -> Fraction:
        return self.credit / self.total if self.total else Fraction(0)

    @property
    def verdicts(self) -> list:
        return self.entries

    @property
    def all_right(self) -> bool:
        return all(e.status == "right" for e in self.entries)

    def count(self, status: str) -> int:
        return sum(e.status == status and e.counted for e in self.entries)


class Judge:
    """Does a written number count as a value: under the rule (for right/wrong), and, for a
    diagnosis, under the rule and at three significant figures too — so an answer is never
    given a diagnosis only because the rule is loose (a garbage 2 is not a missing σ′ of
    1.975)."""

    def __init__(self, rule: Rule):
        self.rule = rule
        self.strict = rule if rule.kind == "sigfigs" and rule.sigfigs >= 3 else None
        self.floats: dict = {}

    def written_float(self, w: Written) -> float:
        found = self.floats.get(id(w))
        if found is None:
            try:
                found = float(w.value)
            except OverflowError:   # beyond float range: only the exact comparison decides
                found = float("inf") if w.value > 0 else float("-inf")
            self.floats[id(w)] = found
        return found

    def matches(self, w: Written, value, rule: Rule | None = None,
                value_float: float | None = None) -> bool:
        rule = rule or self.rule
        if w.exact is None:
            if not value and rule.kind != "places":   # an exact zero: no float needed
                return not w.value if rule.abs is None else abs(w.value) <= rule.abs
            quick = rule.quick(self.written_float(w), num.to_float(value)
                               if value_float is None else value_float)
            if quick is not None:
                return quick
        return rule.matches(w.text, value, w.exact)

    def diagnoses(self, w: Written, value, value_float: float | None = None) -> bool:
        if not self.matches(w, value, value_float=value_float):
            return False
        return self.strict is not None or self.matches(w, value, DIAGNOSIS_RULE, value_float)


# ----------------------------------------------------------------------------- the entries asked

def asked_entries(ref: R.Reference, problem) -> list:
    """The entries the problem asks for: its ``grade:`` list, else its ``columns`` (by default
    Ŷ, L, the params and the inputs), each expanded to entries (``W1`` -> ``∇W1[1, 1]``...).
    HwsolveError for a ``grade:`` entry the problem does not have."""
    cached = getattr(ref, "_asked", None)
    if cached is not None:
        return cached
    graph = ref.solution.full.graph
    if getattr(problem, "grade", None):
        ref._asked = _grade_list(ref, problem)
        return ref._asked
    names = list(getattr(problem, "columns", None) or [])
    if not names:
        names = ["Yhat", "L"] + [n for n in ref.solution.grad if n != "Yhat"]
    found: list = []
    for name in names:
        if name == "L":
            if "L" in graph.scalars:
                found.append("L")
            continue
        base = name if name == "Yhat" else f"∇{name}"
        shape = graph.shapes.get(name, ()) if name in graph.vectors else ()
        found += [label(base, i) for i in indices(shape)]
    ref._asked = found
    return found


def _grade_list(ref: R.Reference, problem) -> list:
    from hwsolve.teach.answers import column_entry
    graph = ref.solution.full.graph
    found: list = []
    for i, (text, line) in enumerate(problem.grade, start=1):
        entry = column_entry(text)
        name = entry[1:] if entry.startswith("∇") else entry[6:] if \
            entry.startswith("value ") else entry
        base, index = entry_name(name)
        if "/" not in entry and index is None and base in graph.vectors:
            prefix = entry[:len(entry) - len(name)]
            expanded = [label(prefix + base, j) for j in indices(tuple(graph.shapes[base]))]
        else:
            expanded = [entry]
        for e in expanded:
            try:
                ref.target(e, problem.file, line)
            except HwsolveError as exc:
                raise HwsolveError(f"grade lists {text!r}: {exc.message}", file=problem.file,
                                   where=f"grade[{i}]", line=line) from None
            if e in found:
                raise HwsolveError(f"{e} is listed twice", file=problem.file,
                                   where=f"grade[{i}]", line=line)
            found.append(e)
    return found


def _check_lengths(ref: R.Reference, submission: Submission) -> None:
    graph = ref.solution.full.graph
    for entry, (shape, where, line) in submission.lists.items():
        name = entry[1:] if entry.startswith("∇") else entry[6:] if \
            entry.startswith("value ") else entry
        base, _ = entry_name(name)
        if base not in graph.vectors:
            if base in graph.scalars:
                raise HwsolveError(f"{base} is a scalar, but {describe(tuple(shape))} was written",
                                   file=submission.file, where=where, line=line)
            raise HwsolveError(f"{base!r} is not an entry of this problem",
                               file=submission.file, where=where, line=line)
        true = tuple(graph.shapes[base])
        if tuple(shape) != true and not (len(true) == 1 and shape == (true[0], 1)):
            raise HwsolveError(f"{base} is {describe(true)}, but {describe(tuple(shape))} was "
                               "written (a list of the wrong length)", file=submission.file,
                               where=where, line=line)


# ----------------------------------------------------------------------------- grading

def grade(ref: R.Reference, submission: Submission, rule: Rule | None = None,
          follow_through: Fraction = Fraction(1), *, problem=None, rule_text: str | None = None,
          worlds: list | None = None) -> Report:
    """One submission's report.  HwsolveError for a malformed submission (an entry the problem
    does not have, a list of the wrong length): the caller flags it."""
    from hwsolve.teach import worlds as building

    rule = rule or GRADING_DEFAULT
    judge = Judge(rule)
    problem = problem or ref.solution.problem
    asked = asked_entries(ref, problem)
    _check_lengths(ref, submission)
    targets = {w.entry: ref.target(w.entry, submission.file, w.line) for w in submission.entries}
    written = {w.entry: w for w in submission.entries}
    correct = {e: ref.correct(t) for e, t in targets.items()}
    ok = {e: judge.matches(w, correct[e]) for e, w in written.items()}
    order = [e for e in asked if e in written] + [e for e in written if e not in asked]
    position = {e: i for i, e in enumerate(order)}
    entries: dict = {}
    roots: list = []
    wrong = [e for e in order if not ok[e]]
    if wrong:
        if worlds is None:
            worlds = getattr(ref, "_single_worlds", None)
            if worlds is None:
                worlds = ref._single_worlds = building.build(ref)
        scope = _asked_targets(ref, asked, submission)
        case = (ref, submission, worlds, judge, written, targets, correct, ok, wrong, scope,
                position)
        entries, roots = _explain(*case, pairs=False)
        if _unexplained(entries):   # two mistakes at once may explain what one cannot
            paired = _explain(*case, pairs=True)
            if _unexplained(paired[0]) < _unexplained(entries):
                entries, roots = paired
    result: list = []
    for e in asked:
        if e in written:
            result.append(entries.get(e) or Entry(e, written[e], correct[e], "right"))
        else:
            result.append(Entry(e, None, _correct_of(ref, e, submission), "missing",
                                text="not answered"))
    extras = [e for e in order if e not in set(asked)]
    for e in extras:
        found = entries.get(e) or Entry(e, written[e], correct[e], "right")
        found.counted = False
        result.append(found)
    result += _closed_forms(ref, submission)  # issue 18: derive: {W: "outer(Yhat - Y, x)"}
    credit = sum((Fraction(1) if x.status == "right" else follow_through
                  if x.status == "follows" else Fraction(0)) for x in result if x.counted)
    notes = []
    if extras:
        notes.append(f"{len(extras)} entr{'y' if len(extras) == 1 else 'ies'} the problem does "
                     f"not ask for (judged, not counted): {', '.join(extras[:6])}"
                     + (" ..." if len(extras) > 6 else ""))
    return Report(submission.student, submission.file, rule_text or rule.describe(), result,
                  roots, Fraction(credit), len(asked) + len(submission.forms), follow_through,
                  str(submission.variant) if submission.variant is not None else None, notes)


def _closed_forms(ref: R.Reference, submission: Submission) -> list:
    """Issue 18: each closed form the student wrote (``derive: {W: ...}``) as a counted entry
    ``derive W``, judged by derive/grade_form at random exact points, the slip named."""
    if not submission.forms:
        return []
    from hwsolve.derive.grade_form import as_verdicts
    return [Entry(v.entry, v.written, v.correct, "right" if v.verdict == "right" else "wrong",
                  v.kind, v.text)
            for v in as_verdicts(ref.solution, submission.forms, Verdict, Written)]


def _unexplained(entries: dict) -> int:
    """Wrong entries with no named mistake (a root of kind "other" included)."""
    return sum(v.status == "wrong" and v.kind == "other" for v in entries.values())


def _explain(ref, submission, worlds, judge, written, targets, correct, ok, wrong, scope,
             position, pairs: bool) -> tuple:
    """(entry -> Entry, roots) for the wrong entries: the roots found by the search, then each
    entry left over on its own (carried from the student's own numbers, or its diagnosis)."""
    from hwsolve.teach import roots as finding
    entries: dict = {}
    roots: list = []
    found = [(world, sorted(explained, key=position.get)) for world, explained in
             finding.search(ref, worlds, judge, written, targets, ok, wrong, scope, pairs)]
    for i in range(1, len(found)):
        if not found[i][1] and len(found[i - 1][1]) > 1:
            # two mistakes in the same sums: each is charged one entry, the rest follows
            shared = found[i - 1][1]
            found[i] = (found[i][0], [shared.pop(1)])
    for world, explained in found:
        if not explained:
            continue
        index = len(roots)
        roots.append(Root(world.kind, world.where, world.text, explained))
        for i, e in enumerate(explained):
            status = "wrong" if i == 0 else "follows"
            text = world.text if i == 0 else f"follows from root {index + 1}: {world.text}"
            entries[e] = Entry(e, written[e], correct[e], status, world.kind, text, index)
    known = {e: Verdict(e, written[e], correct[e], "wrong", v.kind, v.text)
             for e, v in entries.items()}
    diagnosis = EntryDiagnosis(ref, submission.entries, targets, ok, judge, known)
    root_of = {e: v.root for e, v in entries.items()}
    for e in wrong:
        if e in entries:
            continue
        v = diagnosis.verdict(written[e])
        if v.verdict == "carried":
            source = v.roots[0]
            if root_of.get(source) is None:
                first = entries.get(source) or _plain(diagnosis, written[source],
                                                     correct[source])
                root_of[source] = len(roots)
                roots.append(Root(first.kind or "other", source, first.text, [source]))
                first.root = root_of[source]
                entries[source] = first
            index = root_of[source]
            roots[index].entries.append(e)
            entries[e] = Entry(e, written[e], correct[e], "follows", "carried", v.text, index)
        else:
            entries[e] = Entry(e, written[e], correct[e], "wrong", v.kind, v.text)
    return entries, roots


def _asked_targets(ref: R.Reference, asked: list, submission: Submission) -> dict:
    cached = getattr(ref, "_asked_targets", None)
    if cached is None:
        cached = ref._asked_targets = {e: ref.target(e, submission.file, None) for e in asked}
    return cached


def _plain(diagnosis: EntryDiagnosis, w: Written, correct) -> Entry:
    v = diagnosis.verdict(w)
    return Entry(w.entry, w, correct, "wrong", v.kind, v.text)


def _correct_of(ref: R.Reference, entry: str, submission: Submission):
    return ref.correct(ref.target(entry, submission.file, None))
