"""The op registry: every op of RULES has every fact, and each hand-written local derivative
(RULES[op].backward) equals torch autograd of the op's PyTorch equivalent (float64) -- and
SymPy's derivative of the shown work's form where hwsolve/work/symbolic.py has one -- at seeded
random points and at the kinks and ties where a convention decides.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import replace
from fractions import Fraction

import mpmath
import pytest

from hwsolve import num
from hwsolve.ops.registry import FIELDS, REGISTRY, OpFacts, Template, missing_facts
from hwsolve.ops.rules import RULES



@pytest.fixture
def torch():
    """PyTorch (the verify extra), only for the autograd comparison: the registry's
    completeness and SymPy tests run without it (issue 21: no module-level skip)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
        return pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is needed")

REL, ABS = 1e-9, 1e-12


def assert_complete(registry: dict, rules: dict) -> None:
    problems = missing_facts(registry, rules)
    assert not problems, "ops missing registry facts: " + "; ".join(f"{op}: {what}"
                                                                    for op, what in problems)


def test_every_op_of_rules_has_every_fact():
    assert_complete(REGISTRY, RULES)
    assert set(REGISTRY) == set(RULES), set(REGISTRY) ^ set(RULES)
    assert FIELDS == ("rule", "torch", "flat", "shape", "kinks", "template", "sympy")


class Cube:
    """A half-added op: its value and derivative exist, its registry entry does not (yet)."""

    @staticmethod
    def forward(a):
        return num.mul(a[0], num.mul(a[0], a[0]))

    @staticmethod
    def backward(a, out, needs):
        return [num.mul(Fraction(3), num.mul(a[0], a[0]))], None


def test_a_half_added_op_fails_the_registry_test():
    rules = dict(RULES, cube=Cube)
    with pytest.raises(AssertionError, match="cube: no registry entry"):
        assert_complete(REGISTRY, rules)
    half = OpFacts(Cube, lambda x: x ** 3, "scalars", "", "", Template("cube({0})", ""))
    with pytest.raises(AssertionError, match="cube: no shape.*cube: no kinks.*cube: no template"):
        assert_complete(dict(REGISTRY, cube=half), rules)
    with pytest.raises(AssertionError, match="cube: no torch"):
        assert_complete(dict(REGISTRY, cube=replace(half, torch=None, shape="element-wise",
                                                    kinks="smooth",
                                                    template=Template("cube({0})", "any"))),
                        rules)
    with pytest.raises(AssertionError, match="cube: no sympy"):
        assert_complete(dict(REGISTRY, cube=OpFacts(Cube, lambda x: x ** 3, "scalars",
                                                     "element-wise", "smooth",
                                                     Template("cube({0})", "any real"))), rules)
    whole = OpFacts(Cube, lambda x: x ** 3, "scalars", "element-wise", "smooth",
                    Template("cube({0})", "any real"), lambda sp, f, a, p, ev: a[0] ** 3)
    assert_complete(dict(REGISTRY, cube=whole), rules)  # complete: passes


# --------------------------------------------------------------------------- derivatives
def _dec(r: random.Random, lo=-2.0, hi=2.0) -> Fraction:
    return Fraction(round(r.uniform(lo, hi), 3)).limit_denominator(1000)


def _scalar_points(op: str, r: random.Random) -> list:
    """(arguments, payload) for an op; the fixed kink/tie points come first."""
    kinks = {
        "relu": [[Fraction(0)]], "abs": [[Fraction(0)]],
        "leaky_relu": [[Fraction(0), Fraction(1, 5)]],
        "max": [[Fraction(1, 2), Fraction(1, 2), Fraction(-1)],
                [Fraction(1), Fraction(1), Fraction(1)]],
        "min": [[Fraction(-1, 4), Fraction(3), Fraction(-1, 4)]],
    }.get(op, [])
    arity = {"add": 3, "mul": 3, "sub": 2, "div": 2, "pow": 2, "leaky_relu": 2, "max": 3,
             "min": 3, "dropout": 3}.get(op, 1)
    points = list(kinks)
    for _ in range(6):
        a = [_dec(r) for _ in range(arity)]
        if op in ("log", "sqrt"):
            a = [abs(a[0]) + Fraction(1, 10)]
        if op == "div":
            a[1] = a[1] + (Fraction(1, 2) if a[1] >= 0 else Fraction(-1, 2))
        if op == "pow":
            a = [abs(a[0]) + Fraction(1, 4), a[1]]
        if op == "dropout":
            a = [a[0], Fraction(r.choice((0, 1))), Fraction(r.choice((0, 1, 2, 5)), 10)]
        points.append(a)
    if op in ("gelu", "gelu_tanh"):
        points.append([Fraction(0)])
    if op == "pow":
        points.append([Fraction(-3, 2), Fraction(3)])  # a negative base, a whole exponent
    return [(a, None) for a in points]


