"""The diagnosis of one wrong entry on its own, for what the root search
(:mod:`hwsolve.teach.roots`) leaves unexplained, tried in this order:

1. carried: the entry follows from the student's own (wrong) upstream numbers — that one step
   is recomputed with their numbers, allowing for the rounding of what they wrote; the report
   points at the first wrong entry instead;
2. a missed or extra path in this entry's own sum;
3. a wrong local derivative (a ∂OF/∂WRT the student wrote, or a world that matches this entry);
4. a sign error;
5. otherwise wrong, with the correct derivation.

Every correct number, local derivative and alternative is the solver's (see
:mod:`hwsolve.teach.reference`); nothing is fitted to the student's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction

import mpmath

from hwsolve import num
from hwsolve.engine.solve import tape_values
from hwsolve.teach import reference as R
from hwsolve.teach.answers import Written


@dataclass
class Verdict:
    entry: str
    written: Written
    correct: object
    verdict: str                     # right, wrong or carried
    kind: str | None = None          # the diagnosis (KINDS) of a wrong or carried entry
    text: str = ""
    roots: list = field(default_factory=list)   # entries the error was carried from


def _fmt(x) -> str:
    return num.fmt_sig(x, 4)


class EntryDiagnosis:
    """Per-entry diagnoses for one submission.  ``judge`` decides matches (the rule, and a
    diagnosis only at three significant figures too); ``ok`` says which entries are right;
    ``known`` holds the verdicts already decided by the root search (entry -> Verdict)."""

    def __init__(self, ref: R.Reference, written: list, targets: dict, ok: dict, judge,
                 known: dict | None = None):
        self.ref, self.judge, self.rule = ref, judge, judge.rule
        self.targets = targets
        self.by_target = {targets[w.entry]: w for w in written}
        self.ok = ok
        self.done: dict = dict(known or {})

    def matches(self, w: Written, value) -> bool:
        return self.judge.diagnoses(w, value)

    def slack(self, w: Written | None) -> Decimal:
        if w is None:
            return Decimal(0)
        if w.exact is not None:
            return Decimal(0)
        return self.rule.slack(w.text, w.value)

    # ------------------------------------------------------------------ per entry

    def verdict(self, w: Written) -> Verdict:
        if w.entry in self.done:
            return self.done[w.entry]
        target = self.targets[w.entry]
        correct = self.ref.correct(target)
        if self.ok[w.entry]:
            result = Verdict(w.entry, w, correct, "right")
        else:
            self.done[w.entry] = Verdict(w.entry, w, correct, "wrong", "other")  # no cycles
            result = self.diagnose(w, target, correct)
        self.done[w.entry] = result
        return result

    def diagnose(self, w: Written, target: R.Target, correct) -> Verdict:
        for attempt in (self.carried, self.path, self.local_mistake, self.sign):
            found = attempt(w, target, correct)
            if found is not None:
                return found
        return Verdict(w.entry, w, correct, "wrong", "other", self.derivation(target, correct))

    def carried(self, w: Written, target: R.Target, correct):
        ref = self.ref
        if target.kind == "grad":
            total, slack, used = self._step_with_students(target.slot)
        elif target.kind == "value" and target.slot in ref.program_of:
            total, slack, used = self._value_with_students(target.slot)
        else:
            return None
        wrong = [u for u in used if not self.ok[u.entry]]
        if not wrong:
            return None
        with localcontext() as ctx:
            ctx.prec = num.WORK_DPS + 10
            recomputed = num.to_decimal(total)
            if slack > abs(recomputed) / 100 + Decimal("1e-300"):
                return None   # the student's own numbers are too coarse (or too wild) to say
            if abs(num.to_decimal(w.value) - recomputed) > slack + self.slack(w):
                return None
        roots: list = []
        for u in wrong:
            v = self.verdict(u)
            for r in (v.roots if v.verdict == "carried" else [u.entry]):
                if r not in roots:
                    roots.append(r)
        yours = ", ".join(f"{u.entry} = {u.text}" for u in wrong)
        text = (f"follows correctly from your own {yours} (recomputed: {_fmt(total)}); the error "
                f"is in {', '.join(roots)}")
        return Verdict(w.entry, w, correct, "carried", "carried", text, roots)

    def _step_with_students(self, slot: int) -> tuple:
        """The chain-rule sum for ``slot`` with the student's upstream gradients and local
        derivatives where they wrote them, and how far their rounding can move it."""
        ref = self.ref
        total, slack, used = num.ZERO, Decimal(0), []
        with mpmath.workdps(num.WORK_DPS), localcontext() as ctx:
            ctx.prec = num.WORK_DPS + 10
            for k, partial in ref.consumers.get(slot, []):
                up_slot = ref.programs[k].slot
                w_up = self.by_target.get(R.Target("grad", up_slot))
                w_loc = self.by_target.get(R.Target("local", slot, k))
                up = w_up.value if w_up else ref.grads[up_slot]
                loc = w_loc.value if w_loc else partial
                used += [x for x in (w_up, w_loc) if x is not None]
                total = num.add(total, num.mul(up, loc))
                slack += abs(num.to_decimal(loc)) * self.slack(w_up) + \
                    abs(num.to_decimal(up)) * self.slack(w_loc)
        return total, slack, used

    def _value_with_students(self, slot: int) -> tuple:
        ref = self.ref
        k = ref.program_of[slot]
        program = ref.programs[k]
        values = list(ref.values)
        slack, used = Decimal(0), []
        with localcontext() as ctx:
            ctx.prec = num.WORK_DPS + 10
            for s, partial in ref.local[k]:
                w_in = self.by_target.get(R.Target("value", s))
                if w_in is not None:
                    values[s] = w_in.value
                    used.append(w_in)
                    slack += abs(num.to_decimal(partial)) * self.slack(w_in)
        if not used:
            return num.ZERO, slack, []
        try:
            with mpmath.workdps(num.WORK_DPS):
                total = tape_values(program, values)[-1]
        except (num.NumericError, ZeroDivisionError):
            return num.ZERO, slack, []
        return total, slack, used

    def path(self, w: Written, target: R.Target, correct):
        if target.kind != "grad":
            return None
        ref = self.ref
        terms = [k for k, partial in ref.consumers.get(target.slot, [])
                 if num.mul(ref.grads[ref.programs[k].slot], partial)]
        if len(terms) < 2:
            return None  # one path left out is no gradient at all, not a missed path
        for k, partial in ref.consumers.get(target.slot, []):
            consumer = ref.programs[k].label
            term = num.mul(ref.grads[ref.programs[k].slot], partial)
            if not term:
                continue
            name = ref.label(target.slot)
            shown = f"∇{consumer}·∂{consumer}/∂{name} = {_fmt(term)}"
            if self.matches(w, num.sub(correct, term)):
                return Verdict(w.entry, w, correct, "wrong", "missed_path",
                               f"your {w.entry} is the correct sum without the term through "
                               f"{consumer} ({shown}): a missed path")
            if self.matches(w, num.add(correct, term)):
                return Verdict(w.entry, w, correct, "wrong", "extra_path",
                               f"your {w.entry} counts the term through {consumer} ({shown}) "
                               "twice: an extra path")
        return None

    def local_mistake(self, w: Written, target: R.Target, correct):
        ref = self.ref
        if target.kind == "local":
            for kind, _, text, local in ref.alternatives(target.program):
                alt = dict(local).get(target.slot, num.ZERO)
                if num.cmp(alt, correct) and self.matches(w, alt):
                    return Verdict(w.entry, w, correct, "wrong", kind,
                                   f"{text}, so {_local_name(w.entry)} = {_fmt(correct)}, "
                                   f"not {w.text}")
            return None
        for world in ref.worlds():
            table = world.grads if target.kind == "grad" else world.values
            if table is None:
                continue
            alt = table[target.slot]
            if num.cmp(alt, correct) and self.matches(w, alt):
                return Verdict(w.entry, w, correct, "wrong", world.kind,
                               f"your {w.entry} is what one gets if {world.text}")
        return None

    def sign(self, w: Written, target: R.Target, correct):
        if correct and self.matches(w, num.neg(correct)):
            return Verdict(w.entry, w, correct, "wrong", "sign",
                           f"a sign error: {w.entry} is {_fmt(correct)}, not {w.text}")
        if target.kind != "grad":
            return None
        ref = self.ref
        for k, partial in ref.consumers.get(target.slot, []):
            term = num.mul(ref.grads[ref.programs[k].slot], partial)
            if term and self.matches(w, num.sub(correct, num.mul(Fraction(2), term))):
                consumer = ref.programs[k].label
                return Verdict(w.entry, w, correct, "wrong", "sign",
                               f"a sign error in the term through {consumer}: "
                               f"∂{consumer}/∂{ref.label(target.slot)} is {_fmt(partial)}")
        return None

    # ------------------------------------------------------------------ the derivation

    def derivation(self, target: R.Target, correct) -> str:
        ref = self.ref
        if target.kind == "local":
            program = ref.programs[target.program]
            return (f"∂{program.label}/∂{ref.label(target.slot)} = {_fmt(correct)}, from "
                    f"{program.label} = {program.text}")
        if target.kind == "value":
            k = ref.program_of.get(target.slot)
            text = f" = {ref.programs[k].text}" if k is not None else ""
            return f"{ref.label(target.slot)}{text} = {_fmt(correct)}"
        return derivation(ref, target.slot)


def _local_name(entry: str) -> str:
    of, wrt = entry.split("/")
    return f"∂{of}/∂{wrt}"


def derivation(ref: R.Reference, slot: int) -> str:
    """The chain-rule sum of ``slot``'s gradient with the solver's numbers: each consumer's
    upstream gradient times its local derivative (the terms ``--steps`` shows, taken from the
    solver's own tables, so that grading never loads SymPy)."""
    name = ref.label(slot)
    terms = [(ref.programs[k].label, ref.grads[ref.programs[k].slot], partial,
              num.mul(ref.grads[ref.programs[k].slot], partial))
             for k, partial in ref.consumers.get(slot, [])]
    total = _fmt(ref.grads[slot])
    if not terms:
        return f"∇{name} = {total}: no node uses {name}"
    symbolic = " + ".join(f"∇{c}·∂{c}/∂{name}" for c, _, _, _ in terms)
    numbers = " + ".join(f"({_fmt(u)})({_fmt(p)})" for _, u, p, _ in terms)
    return f"∇{name} = {symbolic} = {numbers} = {total}"
