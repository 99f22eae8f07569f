"""What the grader knows about one problem, computed once from the solver's own data.

The solution's slots, values, local derivatives per program (``Solution.full.local``), their
consumers (the inverse) and the gradients; and, built on demand, the *alternative worlds* a
typical mistake produces: one kink or tie taking its other case, an activation derivative
left out, the tanh label 0 not turned into -1, the ½ of the squared error dropped or doubled.
Each world is the solver's backward pass run again with that one local derivative (or head)
changed, so a world's numbers are exactly what a student making that one mistake gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from hwsolve import num
from hwsolve.engine.solve import Setup, _local_derivatives, solve, tape_values
from hwsolve.errors import HwsolveError
from hwsolve.num import ONE, ZERO
from hwsolve.ops.rules import RULES
from hwsolve.spec.shapes import entry_name

KINKED = ("relu", "leaky_relu", "abs", "min", "max")
SQUASHES = ("sigmoid", "tanh")
MAX_WORLDS = 400


@dataclass(frozen=True)
class Target:
    """What an entry names: a value or gradient of a slot, or ∂program/∂slot."""
    kind: str            # "value", "grad" or "local"
    slot: int
    program: int | None = None


@dataclass
class World:
    kind: str            # kink_branch, missing_activation_derivative, tanh_label, mse_half
    text: str
    grads: list
    values: list | None = None     # only where the forward values change (the head)
    program: int | None = None
    local: list | None = None      # the changed local derivatives of ``program``


@dataclass
class Reference:
    solution: object
    programs: list
    local: list
    values: list
    grads: list
    consumers: dict                 # slot -> [(program index, ∂program/∂slot)]
    program_of: dict                # slot -> program index
    _worlds: list | None = None
    _steps: object = None
    tapes: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ entries

    def target(self, entry: str, file: str, line: int | None) -> Target:
        graph = self.solution.full.graph
        if "/" in entry and not entry.startswith("∇"):
            of, wrt = entry.split("/")
            of_slot = self._slot(of, file, line, entry)
            wrt_slot = self._slot(wrt, file, line, entry)
            program = self.program_of.get(of_slot)
            if program is None or wrt_slot not in dict(self.local[program]) and \
                    wrt_slot not in self.programs[program].inputs:
                raise HwsolveError(f"{wrt} is not a direct input of {of}, so there is no "
                                   f"local derivative ∂{of}/∂{wrt}", file=file, where=entry,
                                   line=line)
            return Target("local", wrt_slot, program)
        if entry in ("Yhat", "L") or entry.startswith("Yhat["):
            if entry == "L" and "L" not in graph.scalars:
                raise HwsolveError("this problem has no loss (loss: none), so there is no L",
                                   file=file, where=entry, line=line)
            return Target("value", self._slot(entry, file, line, entry))
        if entry.startswith("value "):
            return Target("value", self._slot(entry[6:], file, line, entry))
        name = entry[1:]
        slot = self._slot(name, file, line, entry)
        if graph.slots[slot].kind not in ("input", "param", "node", "yhat"):
            raise HwsolveError(f"{name} has no gradient", file=file, where=entry, line=line)
        return Target("grad", slot)

    def _slot(self, name: str, file: str, line: int | None, entry: str) -> int:
        graph = self.solution.full.graph
        base, index = entry_name(name.strip())
        try:
            if index is None and base in graph.vectors:
                raise HwsolveError(f"{base} is a vector or matrix: give its entries as a list "
                                   f"or one by one ({base}[1])", file=file, where=entry,
                                   line=line)
            return graph.slot_of(base, index)
        except (KeyError, IndexError, TypeError):
            raise HwsolveError(f"{name!r} is not an entry of this problem", file=file,
                               where=entry, line=line) from None

    def correct(self, target: Target):
        if target.kind == "value":
            return self.values[target.slot]
        if target.kind == "grad":
            return self.grads[target.slot]
        return dict(self.local[target.program]).get(target.slot, ZERO)

    def label(self, slot: int) -> str:
        return self.solution.full.graph.slots[slot].label

    def tape(self, k: int) -> list:
        if k not in self.tapes:
            with mpmath.workdps(num.WORK_DPS):
                self.tapes[k] = tape_values(self.programs[k], self.values)
        return self.tapes[k]

    # ------------------------------------------------------------------ alternatives

    def alternatives(self, k: int) -> list:
        """(kind, position, text, local) for each single mistake inside program ``k``: a kink
        or tie taking another case, an activation derivative taken as 1."""
        program = self.programs[k]
        computed = self.tape(k)
        found = []
        for position, (op, args, payload) in enumerate(program.tape):
            if not program.needs[position] or op not in KINKED + SQUASHES:
                continue
            values = [computed[a] for a in args]
            partials, _ = RULES[op].backward(values, computed[position], [True] * len(args))
            for partials_alt, text in _other_cases(op, values, partials, computed[position],
                                                   [self._operand(program, a, computed)
                                                    for a in args]):
                kind = "missing_activation_derivative" if op in SQUASHES else "kink_branch"
                local = _local_with(program, computed, position, partials_alt)
                found.append((kind, position, text, local))
        return found

    def _operand(self, program, position: int, computed: list) -> str:
        op, _, payload = program.tape[position]
        value = num.fmt_sig(computed[position], 4)
        if op == "load":
            return f"{self.label(payload)} = {value}"
        if op == "const":
            return value
        return f"its argument {value}"

    def worlds(self) -> list:
        if self._worlds is None:
            self._worlds = self._build_worlds()
        return self._worlds

    def _build_worlds(self) -> list:
        worlds = []
        for k in range(len(self.programs)):
            if len(worlds) >= MAX_WORLDS:
                break
            for kind, _, text, local in self.alternatives(k):
                grads = _backward(self, {k: local})
                worlds.append(World(kind, f"in {self.programs[k].label}, {text}", grads,
                                    program=k, local=local))
        setup = self.solution.setup
        if setup.label is not None and setup.label != setup.label_given:
            raw = Setup(setup.activation, setup.loss, setup.label_given, setup.label_given,
                        setup.variant, output_grad=setup.output_grad, values=setup.values)
            other = solve(self.solution.problem, raw)
            worlds.append(World("tanh_label", "the label 0 was kept, but with a tanh output the "
                                "negative class is -1", other.grads, other.full.values))
        if setup.loss == "mse":
            for factor, text in ((Fraction(2), "the ½ of the squared error was dropped"),
                                 (Fraction(1, 2), "the ½ of the squared error was applied "
                                  "twice")):
                loss_slot = self.solution.full.graph.scalars["L"]
                values = list(self.values)
                values[loss_slot] = num.mul(factor, values[loss_slot])
                worlds.append(World("mse_half", text, [num.mul(factor, g) for g in self.grads],
                                    values))
        return worlds

    def steps(self):
        """The shown work (work/steps.py), built once and only when a derivation is needed."""
        if self._steps is None:
            from hwsolve.work import steps
            self._steps = steps.build(self.solution)
        return self._steps


def build(solution) -> Reference:
    full = solution.full
    programs = full.graph.nodes + full.graph.head_nodes
    consumers: dict = {}
    for k, local in enumerate(full.local):
        for slot, partial in local:
            consumers.setdefault(slot, []).append((k, partial))
    program_of = {p.slot: k for k, p in enumerate(programs)}
    return Reference(solution, programs, full.local, full.values, solution.grads, consumers,
                     program_of)


def _backward(ref: Reference, replaced: dict) -> list:
    """The solver's reverse accumulation with the local derivatives of some programs
    replaced (the same sum as engine.solve._backpropagate)."""
    graph = ref.solution.full.graph
    grads = [ZERO] * len(graph.slots)
    for slot, seed in ref.solution.head_slots.seeds.items():
        grads[slot] = seed
    slots = graph.slots
    with mpmath.workdps(num.WORK_DPS):
        for k in range(len(ref.programs) - 1, -1, -1):
            upstream = grads[ref.programs[k].slot]
            if not upstream:
                continue
            for slot, partial in replaced.get(k, ref.local[k]):
                if slots[slot].kind not in ("constant", "label"):
                    grads[slot] = num.add(grads[slot], num.mul(upstream, partial))
    return grads


def _local_with(program, computed: list, at: int, partials_at: list) -> list:
    """∂program/∂(each direct input) with the partials of tape position ``at`` replaced: the
    solver's own reverse pass over the program's tape, with that one override."""
    return _local_derivatives(program, computed, {at: partials_at})[0]


_WORDS = {"max": "larger", "min": "smaller"}


def _other_cases(op: str, values: list, partials: list, out, names: list) -> list:
    """(partials, reason) for each other case of a kinked function, or for σ′/tanh′ left out."""
    if op in SQUASHES:
        slope = "σ′" if op == "sigmoid" else "tanh′"
        return [([ONE], f"the {slope} factor of {op}({names[0]}) was left out (taken as 1, "
                        f"not {num.fmt_sig(partials[0], 4)})")]
    if op in ("min", "max"):
        winners = [i for i, p in enumerate(partials) if p]
        cases = []
        for j in range(len(values)):
            if j in winners and len(winners) == 1:
                continue
            alt = [ZERO] * len(values)
            alt[j] = ONE
            word = "the tie" if len(winners) > 1 else f"{names[j]} although " + \
                " and ".join(names[w] for w in winners) + f" is {_WORDS[op]}"
            cases.append((alt, f"{op} passes the gradient only to its {_WORDS[op]} argument, "
                               f"but it was given to {word}"))
        return cases
    x = values[0]
    s = num.sign(x)
    side = "positive" if s > 0 else ("zero" if s == 0 else "negative")
    if op == "relu":
        return [([ZERO if partials[0] else ONE], f"relu passes the gradient only where its "
                 f"input is positive, and {names[0]} is {side}")]
    if op == "abs":
        return [([Fraction(-s or 1)], f"abs passes the gradient times the sign of its input, "
                 f"and {names[0]} is {side}")]
    slope = values[1]
    other = [ONE, ZERO] if s <= 0 else [slope, x]
    return [(other, f"leaky_relu passes the gradient where its input is positive, times the "
                    f"slope elsewhere, and {names[0]} is {side}")]