def _points(op: str, r: random.Random) -> list:
    flat = REGISTRY[op].flat
    if flat == "scalars":
        return _scalar_points(op, r)
    if flat == "two_vectors":
        return [([_dec(r) for _ in range(6)], None) for _ in range(4)]
    if flat == "vector":
        ties = [([Fraction(1), Fraction(2), Fraction(2), Fraction(0)], None)] \
            if op == "max_pool" else []
        return ties + [([_dec(r) for _ in range(n)], None) for n in (1, 4, 6)]
    if flat == "masked_entry":
        masks = ([1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1])
        return [([_dec(r, -4, 4) for _ in range(4)] + [Fraction(m) for m in mask], i)
                for mask in masks for i in (1, 2, 4)] + \
            [([Fraction(1)] * 4 + [Fraction(1), Fraction(1), Fraction(0), Fraction(1)], 2)]
    if flat == "norm_entry":  # x1..xn, γᵢ, βᵢ, eps; payload (i, ddof)
        eps = Fraction(1, 100000)
        points = [([_dec(r) for _ in range(4)] + [_dec(r), _dec(r), eps], (i, 0))
                  for i in (1, 3)]
        points.append(([Fraction(0), Fraction(0), Fraction(1), Fraction(1), Fraction(3, 2),
                        Fraction(0), Fraction(1, 10)], (2, 0)))  # zeros and ties
        points.append(([_dec(r) for _ in range(3)] + [Fraction(1), Fraction(0), Fraction(0)],
                       (1, 1)))  # eps 0, the unbiased variance
        return points
    if flat == "vector_entry":
        return [([_dec(r, -4, 4) for _ in range(4)], i) for i in (1, 2, 4)] + \
            [([Fraction(1)] * 3, 2)]
    return _loss_points(op, r)


def _act(activation: str, z: list) -> list:
    with mpmath.workdps(num.WORK_DPS):
        if activation == "sigmoid":
            return [num.sigmoid(x) for x in z]
        if activation == "tanh":
            return [num.tanh(x) for x in z]
        if activation == "softmax":
            return list(RULES["softmax"].forward(z, i) for i in range(1, len(z) + 1))
        return list(z)


def _loss_points(op: str, r: random.Random) -> list:
    cases = []  # (activation, z, y, class number)
    if op == "loss_mse":
        for act in ("identity", "sigmoid", "tanh"):
            for k in (1, 3):
                cases.append((act, [_dec(r) for _ in range(k)], [_dec(r, -1, 1)
                                                                 for _ in range(k)], None))
        cases.append(("tanh", [Fraction(1, 2)], [Fraction(-1)], None))
        cases.append(("tanh", [Fraction(-1, 3)], [Fraction(1)], None))
    if op == "loss_bce":
        for k in (1, 2, 3):
            cases.append(("sigmoid", [_dec(r) for _ in range(k)],
                          [r.choice((Fraction(0), Fraction(1), Fraction(1, 4))) for _ in
                           range(k)], None))
    if op == "loss_cross_entropy":
        cases.append(("softmax", [_dec(r) for _ in range(3)],
                      [Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)], None))
        for c in (1, 3):
            cases.append(("softmax", [_dec(r) for _ in range(3)],
                          [Fraction(int(j == c)) for j in (1, 2, 3)], c))
    if op == "loss_hinge":
        for c in (1, 2, 3):
            cases.append(("identity", [_dec(r) for _ in range(3)],
                          [Fraction(int(j == c)) for j in (1, 2, 3)], c))
        cases.append(("identity", [Fraction(1), Fraction(2), Fraction(3, 2)],  # margin 0
                      [Fraction(0), Fraction(1), Fraction(0)], 2))
        cases.append(("identity", [Fraction(1, 2)], [Fraction(-1)], None))
        cases.append(("identity", [Fraction(1)], [Fraction(1)], None))  # margin 0
    if op in ("loss_huber", "loss_smooth_l1", "loss_l1", "loss_mse_mean", "loss_sse"):
        for act in ("identity", "sigmoid", "tanh"):
            for k in (1, 3):
                cases.append((act, [_dec(r) for _ in range(k)],
                              [_dec(r, -1, 1) for _ in range(k)], Fraction(1, 2)))
        cases.append(("identity", [Fraction(3), Fraction(1, 2), Fraction(-2)],
                      [Fraction(1), Fraction(1, 2), Fraction(-1)], Fraction(1)))  # |r| = δ, 0
        cases.append(("identity", [Fraction(5), Fraction(-1, 4)],
                      [Fraction(1, 2), Fraction(1)], Fraction(2)))
    return [(_act(act, z) + z + y, (act, len(z), c)) for act, z, y, c in cases]


def _rule_partials(op: str, args: list, payload) -> list:
    rule = RULES[op]
    needs = [True] * len(args)
    if op == "pow" and args[0] < 0:
        needs[1] = False  # a constant exponent of a negative base: d/dbase only
    with mpmath.workdps(num.WORK_DPS):
        if payload is None:
            out = rule.forward(args)
            partials, _ = rule.backward(args, out, needs)
        else:
            out = rule.forward(args, payload)
            partials, _ = rule.backward(args, out, needs, payload)
    return partials


