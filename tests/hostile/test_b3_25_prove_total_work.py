"""Batch 3, item 25: `prove` bounded each power by itself only, so a tower of allowed powers
ran for more than 300 s, exp(exp(exp(10))) 100 s before an internal error, and --timeout
stopped neither.  The size of every constant is now bounded over the whole expression
before any arithmetic, and --timeout kills the work."""

import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from hwsolve.teach import prove as proving


def hwsolve(*args):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "hwsolve", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done, time.monotonic() - started


@pytest.mark.parametrize("left", ["((((10**64)**64)**64)**64)**64", "exp(exp(exp(10)))",
                                  "cosh(exp(exp(9)))"])
def test_huge_constants_are_refused_at_once(left):
    done, seconds = hwsolve("prove", left, "1")
    assert done.returncode == 2, done.stderr
    assert "beyond 10^2,000, the largest number hwsolve prove works with" in done.stderr
    assert seconds < 20


def test_small_powers_still_work():
    done, _ = hwsolve("prove", "(2**10)**3", "2**30")
    assert done.returncode == 0 and "Proved" in done.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the hard limit needs fork")
def test_timeout_stops_work_that_never_checks_the_clock(monkeypatch):
    def stuck(proof, timeout, max_ops):
        time.sleep(60)  # like one long integer operation: SIGALRM would not stop it

    monkeypatch.setattr(proving, "_attempt", stuck)
    started = time.monotonic()
    proof = proving.prove("x", "x", timeout=0.5)
    assert time.monotonic() - started < 10
    assert proof.verdict == "undecided"
    assert "did not finish within the time cap of 0.5 s (--timeout)" in proof.reason
