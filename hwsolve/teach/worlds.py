"""The single mistakes a student can make, each as a whole *world*: every value and gradient a
student gets who makes that one mistake and nothing else.

Besides the worlds of :mod:`hwsolve.teach.reference` (a kink or tie taking its other case, σ′ or
tanh′ left out at one unit, the tanh label 0 kept, the ½ of mse dropped or doubled), these are

- ``missed_path`` / ``extra_path``: one consumer's term left out of (or counted twice in) one
  chain-rule sum; everything upstream of it inherits the error;
- ``sign``: one local derivative taken with the wrong sign;
- ``wrong_activation``: tanh computed where the problem has sigmoid (and the other way round, and
  relu for leaky_relu), at a hidden unit or at the output — the forward values change too.

Each world is the solver's own reverse accumulation (``reference._backward``) with that one
local quantity changed, or its forward tape re-run with that one op swapped; nothing is fitted
to a student's answer.  A problem gets at most ``MAX_WORLDS`` worlds.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from dataclasses import dataclass

import mpmath

from hwsolve import num
from hwsolve.engine.solve import _local_derivatives, tape_values
from hwsolve.num import ONE, ZERO
from hwsolve.spec.shapes import entry_name, flatten
from hwsolve.teach import reference as R

MAX_WORLDS = 600
SWAPS = {"sigmoid": "tanh", "tanh": "sigmoid", "leaky_relu": "relu"}
_NAMES = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "leaky_relu": "leaky_relu"}


@dataclass
class World:
    kind: str
    where: str
    text: str
    grads: list
    values: list | None = None      # None: the forward values are the correct ones
    program: int | None = None
    local: list | None = None       # the changed local derivatives of ``program``, if any
    factor: Fraction | None = None  # mse_half: the factor on L and every gradient

    def value(self, ref: R.Reference, target: R.Target):
        if target.kind == "grad":
            return self.grads[target.slot]
        if target.kind == "value":
            return (self.values or ref.values)[target.slot]
        if self.program == target.program and self.local is not None:
            return dict(self.local).get(target.slot, ZERO)
        return ref.correct(target)


def build(ref: R.Reference) -> list:
    """Every single-mistake world of the problem, most telling kinds first."""
    worlds: list = []
    for w in ref.worlds():
        where = ref.programs[w.program].label if w.program is not None else (
            "L" if w.kind == "mse_half" else "Y")
        factor = (Fraction(2) if "dropped" in w.text else Fraction(1, 2)) \
            if w.kind == "mse_half" else None
        worlds.append(World(w.kind, where, w.text, w.grads, w.values, w.program, w.local,
                            factor))
    worlds += _activation_worlds(ref)
    worlds += _edge_worlds(ref, MAX_WORLDS - len(worlds))
    return _distinct(ref, worlds)[:MAX_WORLDS]


def compose(ref: R.Reference, a: World, b: World) -> World | None:
    """The world of a student who makes both mistakes, where the two compose simply: two
    changed local derivatives in different nodes, or one of them and the ½ of mse."""
    if a.factor is not None and b.factor is not None:
        return None
    if a.factor is not None or b.factor is not None:
        scale, other = (a, b) if a.factor is not None else (b, a)
        if other.values is not None:
            return None
        loss = ref.solution.head_slots.loss
        values = list(ref.values)
        values[loss] = num.mul(scale.factor, values[loss])
        return World("composed", "", "", [num.mul(scale.factor, g) for g in other.grads], values)
    if a.values is not None or b.values is not None or a.local is None or b.local is None \
            or a.program == b.program:
        return None
    return World("composed", "", "", R._backward(ref, {a.program: a.local, b.program: b.local}))


def _fingerprint(ref: R.Reference, world: World) -> tuple:
    values = world.values or ref.values
    return tuple(num.fmt_sig(x, 12) if x is not None else "" for x in (*world.grads, *values))


def _distinct(ref: R.Reference, worlds: list) -> list:
    """Worlds that change something, each once (the first, most telling, name is kept)."""
    seen = {_fingerprint(ref, World("", "", "", ref.grads))}
    kept = []
    for world in worlds:
        try:
            key = _fingerprint(ref, world)
        except (ArithmeticError, ValueError, TypeError):
            continue
        if key not in seen:
            seen.add(key)
            kept.append(world)
    return kept


def _edge_worlds(ref: R.Reference, room: int) -> list:
    """A missed path, an extra path and a sign error on every edge of the graph (node → one of
    its direct inputs) that carries a nonzero term."""
    found: list = []
    slots = ref.solution.full.graph.slots
    for k in range(len(ref.programs) - 1, -1, -1):
        program = ref.programs[k]
        if not ref.grads[program.slot]:
            continue
        for slot, partial in ref.local[k]:
            if len(found) >= room:
                return found
            if not partial or slots[slot].kind in ("constant", "label"):
                continue
            name, of = ref.label(slot), program.label
            term = f"∇{of}·∂{of}/∂{name}"
            several = len(ref.consumers.get(slot, [])) > 1
            for kind, factor, text in (
                    ("missed_path", ZERO,
                     f"the term through {of} ({term}) was left out of ∇{name}"),
                    ("extra_path", Fraction(2),
                     f"the term through {of} ({term}) was counted twice in ∇{name}"),
                    ("sign", Fraction(-1),
                     f"∂{of}/∂{name} was taken with the wrong sign (it is "
                     f"{num.fmt_sig(partial, 4)})")):
                if kind != "sign" and not several:
                    continue  # a single path left out is "no gradient", not a missed path
                local = [(s, num.mul(factor, p) if s == slot else p) for s, p in ref.local[k]]
                grads = R._backward(ref, {k: local})
                where = f"∇{name} through {of}" if kind != "sign" else f"∂{of}/∂{name}"
                found.append(World(kind, where, text, grads, None, k, local))
    return found


def _activation_worlds(ref: R.Reference) -> list:
    """Each unit's activation swapped, and each layer's (every entry of one vector node, or
    the whole output) swapped at once — a student who uses tanh uses it for the layer."""
    found = []
    head = set(range(len(ref.solution.full.graph.nodes), len(ref.programs)))
    groups: dict = {}
    for k, program in enumerate(ref.programs):
        op = program.tape[-1][0]
        if op in SWAPS and program.needs[len(program.tape) - 1]:
            groups.setdefault((entry_name(program.label)[0], op), []).append(k)
    for (name, op), members in groups.items():
        other = SWAPS[op]
        choices = [members] if set(members) <= head else \
            [[k] for k in members] + ([members] if len(members) > 1 else [])
        for chosen in choices:
            try:
                with mpmath.workdps(num.WORK_DPS):
                    world = (_head_swap(ref, chosen, other) if set(chosen) <= head
                             else _hidden_swap(ref, chosen, other))
            except (num.NumericError, ArithmeticError, ValueError, KeyError, IndexError):
                continue
            if world is None:
                continue
            where = ref.programs[chosen[0]].label if len(chosen) == 1 else name
            found.append(World("wrong_activation", where,
                               f"{_NAMES[other]} was computed at {where} where the problem has "
                               f"{_NAMES[op]}", world[1], world[0], chosen[0]))
    return found


def _swapped(program, position: int, other: str):
    op, args, payload = program.tape[position]
    changed = copy.copy(program)
    tape = list(program.tape)
    tape[position] = (other, args[:1], None) if other in ("relu", "sigmoid", "tanh") else \
        (other, args, payload)
    changed.tape = tape
    return changed


def _hidden_swap(ref: R.Reference, chosen: list, other: str):
    """The forward pass again from the first chosen program on, with their last op swapped,
    then the backward pass."""
    values = list(ref.values)
    programs = list(ref.programs)
    for k in chosen:
        programs[k] = _swapped(programs[k], len(programs[k].tape) - 1, other)
    locals_ = list(ref.local)
    start = min(chosen)
    for j in range(start, len(programs)):
        computed = tape_values(programs[j], values)
        values[programs[j].slot] = computed[-1]
        locals_[j] = _local_derivatives(programs[j], computed)[0]
    replaced = {j: locals_[j] for j in range(start, len(programs))}
    world_ref = copy.copy(ref)
    world_ref.values = values
    return values, R._backward(world_ref, replaced)


def _head_swap(ref: R.Reference, chosen: list, other: str):
    """The output activation swapped at every output with the loss kept (bce or mse): Ŷ, L and
    dL/dŶ again by the loss's own formula, with the label as given."""
    setup = ref.solution.setup
    slots = ref.solution.head_slots
    if setup.loss not in ("bce", "mse") or other == "relu" or setup.label_given is None:
        return None
    if sorted(ref.programs[k].slot for k in chosen) != sorted(slots.yhat):
        return None
    labels = flatten(setup.label_given)
    if len(labels) != len(slots.yhat):
        return None
    values = list(ref.values)
    replaced: dict = {}
    loss = ZERO
    dls: dict = {}
    for k in chosen:
        t = slots.yhat.index(ref.programs[k].slot)
        z, y = ref.values[slots.z[t]], labels[t]
        yhat = num.tanh(z) if other == "tanh" else num.sigmoid(z)
        slope = num.sub(ONE, num.mul(yhat, yhat)) if other == "tanh" else \
            num.mul(yhat, num.sub(ONE, yhat))
        if setup.loss == "bce":
            if not 0 < num.to_float(yhat) < 1:
                return None
            term = num.neg(num.add(num.mul(y, num.log(yhat)),
                                   num.mul(num.sub(ONE, y), num.log(num.sub(ONE, yhat)))))
            dl = num.div(num.sub(yhat, y), num.mul(yhat, num.sub(ONE, yhat)))
        else:
            r = num.sub(yhat, y)
            term, dl = num.mul(num.mul(r, r), Fraction(1, 2)), r
        loss = num.add(loss, term)
        values[slots.yhat[t]] = yhat
        dls[slots.yhat[t]] = dl
        replaced[k] = [(s, slope if s == slots.z[t] else p) for s, p in ref.local[k]]
    values[slots.loss] = loss
    loss_k = ref.program_of[slots.loss]
    replaced[loss_k] = [(s, dls.get(s, p)) for s, p in ref.local[loss_k]]
    return values, R._backward(ref, replaced)
