"""Decisions that a node's balls could not take, and values they do not prove.

Every value is exact or a FLINT ball that encloses it (:mod:`hwsolve.num`).  A decision --
a sign, a zero, a tie, a kink's branch, a min/max winner -- is taken only when the ball
excludes the boundary; and every displayed value must prove ``num.NEEDED_BITS`` bits.  When a
node fails either, :func:`refine` recomputes that node and only the nodes it depends on (its
ancestor cone) from the exact leaves at twice the precision, again and again up to
``TOP_BITS`` or ``LADDER_SECONDS`` for the whole problem.  Balls computed at a higher
precision are still enclosures, so writing them back is always safe: nothing is cached across
precisions, values are only narrowed.

What is still undecided at the top goes to :func:`settle`: an exact proof with SymPy, built
only from each op's SymPy form in the registry (an op without one is a registry error), that
the undecided quantity is zero (then the kink's convention, or an exact 0, is right); and
otherwise a note naming the node.  Every value that depends on such a node is flagged too
(``Ladder.doubtful``), so that an undecided value never silently corrupts what follows it.
"""

from __future__ import annotations

import signal
import threading
import time

from hwsolve import num
from hwsolve.errors import HwsolveError

TOP_BITS = num.WORK_BITS * 32
"""6,496 bits, about 1,950 digits: twice what the largest literal (1e±1000) can cancel."""
LADDER_SECONDS = 4.0
"""Time a problem may spend recomputing undecided nodes at higher precision, in all (the
evaluation itself is not counted: a large problem still gets its refinements)."""
MAX_PROOF_POSITIONS = 300
PROOF_SECONDS = 1.0
GRADIENT_PROOF_SECONDS = 3.0
"""SymPy's time for the proofs of one problem's values, and of its gradients (SymPy's import
not counted)."""
KINKED = ("relu", "leaky_relu", "abs", "max", "min", "step")  # each decides the sign of args[0]


def next_bits(bits: int) -> int | None:
    """The next precision to try after ``bits``, or None at the top."""
    return bits * 2 if bits < TOP_BITS else None


class Ladder:
    """One evaluation's refinement state."""

    def __init__(self, programs: list):
        self.spent = 0.0              # seconds spent in refine
        self.seconds = 0.0            # seconds the evaluation took (to budget a re-run)
        self.proof_deadline = None
        self.gradient_deadline = None
        self.programs = programs
        self._program_of = None
        self.pinned: set = set()      # slots proved exactly 0
        self.doubtful: dict = {}      # slot -> the label of the undecided node it depends on
        self.top = num.WORK_BITS      # the highest precision used

    @property
    def program_of(self) -> dict:
        """slot -> the program computing it (built on first use: most runs never need it)."""
        if self._program_of is None:
            self._program_of = {p.slot: p for p in self.programs}
        return self._program_of

    def add(self, programs: list) -> None:
        self.programs = self.programs + programs
        self._program_of = None

    def cone(self, node) -> list:
        """The programs ``node`` depends on, in evaluation order."""
        seen, stack = {}, list(node.inputs)
        while stack:
            slot = stack.pop()
            program = self.program_of.get(slot)
            if program is None or slot in seen:
                continue
            seen[slot] = program
            stack.extend(program.inputs)
        return [seen[s] for s in sorted(seen)]


def refine(ladder: Ladder, values: list, node, compute, bits: int) -> tuple:
    """Recompute ``node`` (and its cone) at doubled precisions until its decisions are taken
    and its value is accurate.  ``compute(node)`` returns (computed, local, kinks) at the
    current precision.  Returns (computed, local, kinks, decided, bits)."""
    from hwsolve.engine.solve import tape_values
    cone = None
    result = None
    start = time.monotonic()
    try:
        return _refine(ladder, values, node, compute, bits, start, tape_values)
    finally:
        ladder.spent += time.monotonic() - start


