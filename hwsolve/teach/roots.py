"""The root search: the smallest set of single mistakes that reproduces a student's entries.

Each candidate is a whole *world* (:mod:`hwsolve.teach.worlds`): every number a student gets
who makes that one mistake.  A world *explains* a wrong entry when the student's number matches
the world's under the rule and at three significant figures (:class:`grade.Judge`); it is
*contradicted* when an entry it changes visibly was written correctly.  A world is a root only
when it explains more of the entries it changes than it mispredicts, and not only zeros (a
student who writes 0 everywhere has not "left out σ′" because one world gives 0).  Greedily,
the world that explains the most of the wrong entries without a contradiction is taken as a
root (ties go to the world that changes the fewest other written entries, then to the most
local one — the one that changes the fewest of the sheet's entries —, then to the more
telling kind, in the order worlds.build lists them), its entries are set aside, and the
search goes on for what is left, up to ``MAX_ROOTS`` roots.  Only the student's final answers
are needed; intermediates, where written, simply count as more entries.
"""

from __future__ import annotations

from hwsolve import num

MAX_ROOTS = 3


def search(ref, worlds: list, judge, written: dict, targets: dict, ok: dict,
           wrong: list, scope: dict | None = None) -> list:
    """[(world, explained entries)] for the student's wrong entries, best root first."""
    rule = judge.rule
    correct = {e: ref.correct(t) for e, t in targets.items()}
    left = set(wrong)
    found: list = []
    cache = getattr(ref, "_changed", None)
    if cache is None:
        cache = ref._changed = {}
    values = getattr(ref, "_world_values", None)
    if values is None:
        values = ref._world_values = {}
    while left and len(found) < MAX_ROOTS:
        best = None
        for n, world in enumerate(worlds):
            explained = []
            for e in left:
                alt, alt_float = _alt(ref, world, n, e, targets[e], values)
                if judge.diagnoses(written[e], alt, alt_float):
                    explained.append(e)
            if not explained:
                continue
            changed = [e for e in targets if _visibly_changed(ref, world, n, e, targets[e],
                                                              correct[e], rule, cache)]
            if any(ok[e] for e in changed):
                continue   # the student wrote correctly an entry this mistake would change
            others = sum(1 for e in changed if e not in explained)
            if others >= len(explained) or not any(written[e].value for e in explained):
                continue   # it predicts more of the student's numbers wrongly than rightly,
                #            or only zeros match it (a zero is no evidence of a mistake)
            reach = sum(1 for e, t in (scope or {}).items()
                        if _visibly_changed(ref, world, n, e, t, ref.correct(t), rule, cache))
            key = (-len(explained), others, reach, n)
            if best is None or key < best[0]:
                best = (key, world, explained)
        if best is None:
            break
        _, world, explained = best
        found.append((world, explained))
        left -= set(explained)
    return found


def _alt(ref, world, n: int, entry: str, target, values: dict) -> tuple:
    """(value, float) of ``entry`` in world ``n``, remembered per problem."""
    key = (n, entry)
    found = values.get(key)
    if found is None:
        alt = world.value(ref, target)
        found = values[key] = (alt, num.to_float(alt))
    return found


def _visibly_changed(ref, world, n: int, entry: str, target, true, rule, cache: dict) -> bool:
    """Does the world move ``entry`` by more than the rule allows (remembered per problem)?"""
    key = (n, entry, rule)
    if key in cache:
        return cache[key]
    alt = world.value(ref, target)
    a, b = num.to_float(alt), num.to_float(true)
    if a == b and num.fmt_sig(alt, 30) == num.fmt_sig(true, 30):
        moved = False
    else:
        quick = rule.quick(a, b)
        moved = not (quick if quick is not None else rule.matches(num.fmt_sig(alt, 30), true))
    cache[key] = moved
    return moved
