"""hwsolve's gradients against central differences of hwsolve's own forward pass (no torch).

For 60 random kink-free graphs (3-20 nodes), every input and param entry is moved by
+-h = 1e-20 by rewriting its number in the YAML text exactly (a decimal string of a Fraction),
the problem is solved again and (L(x+h) - L(x-h)) / 2h is formed at 80 digits.  With
60-digit forward values the difference quotient is good to about 40 digits (truncation error
~h^2), so each gradient must agree with it to at least 25 significant digits.

``python tests/crosscheck_report.py`` reruns this check and prints the figures.
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath
import pytest
import yaml

from hwsolve.api import solve_text
from hwsolve.tools.generate import generate_problem

H = Fraction(1, 10 ** 20)
DIGITS = 25
N_GRAPHS = 60


def to_mpf(x):
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def decimal_text(x: Fraction) -> str:
    """The exact decimal text of a Fraction whose denominator is 2^a 5^b."""
    sign, x = ("-" if x < 0 else ""), abs(x)
    k = 0
    while (x * 10 ** k).denominator != 1:
        k += 1
        assert k <= 200, x
    m = str((x * 10 ** k).numerator).rjust(k + 1, "0")
    whole, frac = m[:len(m) - k], m[len(m) - k:].rstrip("0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def leaf_entries(text: str):
    """(name, index or None, exact value) of every input and param entry."""
    doc = yaml.safe_load(text)
    for section in ("inputs", "params"):
        for name, v in (doc.get(section) or {}).items():
            if isinstance(v, list):
                for i, x in enumerate(v):
                    yield name, i, Fraction(repr(x))
            else:
                yield name, None, Fraction(repr(v))


def with_entry(text: str, name: str, index, value: Fraction) -> str:
    """The text with one leaf entry replaced by the exact decimal of ``value``."""
    pattern = re.compile(rf"^(  {re.escape(name)}: )(.*)$", re.M)
    (match,) = list(pattern.finditer(text))  # exactly one definition line
    body = match.group(2)
    if index is None:
        new = decimal_text(value)
    else:
        items = body.strip("[]").split(", ")
        items[index] = decimal_text(value)
        new = "[" + ", ".join(items) + "]"
    return text[:match.start(2)] + new + text[match.end(2):]


def fd_check(text: str):
    """Check every input/param gradient; returns (entries checked, fewest agreeing digits
    among non-zero gradients) or raises AssertionError with the details."""
    sol = solve_text(text)
    worst_digits, count = float("inf"), 0
    with mpmath.workdps(80):
        scale = max(mpmath.mpf(1), abs(to_mpf(sol.values["L"])))
        for name, index, x in leaf_entries(text):
            lp = to_mpf(solve_text(with_entry(text, name, index, x + H)).values["L"])
            lm = to_mpf(solve_text(with_entry(text, name, index, x - H)).values["L"])
            fd = (lp - lm) / (2 * to_mpf(H))
            g = sol.grad[name] if index is None else sol.grad[name][index]
            g = to_mpf(g)
            err = abs(fd - g)
            at = name if index is None else f"{name}[{index + 1}]"
            assert err <= mpmath.mpf(10) ** -DIGITS * abs(g) or \
                err <= mpmath.mpf(10) ** -35 * scale, \
                f"{at}: gradient {mpmath.nstr(g, 40)} but central difference " \
                f"{mpmath.nstr(fd, 40)}\n--- spec ---\n{text}"
            count += 1
            if g != 0:
                digits = float(-mpmath.log10(err / abs(g))) if err else float("inf")
                worst_digits = min(worst_digits, digits)
    return count, worst_digits


def test_decimal_text_and_edit_are_exact():
    assert decimal_text(Fraction("0.37") + H) == "0.37000000000000000001"
    assert decimal_text(Fraction("-1.2") - H) == "-1.20000000000000000001"
    assert decimal_text(Fraction(-3, 8)) == "-0.375" and decimal_text(Fraction(2)) == "2"
    text = "params:\n  p1: 0.5\n  w1: [0.25, -1.5]\nnodes:\n  n1: p1\n"
    assert with_entry(text, "w1", 1, Fraction(-3, 2) + H) == \
        "params:\n  p1: 0.5\n  w1: [0.25, -1.49999999999999999999]\nnodes:\n  n1: p1\n"
    assert with_entry(text, "p1", None, Fraction(1, 2) - H).startswith(
        "params:\n  p1: 0.49999999999999999999\n")


STATS = {"graphs": 0, "entries": 0, "digits": float("inf")}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if STATS["graphs"]:
        print(f"\n[finite differences] {STATS['graphs']} graphs, {STATS['entries']} "
              f"input/param entries, fewest agreeing digits {STATS['digits']:.1f}")


@pytest.mark.parametrize("seed", range(N_GRAPHS))
def test_gradients_match_central_differences(seed):
    n = 3 + seed % 18  # 3..20 nodes
    text = generate_problem(n, 5000 + seed)
    count, digits = fd_check(text)
    STATS["graphs"] += 1
    STATS["entries"] += count
    STATS["digits"] = min(STATS["digits"], digits)


# --------------------------------------------------------------------------- tensor problems
def tensor_entries(text: str):
    """(name, index tuple, exact value) of every input and param entry (matrices included)."""
    doc = yaml.safe_load(text)

    def walk(v, index):  # any rank: a C×H×W image is a list of matrices
        if not isinstance(v, list):
            yield index, Fraction(repr(v))
            return
        for i, x in enumerate(v):
            yield from walk(x, index + (i,))

    for section in ("inputs", "params"):
        for name, v in (doc.get(section) or {}).items():
            for index, x in walk(v, ()):
                yield name, index, x


def _exact_text(v, index, value):
    if not isinstance(v, list):
        return decimal_text(value)
    items = [_exact_text(x, index[1:], value) if index and k == index[0] else
             (_exact_text(x, (), None) if isinstance(x, list) else decimal_text(Fraction(repr(x))))
             for k, x in enumerate(v)]
    return "[" + ", ".join(items) + "]"


def with_tensor_entry(text: str, name: str, index: tuple, value: Fraction) -> str:
    pattern = re.compile(rf"^(  {re.escape(name)}: )(.*)$", re.M)
    (match,) = list(pattern.finditer(text))
    new = _exact_text(yaml.safe_load(match.group(2)), index, value)
    return text[:match.start(2)] + new + text[match.end(2):]


def objective(solution) -> mpmath.mpf:
    """L, or with loss none the output seeded by output_grad (the number whose gradient is
    shown)."""
    if "L" in solution.values:
        return to_mpf(solution.values["L"])
    yhat, g = solution.values["Yhat"], solution.setup.output_grad
    if not isinstance(yhat, list):
        return to_mpf(yhat)
    return mpmath.fsum(to_mpf(y) * to_mpf(w) for y, w in zip(yhat, g))


def _grad_entry(grad, index):
    for i in index:
        grad = grad[i]
    return grad


def fd_tensor_check(text: str):
    """Central differences at kink-free points; with a kink on an entry's path the two one-sided
    differences part, and PyTorch's convention must lie between them."""
    sol = solve_text(text)
    count, worst, kinked = 0, float("inf"), 0
    with mpmath.workdps(80):
        f0 = objective(sol)
        scale = max(mpmath.mpf(1), abs(f0))
        for name, index, x in tensor_entries(text):
            fp = objective(solve_text(with_tensor_entry(text, name, index, x + H)))
            fm = objective(solve_text(with_tensor_entry(text, name, index, x - H)))
            g = to_mpf(_grad_entry(sol.grad[name], index))
            right, left = (fp - f0) / to_mpf(H), (f0 - fm) / to_mpf(H)
            at = f"{name}{[i + 1 for i in index]}"
            if abs(right - left) > mpmath.mpf(10) ** -15 * max(abs(right), abs(left), 1):
                kinked += 1
                low, high = min(left, right), max(left, right)
                assert low - mpmath.mpf(10) ** -15 <= g <= high + mpmath.mpf(10) ** -15, \
                    f"{at}: gradient {g} outside the one-sided differences [{low}, {high}]" \
                    f"\n--- spec ---\n{text}"
            else:
                fd = (fp - fm) / (2 * to_mpf(H))
                err = abs(fd - g)
                assert err <= mpmath.mpf(10) ** -DIGITS * abs(g) or \
                    err <= mpmath.mpf(10) ** -35 * scale, \
                    f"{at}: gradient {mpmath.nstr(g, 40)} but central difference " \
                    f"{mpmath.nstr(fd, 40)}\n--- spec ---\n{text}"
                if g != 0:
                    worst = min(worst, float(-mpmath.log10(err / abs(g))) if err else 99.0)
            count += 1
    return count, worst, kinked


N_TENSOR = 12


@pytest.mark.parametrize("kinks", [False, True], ids=["smooth", "kinks"])
def test_tensor_gradients_match_finite_differences(kinks):
    entries, kinked = 0, 0
    for seed in range(N_TENSOR):
        count, digits, k = fd_tensor_check(generate_problem(2 + seed % 5, 7000 + seed,
                                                            tensor=True, kinks=kinks))
        entries += count
        kinked += k
        STATS["digits"] = min(STATS["digits"], digits)
    STATS["graphs"] += N_TENSOR
    STATS["entries"] += entries
    assert entries > 100
    assert (kinked > 0) == kinks, kinked  # the kink problems really put entries on a kink