def _refine(ladder, values, node, compute, bits, start, tape_values) -> tuple:
    cone = None
    result = None
    while next_bits(bits) and ladder.spent + time.monotonic() - start < LADDER_SECONDS:
        bits = next_bits(bits)
        ladder.top = max(ladder.top, bits)
        if cone is None:
            cone = ladder.cone(node)
        with num.computation(bits) as state:
            for program in cone:
                if program.slot not in ladder.pinned:
                    values[program.slot] = tape_values(program, values)[-1]
            state.undecided = 0
            result = compute(node)
            if not state.undecided and num.accurate(result[0][-1]):
                return (*result, True, bits)
    if result is None:
        result = compute(node)
    return (*result, False, bits)


def settle(ladder: Ladder, graph, values: list, node, computed: list, bits: int) -> list:
    """At the top precision: prove each undecided quantity of ``node`` zero with SymPy.
    Returns the notes for what could not be proved (empty: all proved); pins the node's value
    to an exact 0 when that is what was proved."""
    pending = _undecided(node, computed, bits)
    value_open = not num.accurate(computed[-1])
    import hwsolve.work.symbolic  # noqa: F401  (SymPy's import is not the proof's time)
    if ladder.proof_deadline is None:
        ladder.proof_deadline = time.monotonic() + PROOF_SECONDS
    prover = _Prover(ladder, graph, values, node, bits)
    open_ = [item for item in pending if not prover.zero(item)]
    notes = []
    if value_open:
        if computed[-1].contains(0) and prover.zero(("value",)):
            computed[-1] = num.ZERO
            ladder.pinned.add(node.slot)
            value_open = False
        elif not computed[-1].contains(0):
            value_open = False  # decided, only short of NEEDED_BITS: its digits are proved
    if open_:
        notes.append(f"a sign, tie or branch of irrational values is not decided even at "
                     f"{bits} bits and could not be proved exact: the convention for 0 was "
                     "applied, not proved (a tie or zero decided without proof)")
    if value_open:
        radius = num.fmt_sig(computed[-1].rad(), 2) if computed[-1].is_finite() else "∞"
        notes.append(f"the value is within ±{radius} of 0 even at {bits} bits and could not "
                     "be proved zero: it is written 0, not proved (a zero decided without "
                     "proof)")
    return notes


def _undecided(node, computed: list, bits: int) -> list:
    """The decisions of ``node`` its balls do not take: ("arg", position) for a kink at its
    argument, ("tie", a, winner) for a min/max candidate against the winner, ("other",) for
    any other (a domain or a loss's margin)."""
    from hwsolve.ops.rules import RULES
    found = []
    with num.computation(bits) as state:
        for position, (op, args, payload) in enumerate(node.tape):
            if op in ("load", "const"):
                continue
            mark = state.undecided
            if op in ("max", "min"):
                out = computed[position]
                winner = next(b for b in args if computed[b] is out)
                for a in args:
                    before = state.undecided
                    num.cmp(computed[a], out)
                    if state.undecided != before:
                        found.append(("tie", a, winner))
                continue
            if op in KINKED:
                num.sign(computed[args[0]])
                if state.undecided != mark:
                    found.append(("arg", args[0]))
                continue
            if op in BOUNDED_LOSSES:
                found += _loss_boundaries(op, args, payload, computed, state)
                continue
            arguments = [computed[a] for a in args]
            try:
                if payload is None:
                    RULES[op].forward(arguments)
                    RULES[op].backward(arguments, computed[position], [True] * len(args))
                else:
                    RULES[op].forward(arguments, payload)
                    RULES[op].backward(arguments, computed[position], [True] * len(args),
                                       payload)
            except num.NumericError:
                pass
            if state.undecided != mark:
                found.append(("other",))
    return found


# the losses whose only decision is where each residual r = Ŷ - Y sits: r against 0 (l1) or
# |r| against delta / beta (huber, smooth l1), so each is proved as an expression in Ŷ and Y
BOUNDED_LOSSES = ("loss_l1", "loss_huber", "loss_smooth_l1")


