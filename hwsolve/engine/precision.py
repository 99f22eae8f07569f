"""Ties and zeros of irrational values that the working precision cannot decide.

The solver runs at :data:`hwsolve.num.WORK_BITS`.  When a sum of irrational values cancels
below the rounding of its terms (``num.cancellations()`` grows), the true value may be zero
(sqrt(2)·sqrt(2) - 2) or merely tiny (exp(2) + 1e-58 - exp(2)); :mod:`hwsolve.engine.solve`
then re-runs the forward values from the exact leaves at 2×, 4× and 8× the bits.  What still
cancels at 8× is handed to :func:`settle`, which tries to prove the cancelling difference zero
with SymPy from the closed forms (at most ``MAX_PROOF_POSITIONS`` tape positions and
``PROOF_SECONDS`` of simplification in all); a difference neither decides is taken as zero, as
before, with a note naming the node.  None of this runs unless a cancellation happened.
"""

from __future__ import annotations

import signal
import threading
import time

from hwsolve import num
from hwsolve.num import ZERO

LEVELS = (1, 2, 4, 8)
TOP_BITS = num.WORK_BITS * LEVELS[-1]
MAX_PROOF_POSITIONS = 300
PROOF_SECONDS = 1.0


class _Timeout(Exception):
    pass


def next_bits(bits: int) -> int | None:
    """The next precision to try after ``bits``, or None at the top."""
    return bits * 2 if bits < TOP_BITS else None


def settle(evaluation, undecided: list, forward, local_derivatives) -> None:
    """For each node index in ``undecided`` (cancellations at TOP_BITS), prove the cancelling
    differences zero or add a note.  ``forward``/``local_derivatives`` are the solver's own
    tape functions, re-run here with a cancellation count per tape position."""
    deadline = time.monotonic() + PROOF_SECONDS  # for all the proofs of this evaluation
    for index in undecided:
        node = evaluation.graph.nodes[index]
        with num.precision(evaluation.bits):
            pending = _differences(node, evaluation.values, forward, local_derivatives)
        prover = _Prover(evaluation, index, deadline)
        if all(prover.holds(index, item) for item in pending):
            continue
        evaluation.kinks[index].append(
            f"a difference of irrational values cancels below rounding even at "
            f"{evaluation.bits} bits and could not be proved zero: it is taken as exactly 0 "
            "(a tie or zero decided without proof)")


def _differences(node, values: list, forward, local_derivatives) -> list | None:
    """What must be proved for ``node``: each difference that cancelled, as a signed sum
    ``[(sign, term), ...]`` of tape positions, and, when a sum of local derivatives cancelled,
    each local derivative as ``("local", slot, value)``."""
    computed = forward(node, values)
    found = []
    tie_checks = 0  # cancelling comparisons with the winner that the backward pass repeats
    for position, (op, args, _) in enumerate(node.tape):
        if op in ("add", "sum", "sub", "dot"):
            found += _partial_sums(op, args, computed)
        elif op in ("max", "min"):
            out = computed[position]
            winner = next(b for b in args if computed[b] is out)
            for a in args:
                mark = num.cancellations()
                num.cmp(computed[a], out)
                if num.cancellations() != mark:
                    found.append([(1, ("pos", a)), (-1, ("pos", winner))])
                    tie_checks += bool(node.needs[position])
    mark = num.cancellations()
    local, _ = local_derivatives(node, computed)
    if num.cancellations() - mark > tie_checks:  # a sum of local derivatives cancelled
        found += [("local", slot, value) for slot, value in local]
    return found


def _partial_sums(op: str, args: tuple, computed: list) -> list:
    """The partial sums of an add/sub/dot that cancelled, as signed lists of terms."""
    if op == "sub":
        terms = [(1, ("pos", args[0])), (-1, ("pos", args[1]))]
    elif op == "dot":
        half = len(args) // 2
        terms = [(1, ("prod", a, b)) for a, b in zip(args[:half], args[half:])]
    else:
        terms = [(1, ("pos", a)) for a in args]
    found = []
    total = ZERO
    for k, (s, term) in enumerate(terms):
        value = (computed[term[1]] if term[0] == "pos"
                 else num.mul(computed[term[1]], computed[term[2]]))
        mark = num.cancellations()
        total = num.add(total, value) if s > 0 else num.sub(total, value)
        if num.cancellations() != mark:
            found.append(terms[:k + 1])
    return found


