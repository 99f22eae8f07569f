"""The limits of ``hwsolve prove``: a bound on the size of every constant, carried through the
whole expression before any arithmetic, and a time limit that really stops SymPy.

SIGALRM only interrupts Python code between bytecodes; SymPy inside one long integer operation
(10**(64**5)) never sees it.  So the work runs in a forked process that is killed at the
limit, and the size bound refuses the towers that would need such an operation at all.
"""

from __future__ import annotations

import math
import os
import pickle
import select
import signal
import threading
import time
from contextlib import contextmanager

import sympy as sp

from hwsolve.spec.expr import ExprError

MAX_DIGITS = 2000
"""A constant part of a side may have at most this many decimal digits before the point
(|value| < 10^2000): the bound is carried through the whole expression, so that a tower of
allowed powers, ((10**64)**64)**64, or exp(exp(exp(10))) is refused before any arithmetic."""


class Timeout(Exception):
    pass


_LOG10_E = 0.4342944819032518


def magnitude(expr) -> float:
    """An upper bound of log10|value| of the constant ``expr`` over the sample points (a free
    variable counts as |x| ≤ 3): ExprError past :data:`MAX_DIGITS`.  Computed on the tree
    from the leaves up in floats of the logarithms, so no huge number is ever formed."""
    if expr.is_Symbol:
        return math.log10(3)
    if expr.is_Number:
        if expr == 0:
            return -math.inf
        if expr.is_Rational:
            return math.log10(abs(expr.p)) - math.log10(expr.q)
        return math.log10(abs(float(expr)))
    parts = [magnitude(arg) for arg in expr.args]
    if isinstance(expr, sp.Pow):
        base, exponent = parts
        e = expr.exp
        if e.is_Number:
            bound = abs(float(e)) * abs(base) if base != -math.inf else 0.0
        else:
            bound = (10 ** min(exponent, 400)) * max(abs(base), 1.0)
    elif isinstance(expr, sp.Add):
        bound = max(parts) + math.log10(len(parts))
    elif isinstance(expr, sp.Mul):
        bound = sum(max(p, 0) for p in parts)
    elif expr.func in (sp.exp, sp.sinh, sp.cosh):
        bound = _LOG10_E * 10 ** min(parts[0], 400)
    elif expr.func is sp.log:
        bound = math.log10(max(abs(parts[0]), 1) * 2.303 + 1)
    else:  # sigmoid, tanh (bounded), abs, max, sqrt, derivatives: at most their argument
        bound = max([*parts, 0.0])
    if bound > MAX_DIGITS and not expr.free_symbols:  # with a variable: the hard time limit
        raise ExprError(f"a value here is about 10^{_short(bound)}, beyond 10^{MAX_DIGITS:,}, "
                        "the largest number hwsolve prove works with")
    return bound


def _short(bound: float) -> str:
    return f"{bound:,.0f}" if bound < 1e15 else "(a number too large to write)"


def in_child(work, seconds: float):
    """``work()`` in a forked process that is killed after ``seconds``: SIGALRM cannot stop
    SymPy inside one long integer operation, a kill can.  None when it was stopped.  Without
    fork (or outside the main thread) ``work`` runs here under the SIGALRM limits only."""
    if not hasattr(os, "fork") or threading.current_thread() is not threading.main_thread():
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            os.close(read_end)
            try:
                data = pickle.dumps(("ok", work()))
            except BaseException as exc:  # noqa: BLE001  reported by the parent
                data = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
            with os.fdopen(write_end, "wb") as handle:
                handle.write(data)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            ready = select.select([read_end], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                os.kill(pid, signal.SIGKILL)
                return None
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    if not chunks:
        raise RuntimeError("the proof's worker process ended without an answer")
    status, value = pickle.loads(b"".join(chunks))
    if status != "ok":
        raise RuntimeError(f"the proof's worker process failed ({value})")
    return value


@contextmanager
def time_limit(seconds: float):
    """SIGALRM in the main thread of a POSIX process; elsewhere only the size cap applies."""
    usable = (hasattr(signal, "setitimer") and seconds > 0
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise Timeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