def _loss_boundaries(op: str, args: list, payload, computed: list, state) -> list:
    """("boundary", ŷ position, y position, bound) for each residual of a bounded loss that the
    balls do not place: proved by r = 0 (bound None) or r² - bound² = 0."""
    from hwsolve.ops.vector import residual
    activation, k, extra = payload
    found = []
    for t in range(k):
        mark = state.undecided
        yhat, z, y = (computed[args[t + i * k]] for i in range(3))
        try:
            r = residual(activation, yhat, z, y)
            if op == "loss_l1":
                num.sign(r)
            else:
                num.cmp(num.abs_(r), extra)
        except num.NumericError:
            found.append(("other",))
            continue
        if state.undecided != mark:
            found.append(("boundary", args[t], args[t + 2 * k],
                          None if op == "loss_l1" else extra))
    return found


class _Prover:
    """Closed forms (SymPy, exact leaves, the registry's form of every op) of one node's tape
    and of its nearest ancestors; the nodes beyond stay symbols."""

    def __init__(self, ladder: Ladder, graph, values: list, node, bits: int):
        self.ladder, self.graph, self.values, self.node, self.bits = (
            ladder, graph, values, node, bits)
        self.slot_forms: dict = {}
        self.expanded = self._nearest(node)
        self.forms = None

    def _nearest(self, node) -> set:
        chosen, queue, size = set(), [node.slot], 0
        while queue:
            slot = queue.pop(0)
            program = self.ladder.program_of.get(slot)
            if program is None or slot in chosen:
                continue
            size += len(program.tape)
            if size > MAX_PROOF_POSITIONS:
                break
            chosen.add(slot)
            queue += list(program.inputs)
        return chosen

    def zero(self, item) -> bool:
        """Is the undecided quantity exactly zero?"""
        if item[0] == "other" or self.node.slot not in self.expanded:
            return False
        seconds = self.ladder.proof_deadline - time.monotonic()
        if seconds <= 0:
            return False
        import sympy as sp
        try:
            with _time_limit(seconds):
                if self.forms is None:
                    self.forms = self._tape(self.node)
                forms = self.forms
                if item[0] == "value":
                    expression = forms[-1]
                elif item[0] == "arg":
                    expression = forms[item[1]]
                elif item[0] == "boundary":
                    expression = forms[item[1]] - forms[item[2]]
                    if item[3] is not None:
                        expression = expression ** 2 - _rational(sp, item[3]) ** 2
                else:
                    expression = forms[item[1]] - forms[item[2]]
                expression = _elementary(sp, expression)
                if expression == 0:
                    return True
                exponentials = expression.rewrite(sp.exp)
                return bool(sp.cancel(sp.together(exponentials)) == 0 or
                            sp.simplify(exponentials) == 0 or sp.simplify(expression) == 0)
        except (_Timeout, RecursionError, ValueError, TypeError, ZeroDivisionError,
                AttributeError):
            return False

    def _slot(self, slot: int):
        if slot not in self.slot_forms:
            import sympy as sp
            program = self.ladder.program_of.get(slot)
            if program is not None and slot in self.expanded:
                self.slot_forms[slot] = self._tape(program)[-1]
            elif program is not None:
                self.slot_forms[slot] = sp.Symbol(self.graph.slots[slot].label, real=True)
            else:
                # the leaf's value in this evaluation (a variant's, a training step's),
                # never the spec's
                self.slot_forms[slot] = _rational(sp, self.values[slot])
        return self.slot_forms[slot]

    def _tape(self, program) -> list:
        import sympy as sp
        from hwsolve.ops.registry import REGISTRY
        from hwsolve.work.symbolic import _FORMS
        forms: list = []
        for op, args, payload in program.tape:
            if op == "load":
                forms.append(self._slot(payload))
            elif op == "const":
                forms.append(_rational(sp, payload))
            else:
                forms.append(sympy_form(REGISTRY, _FORMS, sp, op, [forms[i] for i in args],
                                        payload))
        return forms