def _torch_partials(torch, op: str, args: list, payload) -> list:
    facts = REGISTRY[op]
    xs = [torch.tensor(num.to_float(a), dtype=torch.float64, requires_grad=True) for a in args]
    if facts.flat == "scalars":
        out = facts.torch(*xs)
    elif facts.flat == "two_vectors":
        n = len(xs) // 2
        out = facts.torch(torch.stack(xs[:n]), torch.stack(xs[n:]))
    elif facts.flat == "vector":
        out = facts.torch(torch.stack(xs))
    elif facts.flat == "vector_entry":
        out = facts.torch(torch.stack(xs))[payload - 1]
    elif facts.flat == "masked_entry":
        n = len(xs) // 2
        out = facts.torch(torch.stack(xs[:n]), torch.stack(xs[n:]))[payload - 1]
    elif facts.flat == "norm_entry":
        i, ddof = payload
        x, n, eps = torch.stack(xs[:-3]), len(xs) - 3, xs[-1]
        ones = torch.ones(n, dtype=torch.float64)
        gamma = torch.cat([ones[:i - 1], xs[-3][None], ones[i:]])
        beta = torch.cat([ones[:i - 1] * 0, xs[-2][None], ones[i:] * 0])
        if ddof:  # the unbiased variance: no torch functional, written out
            xhat = (x - x.mean()) / torch.sqrt(x.var(unbiased=True) + eps)
            out = gamma[i - 1] * xhat[i - 1] + beta[i - 1]
        elif op == "batch_norm":
            out = facts.torch(x[:, None], gamma[i - 1:i], beta[i - 1:i], eps)[i - 1, 0]
        else:
            out = facts.torch(x, gamma, beta, eps)[i - 1]
    else:
        k = payload[1]
        yhat, z, y = (torch.stack(xs[i * k:(i + 1) * k]) for i in range(3))
        if k == 1 and payload[0] != "softmax":
            yhat, z, y = yhat[0], z[0], y[0]
        out = facts.torch(yhat, z, y.detach(), payload)
    out.backward()
    return [x.grad.item() if x.grad is not None else 0.0 for x in xs]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * abs(a) or abs(a - b) <= ABS


@pytest.mark.parametrize("op", sorted(RULES))
def test_local_derivative_equals_torch_autograd_of_the_equivalent(op, torch):
    r = random.Random(f"registry-{op}")
    checked = 0
    for args, payload in _points(op, r):
        ours = _rule_partials(op, args, payload)
        theirs = _torch_partials(torch, op, args, payload)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if a is None:  # no gradient flows to this argument (a loss's z and y)
                continue
            assert _close(num.to_float(a), b), (op, [float(x) for x in args], payload, i,
                                                num.to_float(a), b)
            checked += 1
    assert checked >= 4, op


# SymPy: the form each registry entry gives the shown work (REGISTRY[op].sympy), written out in
# elementary functions and differentiated by sp.diff itself; the kinked ops (case rules, not
# formulas) are checked against torch above.
KINKED = ("relu", "leaky_relu", "abs", "max", "min", "loss_hinge", "max_pool")
SYMPY_OPS = sorted(set(RULES) - set(KINKED))


def _elementary(expr):
    import sympy as sp

    from hwsolve.work import symbolic, vector_forms

    def softmax(i, *v):
        return sp.exp(v[int(i) - 1]) / sp.Add(*(sp.exp(x) for x in v))

    from hwsolve.work import nn_forms
    expr = nn_forms.elementary(expr)
    return (expr.replace(symbolic.Sigmoid, lambda t: 1 / (1 + sp.exp(-t)))
            .replace(vector_forms.Softplus, lambda t: sp.log(1 + sp.exp(t)))
            .replace(vector_forms.SoftmaxEntry, softmax)
            .replace(vector_forms.LogSoftmaxEntry,
                     lambda i, *v: v[int(i) - 1] - sp.log(sp.Add(*(sp.exp(x) for x in v)))))


@pytest.mark.parametrize("op", SYMPY_OPS)
def test_local_derivative_equals_sympys_derivative_of_the_registrys_form(op):
    import sympy as sp

    from hwsolve.work import symbolic

    r = random.Random(f"sympy-{op}")
    checked = 0
    for args, payload in _points(op, r)[:4]:
        symbols = sp.symbols(f"a0:{len(args)}", real=True)
        form = _elementary(REGISTRY[op].sympy(sp, symbolic._FORMS, list(symbols), payload,
                                              True))
        at = dict(zip(symbols, (sp.Rational(a.numerator, a.denominator) if num.is_exact(a)
                                else sp.Float(num.fmt_sig(a, 40), 40) for a in args)))
        ours = _rule_partials(op, args, payload)
        if op == "masked_softmax":  # the 0/1 mask selects entries and takes no gradient
            ours = ours[:len(ours) // 2]
        for symbol, partial in zip(symbols, ours):
            if partial is None:  # a loss's z (context) and y: no gradient flows there
                continue
            expected = float(sp.diff(form, symbol).subs(at).evalf(30))
            assert _close(num.to_float(partial), expected), (op, args, symbol, partial,
                                                             expected)
            checked += 1
    assert checked >= 2, op
