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


MAX_PAIRED = 12


def search(ref, worlds: list, judge, written: dict, targets: dict, ok: dict,
           wrong: list, scope: dict | None = None, pairs: bool = False) -> list:
    """[(world, explained entries)] for the student's wrong entries, best root first; with
    ``pairs``, two mistakes made together are tried when no single one explains them all."""
    state = _State(ref, judge, written, targets, ok, scope)
    left = set(wrong)
    found: list = []
    first = True
    while left and len(found) < MAX_ROOTS:
        scored = [(state.score(n, world, left), n, world) for n, world in enumerate(worlds)]
        scored = [(key, n, world, explained) for (key, explained), n, world in scored
                  if explained]
        valid = [item for item in scored if item[0] is not None]
        best = min(valid, key=lambda item: item[0]) if valid else None
        if pairs and first and (best is None or len(best[3]) < len(left)):
            pair = _best_pair(state, worlds, scored, left, best)
            if pair is not None:
                return pair
        first = False
        if best is None:
            break
        _, _, world, explained = best
        found.append((world, explained))
        left -= set(explained)
    return found


def _best_pair(state, worlds: list, scored: list, left: set, best) -> list | None:
    """Two mistakes together, when no single one explains every wrong entry: among the worlds
    that change a wrong entry and contradict no right one, the pair whose combined world
    explains more wrong entries than the best single world; each root keeps the entries its
    own mistake changes."""
    from hwsolve.teach.worlds import compose

    def relevant(entries: set, cap: int) -> list:
        found = []
        for n, world in enumerate(worlds):
            hits = sum(1 for e in entries if state.changed(n, world, e))
            if hits and not any(state.ok[e] for e in state.targets
                                if state.changed(n, world, e)):
                found.append((-hits, n, world))
        return sorted(found, key=lambda item: item[:2])[:cap]

    pairs = []
    among = relevant(left, MAX_PAIRED)
    for i, (_, n_a, a) in enumerate(among):
        pairs += [(n_a, a, n_b, b) for _, n_b, b in among[i + 1:]]
    if best is not None:   # the best single mistake and a second one for what it leaves
        _, n_a, a, explained = best
        pairs += [(n_a, a, n_b, b) for _, n_b, b in relevant(left - set(explained), 2 * MAX_PAIRED)
                  if n_b != n_a]
    floor = len(best[3]) if best is not None else 0
    composed = getattr(state.ref, "_composed", None)
    if composed is None:
        composed = state.ref._composed = {}
    choice = None
    for n_a, a, n_b, b in pairs:
        key = ("pair", min(n_a, n_b), max(n_a, n_b))
        if key not in composed:
            composed[key] = compose(state.ref, a, b)
        both = composed[key]
        if both is None:
            continue
        score, explained = state.score(key, both, left)
        if score is None or len(explained) <= floor:
            continue
        if choice is None or score < choice[0]:
            choice = (score, (n_a, a), (n_b, b), explained)
    if choice is None:
        return None
    _, (n_a, a), (n_b, b), explained = choice
    mine_b = [e for e in explained if state.changed(n_b, b, e) and not state.changed(n_a, a, e)]
    mine_a = [e for e in explained if e not in mine_b]
    if not mine_a:
        mine_a, mine_b = mine_b, []
        a, b = b, a
    return [(a, mine_a), (b, mine_b)]   # b may share all its entries with a: grade.py splits


class _State:
    def __init__(self, ref, judge, written, targets, ok, scope):
        self.ref, self.judge, self.written, self.targets, self.ok = ref, judge, written, \
            targets, ok
        self.scope = scope or {}
        self.rule = judge.rule
        self.cache = getattr(ref, "_changed", None)
        if self.cache is None:
            self.cache = ref._changed = {}
        self.values = getattr(ref, "_world_values", None)
        if self.values is None:
            self.values = ref._world_values = {}
        self.scope_keys = frozenset(self.scope)
        self.universe = self.scope_keys | frozenset(targets)
        self.floats = {e: judge.written_float(w) for e, w in written.items()}

    def changed(self, n, world, e) -> bool:
        return e in self.changed_set(n, world)

    def changed_set(self, n, world) -> frozenset:
        """The entries (written or asked) that world ``n`` moves by more than the rule allows,
        remembered per problem and rule."""
        key = (n, self.rule)
        found = self.cache.get(key)
        if found is not None and found[0] >= self.universe:
            return found[1]
        known, moved = found if found is not None else (frozenset(), frozenset())
        extra = set()
        for e in self.universe - known:
            target = self.targets.get(e) or self.scope[e]
            if _visibly_changed(self.ref, world, e, target, self.ref.correct(target),
                                self.rule):
                extra.add(e)
        moved = moved | extra
        self.cache[key] = (known | self.universe, moved)
        return moved

    def score(self, n, world, left: set) -> tuple:
        """(sort key or None when the world cannot be a root, the entries it explains)."""
        explained = []
        for e in left:
            alt, alt_float = _alt(self.ref, world, n, e, self.targets[e], self.values)
            wf = self.floats[e]
            if alt_float and abs(wf - alt_float) > 0.006 * abs(alt_float) and \
                    abs(alt_float) < 1e300:
                continue   # no diagnosis: it needs 3 significant figures of agreement
            if self.judge.diagnoses(self.written[e], alt, alt_float):
                explained.append(e)
        if not explained:
            return None, explained
        moved = self.changed_set(n, world)
        changed = [e for e in self.targets if e in moved]
        if any(self.ok[e] for e in changed):
            return None, explained   # an entry this mistake would change was written right
        others = sum(1 for e in changed if e not in explained)
        if others >= len(explained) or not any(self.written[e].value for e in explained):
            return None, explained   # it mispredicts as much as it explains, or only zeros
        reach = len(moved & self.scope_keys)
        order = n if isinstance(n, int) else n[1:]   # a single world's index, or a pair's
        return (-len(explained), others, reach, order), explained


def _alt(ref, world, n: int, entry: str, target, values: dict) -> tuple:
    """(value, float) of ``entry`` in world ``n``, remembered per problem."""
    key = (n, entry)
    found = values.get(key)
    if found is None:
        alt = world.value(ref, target)
        found = values[key] = (alt, num.to_float(alt))
    return found


def _visibly_changed(ref, world, entry: str, target, true, rule) -> bool:
    """Does the world move ``entry`` by more than the rule allows?"""
    alt = world.value(ref, target)
    a, b = num.to_float(alt), num.to_float(true)
    if a == b and num.fmt_sig(alt, 30) == num.fmt_sig(true, 30):
        moved = False
    else:
        quick = rule.quick(a, b)
        moved = not (quick if quick is not None else rule.matches(num.fmt_sig(alt, 30), true))
    return moved