def gradient_zero(ladder: Ladder, graph, values: list, seeds: dict, slot: int) -> bool:
    """Is the gradient of the exact leaf ``slot`` exactly 0?  Proved with SymPy: the seeds'
    closed forms (the whole cone, within MAX_PROOF_POSITIONS, from the registry's forms) with
    the leaf as a symbol, differentiated, at the leaf's value.  A gradient that cancels to a
    ball around 0 at every precision (d/dv of a softmax entry minus its own quotient) is then
    an exact 0, not a note."""
    if slot in ladder.program_of or not num.is_exact(values[slot]):
        return False
    programs = {}
    for seed in seeds:
        program = ladder.program_of.get(seed)
        if program is None:
            return False
        programs[seed] = program
        programs.update((p.slot, p) for p in ladder.cone(program))
    if sum(len(p.tape) for p in programs.values()) > MAX_PROOF_POSITIONS:
        return False
    import sympy as sp
    import hwsolve.work.symbolic  # noqa: F401  (imported before the clock starts)
    if ladder.gradient_deadline is None:
        ladder.gradient_deadline = time.monotonic() + GRADIENT_PROOF_SECONDS
    seconds = ladder.gradient_deadline - time.monotonic()
    if seconds <= 0:
        return False
    prover = _Prover(ladder, graph, values, next(iter(programs.values())), 0)
    prover.expanded = set(programs)
    symbol = sp.Dummy("x", real=True)
    prover.slot_forms[slot] = symbol
    try:
        with _time_limit(seconds):
            total = sp.Add(*(_rational(sp, weight) * prover._slot(seed)
                             for seed, weight in seeds.items()))
            expression = _elementary(sp, sp.diff(_elementary(sp, total), symbol))
            expression = expression.subs(symbol, _rational(sp, values[slot]))
            if expression == 0:
                return True
            exponentials = expression.rewrite(sp.exp)
            return bool(sp.cancel(sp.together(exponentials)) == 0 or
                        sp.simplify(exponentials) == 0)
    except (_Timeout, RecursionError, ValueError, TypeError, ZeroDivisionError,
            AttributeError):
        return False


def sympy_form(registry: dict, helpers, sp, op: str, args: list, payload):
    """The registry's SymPy form of ``op``; an op without one is an error in the registry."""
    facts = registry.get(op)
    if facts is None or facts.sympy is None:
        raise HwsolveError(f"internal: the registry has no SymPy form for the op {op!r}; every "
                           "op needs one (hwsolve/ops/registry.py)")
    return facts.sympy(sp, helpers, args, payload, True)


def _rational(sp, value):
    if not num.is_exact(value):
        raise ValueError("a leaf that is not exact")  # a training step's ball: no proof
    value = num.exact(value)
    return sp.Rational(int(value.p), int(value.q))


def _elementary(sp, expression):
    """The registry's named functions written out in elementary functions, so that SymPy can
    simplify across them (σ(x) against 1/(1 + e^-x), a softmax entry against its quotient)."""
    from hwsolve.work import symbolic as S
    from hwsolve.work import vector_forms as V

    def softmax(i, *v):
        return sp.exp(v[int(i) - 1]) / sp.Add(*(sp.exp(t) for t in v))

    def log_softmax(i, *v):
        return v[int(i) - 1] - sp.log(sp.Add(*(sp.exp(t) for t in v)))

    rules = ((S.Sigmoid, lambda x: 1 / (1 + sp.exp(-x))),
             (V.Softplus, lambda x: sp.log(1 + sp.exp(x))),
             (V.SoftmaxEntry, softmax), (V.LogSoftmaxEntry, log_softmax),
             (S.Relu, lambda x: sp.Max(0, x)), (S.AbsValue, sp.Abs),
             (S.Maximum, sp.Max), (S.Minimum, sp.Min),
             (S.LeakyRelu, lambda x, s: sp.Piecewise((x, x > 0), (s * x, True))))
    for cls, rewrite in rules:
        expression = expression.replace(cls, rewrite)
    return expression


class _Timeout(Exception):
    pass


class _time_limit:
    """SIGALRM after ``seconds`` in the main thread (elsewhere only the size cap applies)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = (threading.current_thread() is threading.main_thread()
                       and hasattr(signal, "setitimer"))

    def __enter__(self):
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False

    @staticmethod
    def _raise(signum, frame):
        raise _Timeout()