class _Prover:
    """Closed forms (SymPy, exact leaves) of the nodes' tape positions, built on demand."""

    def __init__(self, evaluation, index: int, deadline: float):
        self.deadline = deadline
        self.evaluation = evaluation
        self.graph = evaluation.graph
        self.node_of_slot = {node.slot: i for i, node in enumerate(self.graph.nodes)}
        self.slot_forms: dict = {}
        self.tape_forms: dict = {}
        self.expanded = self._nearest(index)

    def _nearest(self, index: int) -> set:
        """Node ``index`` and its nearest ancestors, within MAX_PROOF_POSITIONS tape
        positions; the nodes beyond stay symbols (an identity in them proves zero too)."""
        chosen, queue, size = set(), [index], 0
        while queue:
            i = queue.pop(0)
            if i in chosen:
                continue
            size += len(self.graph.nodes[i].tape)
            if size > MAX_PROOF_POSITIONS:
                break
            chosen.add(i)
            queue += [self.node_of_slot[s] for s in self.graph.nodes[i].inputs
                      if s in self.node_of_slot]
        return chosen

    def holds(self, index: int, item) -> bool:
        """A cancelling difference is zero, or a local derivative has the value computed
        (zero: proved; otherwise: equal to 50 digits of SymPy's evaluation)."""
        seconds = self.deadline - time.monotonic()
        if index not in self.expanded or seconds <= 0:
            return False
        import sympy as sp
        try:
            with _time_limit(seconds):
                if isinstance(item, tuple):
                    _, slot, value = item
                    symbol = sp.Dummy("x", real=True)
                    form = self._tape(index, (slot, symbol))[-1]
                    expression = sp.diff(form, symbol).subs(symbol, self._slot(slot))
                    if value:
                        return _agrees(sp, expression, value)
                else:
                    forms = self._tape(index)
                    expression = sp.Add(*(
                        s * (forms[t[1]] if t[0] == "pos" else forms[t[1]] * forms[t[2]])
                        for s, t in item))
                if expression == 0:
                    return True
                exponentials = expression.rewrite(sp.exp)  # tanh as exponentials; cheap first
                return (sp.cancel(sp.together(exponentials)) == 0 or
                        sp.simplify(exponentials) == 0 or sp.simplify(expression) == 0)
        except (_Timeout, RecursionError, ValueError, TypeError, ZeroDivisionError):
            return False

    def _slot(self, slot: int):
        if slot not in self.slot_forms:
            import sympy as sp
            if self.node_of_slot.get(slot) in self.expanded:
                self.slot_forms[slot] = self._tape(self.node_of_slot[slot])[-1]
            elif slot in self.node_of_slot:
                self.slot_forms[slot] = sp.Symbol(self.graph.slots[slot].label, real=True)
            else:
                value = self.graph.leaf_values[slot]
                self.slot_forms[slot] = sp.Rational(value.numerator, value.denominator)
        return self.slot_forms[slot]

    def _tape(self, index: int, symbol: tuple | None = None) -> list:
        """Closed forms of every tape position of node ``index``; ``symbol = (slot, Symbol)``
        puts a symbol in place of that input (to differentiate)."""
        if symbol is None and index in self.tape_forms:
            return self.tape_forms[index]
        import sympy as sp
        node = self.graph.nodes[index]
        for earlier in sorted(self.expanded):  # in graph order, so nothing recurses deeply
            if earlier < index and earlier not in self.tape_forms:
                self._tape(earlier)
        from hwsolve.engine.solve import tape_values
        with num.precision(self.evaluation.bits):
            values = tape_values(node, self.evaluation.values)
        forms: list = []
        for position, (op, args, payload) in enumerate(node.tape):
            a = [forms[i] for i in args]
            if op == "load":
                forms.append(symbol[1] if symbol and payload == symbol[0]
                             else self._slot(payload))
            elif op == "const":
                forms.append(sp.Rational(payload.numerator, payload.denominator))
            else:
                forms.append(_form(sp, op, a, [values[i] for i in args], values[position]))
        if symbol is None:
            self.tape_forms[index] = forms
        return forms


def _agrees(sp, expression, value) -> bool:
    reference = sp.N(expression, 60)
    if not reference.is_Number:
        return False
    difference = abs(sp.Float(num.fmt_sig(value, 60), 60) - reference)
    return bool(difference <= abs(reference) * sp.Float("1e-50", 60))


def _form(sp, op: str, a: list, v: list, out):
    """One operation on closed forms; a kink takes the branch the solver's values chose."""
    if op in ("add", "sum"):
        return sp.Add(*a)
    if op == "sub":
        return a[0] - a[1]
    if op == "neg":
        return -a[0]
    if op == "mul":
        return sp.Mul(*a)
    if op == "div":
        return a[0] / a[1]
    if op == "pow":
        if a[1].is_Integer and a[0].is_Rational and abs(a[1]) * max(
                a[0].p.bit_length(), a[0].q.bit_length()) > num.MAX_EXACT_BITS:
            return sp.Pow(a[0], a[1], evaluate=False)
        return sp.Pow(a[0], a[1])
    if op == "dot":
        half = len(a) // 2
        return sp.Add(*(x * y for x, y in zip(a[:half], a[half:])))
    if op == "exp":
        return sp.exp(a[0])
    if op == "log":
        return sp.log(a[0])
    if op == "sqrt":
        return sp.sqrt(a[0])
    if op == "sigmoid":
        return 1 / (1 + sp.exp(-a[0]))
    if op == "tanh":
        return sp.tanh(a[0])
    if op in ("max", "min"):
        return a[next(i for i, x in enumerate(v) if x is out)]
    positive = num.sign(v[0]) > 0
    if op == "relu":
        return a[0] if positive else sp.Integer(0)
    if op == "leaky_relu":
        return a[0] if positive else a[1] * a[0]
    return a[0] if num.sign(v[0]) >= 0 else -a[0]  # abs


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
