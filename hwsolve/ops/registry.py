"""Per-operation facts beside the value and derivative classes of :data:`hwsolve.ops.rules.RULES`.

One :class:`OpFacts` per op name of ``RULES`` (the loss_* of the output head included) holds:

- ``rule``: the class that computes the value and the local derivatives (referenced, not moved);
- ``torch``: the PyTorch equivalent on float64 tensors, with the arguments of the format's call
  (``dot(u, v)``, ``softmax(v)``, ``max(a, b, c)``; a loss takes ``(yhat, z, y, payload)``).
  It follows PyTorch's conventions at kinks and ties and is what ``--verify`` evaluates;
- ``flat``: how the tape hands the call's arguments to the rule, so that the two can be compared
  at a point: ``scalars`` (one scalar per argument, element-wise on tensors), ``two_vectors``
  (u1..un, v1..vn), ``vector`` (the entries of one tensor), ``vector_entry`` (the entries of one
  vector, the payload being the 1-based entry of the result) or ``loss`` (ŷ1..ŷk, z1..zk, y1..yk
  with the payload ``(activation, k, class number)``);
- ``shape``: the shape rule in words;
- ``kinks``: where the op is not differentiable and the convention taken (the prose of the rule's
  notes), or where it is smooth;
- ``template``: how the random generator writes a call (:class:`Template`);
- ``sympy``: the SymPy form the shown work writes and differentiates, a function
  ``(sp, forms, args, payload, evaluate)`` of SymPy (passed in, so that this module never
  imports it) and :mod:`hwsolve.work.symbolic`'s own functions (σ, the kinked functions, the
  softmax entries, the losses), used by ``--steps`` for every op.

``tests/test_registry.py`` walks ``RULES`` and fails on an op that lacks any of these, and checks
every op's hand-written local derivative against torch autograd of its PyTorch equivalent.
PyTorch is imported only when an equivalent is called.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import reduce

from hwsolve.ops.rules import RULES

FLATS = ("scalars", "two_vectors", "vector", "vector_entry", "loss")


@dataclass(frozen=True)
class Template:
    """How the generator writes the op: ``call`` is a format string over the argument texts
    (``relu({0})``; a loss gives its head keys), ``domain`` says which arguments it accepts and
    how the generator keeps them there, ``kink`` what it plants for ``--kinks`` ("" if smooth)."""
    call: str
    domain: str
    kink: str = ""


@dataclass(frozen=True)
class OpFacts:
    rule: type
    torch: object
    flat: str
    shape: str
    kinks: str
    template: Template
    sympy: object = None


def _kinked(op: str):
    return lambda sp, f, a, p, ev: f.KINKED[op](*a, evaluate=ev)


def _vector(op: str):
    return lambda sp, f, a, p, ev: f.vector_form(op, a, p, ev)


SYMPY = {
    "add": lambda sp, f, a, p, ev: sp.Add(*a, evaluate=ev),
    "sum": lambda sp, f, a, p, ev: sp.Add(*a, evaluate=ev),
    "sub": lambda sp, f, a, p, ev: sp.Add(a[0], sp.Mul(-1, a[1], evaluate=ev), evaluate=ev),
    "neg": lambda sp, f, a, p, ev: sp.Mul(-1, a[0], evaluate=ev),
    "mul": lambda sp, f, a, p, ev: sp.Mul(*a, evaluate=ev),
    "div": lambda sp, f, a, p, ev: sp.Mul(a[0], sp.Pow(a[1], -1, evaluate=ev), evaluate=ev),
    "pow": lambda sp, f, a, p, ev: sp.Pow(a[0], a[1], evaluate=ev),
    "dot": lambda sp, f, a, p, ev: sp.Add(*(sp.Mul(u, v, evaluate=ev) for u, v in
                                             zip(a[:len(a) // 2], a[len(a) // 2:])),
                                          evaluate=ev),
    "exp": lambda sp, f, a, p, ev: sp.exp(a[0], evaluate=ev),
    "log": lambda sp, f, a, p, ev: sp.log(a[0], evaluate=ev),
    "sqrt": lambda sp, f, a, p, ev: sp.sqrt(a[0], evaluate=ev),
    "tanh": lambda sp, f, a, p, ev: sp.tanh(a[0], evaluate=ev),
    "sigmoid": lambda sp, f, a, p, ev: f.Sigmoid(a[0], evaluate=ev),
    **{op: _kinked(op) for op in ("relu", "leaky_relu", "abs", "max", "min")},
    "step": lambda sp, f, a, p, ev: sp.Heaviside(a[0], 0, evaluate=ev),  # issue 18
    **{op: _vector(op) for op in ("mean", "softmax", "log_softmax", "softplus", "identity",
                                  "loss_mse", "loss_bce", "loss_cross_entropy", "loss_hinge")},
}


def _t():
    import torch
    return torch


def _stack_max(*xs, pick="amax"):
    torch = _t()
    tensors = torch.broadcast_tensors(*xs)
    return getattr(torch, pick)(torch.stack(tensors), dim=0)  # a k-way tie gives 1/k to each


def _leaky(x, slope):
    torch = _t()
    if not getattr(slope, "requires_grad", False):
        return torch.nn.functional.leaky_relu(x, negative_slope=float(slope))
    return torch.where(x > 0, x, slope * x)  # x = 0 takes the slope branch, as leaky_relu does


def _bce(yhat, z, y, payload):
    return _t().nn.functional.binary_cross_entropy(yhat, y, reduction="sum")


def _mse(yhat, z, y, payload):
    return 0.5 * ((yhat - y) ** 2).sum()


def _cross_entropy(yhat, z, y, payload):
    """F.cross_entropy(z, y, reduction='sum') with probability labels, written over Ŷ =
    softmax(z) so that Ŷ has its own gradient -y/Ŷ."""
    torch = _t()
    return -torch.where(y != 0, y * torch.log(yhat), torch.zeros_like(yhat)).sum()


def _hinge(yhat, z, y, payload):
    """Σ_{j≠c} relu(s_j - s_c + 1) (F.multi_margin_loss times the number of classes); one
    output with y = ±1: relu(1 - y·s).  relu'(0) = 0 gives derivative 0 at a zero margin."""
    torch = _t()
    s = yhat.reshape(-1)
    _, k, c = payload
    if k == 1:
        return torch.relu(1 - y.reshape(-1)[0] * s[0])
    others = [j for j in range(k) if j != c - 1]
    return torch.relu(s[others] - s[c - 1] + 1).sum()


_SMOOTH = "smooth wherever it is defined"
_SAME = "element-wise: same shape as its argument"
_BIN = ("element-wise between tensors of one shape, or a tensor and a scalar (only a scalar "
        "broadcasts); the result has the tensor's shape")
_ANY = "any real"

REGISTRY = {
    "add": OpFacts(RULES["add"], lambda *xs: reduce(lambda a, b: a + b, xs), "scalars", _BIN,
                   _SMOOTH, Template("{0} + {1}", _ANY)),
    "sub": OpFacts(RULES["sub"], lambda a, b: a - b, "scalars", _BIN, _SMOOTH,
                   Template("{0} - {1}", _ANY)),
    "neg": OpFacts(RULES["neg"], lambda a: -a, "scalars", _SAME, _SMOOTH,
                   Template("-{0}", _ANY)),
    "mul": OpFacts(RULES["mul"], lambda *xs: reduce(lambda a, b: a * b, xs), "scalars", _BIN,
                   _SMOOTH, Template("{0} * {1}", _ANY)),
    "div": OpFacts(RULES["div"], lambda a, b: a / b, "scalars", _BIN,
                   "smooth where the divisor is not 0; a divisor of exactly 0 is an error",
                   Template("{0} / {1}", "the divisor is kept at least 0.5 away from 0")),
    "pow": OpFacts(RULES["pow"], lambda a, b: _t().pow(a, b), "scalars", _BIN,
                   "the derivative of x ** p with p < 1 at x = 0 is infinite (an error); a "
                   "variable exponent needs a positive base",
                   Template("{0} ** {1}", "a whole exponent 2 or 3 of a moderate base, or a "
                            "positive base under a variable exponent")),
    "exp": OpFacts(RULES["exp"], lambda x: _t().exp(x), "scalars", _SAME, _SMOOTH,
                   Template("exp({0})", "an argument of at most 2 in magnitude")),
    "log": OpFacts(RULES["log"], lambda x: _t().log(x), "scalars", _SAME,
                   "defined for a positive argument only (otherwise an error)",
                   Template("log({0})", "a positive argument (the generator takes exp or "
                            "1 + x ** 2 of something)")),
    "sqrt": OpFacts(RULES["sqrt"], lambda x: _t().sqrt(x), "scalars", _SAME,
                    "the derivative at 0 is infinite (an error)",
                    Template("sqrt({0})", "a positive argument, 1 + x ** 2")),
    "sigmoid": OpFacts(RULES["sigmoid"], lambda x: _t().sigmoid(x), "scalars", _SAME, _SMOOTH,
                       Template("sigmoid({0})", "an argument of at most 3.5 in magnitude")),
    "tanh": OpFacts(RULES["tanh"], lambda x: _t().tanh(x), "scalars", _SAME, _SMOOTH,
                    Template("tanh({0})", "an argument of at most 3.5 in magnitude")),
    "relu": OpFacts(RULES["relu"], lambda x: _t().relu(x), "scalars", _SAME,
                    "relu at 0: derivative taken as 0 (PyTorch's convention)",
                    Template("relu({0})", "an argument at least 1e-3 away from 0",
                             "an argument of exactly 0")),
    "leaky_relu": OpFacts(RULES["leaky_relu"], _leaky, "scalars",
                          _SAME + " (the slope is a scalar, default 0.01)",
                          "leaky_relu at 0: derivative taken as the slope (PyTorch's "
                          "convention)",
                          Template("leaky_relu({0}, {1})", "an argument at least 1e-3 away "
                                   "from 0; a slope literal such as 0.1",
                                   "an argument of exactly 0")),
    "abs": OpFacts(RULES["abs"], lambda x: _t().abs(x), "scalars", _SAME,
                   "abs at 0: derivative taken as 0 (PyTorch's convention)",
                   Template("abs({0})", "an argument at least 1e-3 away from 0",
                            "an argument of exactly 0")),
    "max": OpFacts(RULES["max"], _stack_max, "scalars",
                   "two or more arguments of one shape (scalars broadcast): element-wise, that "
                   "shape; one tensor: its largest entry, a scalar",
                   "a k-way tie: the gradient is split equally, 1/k to each tied argument "
                   "(PyTorch's convention)",
                   Template("max({0}, {1})", "a winner at least 1e-3 above the runner-up",
                            "a 2-way or 3-way tie of exactly equal values")),
    "min": OpFacts(RULES["min"], lambda *xs: _stack_max(*xs, pick="amin"), "scalars",
                   "two or more arguments of one shape (scalars broadcast): element-wise, that "
                   "shape; one tensor: its smallest entry, a scalar",
                   "a k-way tie: the gradient is split equally, 1/k to each tied argument "
                   "(PyTorch's convention)",
                   Template("min({0}, {1})", "a winner at least 1e-3 below the runner-up",
                            "a 2-way or 3-way tie of exactly equal values")),
    "dot": OpFacts(RULES["dot"], lambda u, v: _t().dot(u, v), "two_vectors",
                   "two vectors of one length: a scalar (also vector @ vector, and each entry "
                   "of a matrix product or conv2d)", _SMOOTH,
                   Template("dot({0}, {1})", _ANY)),
    "sum": OpFacts(RULES["sum"], lambda x: x.sum(), "vector",
                   "a vector or matrix: the sum of its entries, a scalar", _SMOOTH,
                   Template("sum({0})", _ANY)),
    "mean": OpFacts(RULES["mean"], lambda x: x.mean(), "vector",
                    "a vector or matrix: the mean of its entries, a scalar", _SMOOTH,
                    Template("mean({0})", _ANY)),
    "softmax": OpFacts(RULES["softmax"], lambda v: _t().softmax(v, 0), "vector_entry",
                       "a vector of n: a vector of n (computed stably)", _SMOOTH,
                       Template("softmax({0})", "a vector with entries of at most 6 in "
                                "magnitude")),
    "log_softmax": OpFacts(RULES["log_softmax"], lambda v: _t().log_softmax(v, 0),
                           "vector_entry", "a vector of n: a vector of n (computed stably)",
                           _SMOOTH, Template("log_softmax({0})", "a vector with entries of at "
                                             "most 6 in magnitude")),
    "softplus": OpFacts(RULES["softplus"],
                        lambda x: _t().logaddexp(x, _t().zeros_like(x)),  # F.softplus without
                        "scalars", _SAME, _SMOOTH,                       # its threshold cut
                        Template("softplus({0})", "an argument of at most 6 in magnitude")),
    "identity": OpFacts(RULES["identity"], lambda x: x.clone(), "scalars",
                        "the output node's shape (activation: identity)", _SMOOTH,
                        Template("activation: identity", "raw scores or values")),
    "loss_mse": OpFacts(RULES["loss_mse"], _mse, "loss",
                        "Ŷ and Y of one shape (scalar or vector): a scalar ½ Σ (Ŷk - Yk)²",
                        _SMOOTH, Template("loss: mse", "any activation but softmax; a label of "
                                          "the output's shape")),
    "loss_bce": OpFacts(RULES["loss_bce"], _bce, "loss",
                        "Ŷ and Y of one shape: a scalar -Σ [Yk log Ŷk + (1 - Yk) log(1 - Ŷk)]",
                        _SMOOTH + " (Ŷ in (0, 1), computed from z)",
                        Template("activation: sigmoid\nloss: bce", "labels in [0, 1]")),
    "loss_cross_entropy": OpFacts(RULES["loss_cross_entropy"], _cross_entropy, "loss",
                                  "a vector Ŷ = softmax(z) and a class number or probability "
                                  "vector: a scalar -Σ Yk log Ŷk", _SMOOTH,
                                  Template("activation: softmax\nloss: cross_entropy",
                                           "a class number from 1 to k, or a probability "
                                           "vector of k entries summing to 1")),
    "loss_hinge": OpFacts(RULES["loss_hinge"], _hinge, "loss",
                          "raw scores s (a vector) and a class number c: a scalar "
                          "Σ_{j≠c} max(0, s_j - s_c + 1); one score and y = ±1: max(0, 1 - y·s)",
                          "hinge margin exactly 0: derivative taken as 0 (PyTorch's convention)",
                          Template("activation: identity\nloss: hinge",
                                   "every margin at least 1e-3 away from 0",
                                   "a margin of exactly 0")),
    # --- issue 18 (closed-form gradients): the indicator 1[x > 0] of relu', abs', max'
    "step": OpFacts(RULES["step"], lambda x: (x > 0).to(x.dtype) + 0 * x, "scalars", _SAME,
                    "step jumps at 0: its value there is 0 (relu's convention, relu'(0) = "
                    "step(0)) and its derivative is taken as 0 there, as everywhere else",
                    Template("step({0})", "an argument at least 1e-3 away from 0",
                             "an argument of exactly 0")),
    # --- end issue 18
}

# ----- issue 19: the layers of current courses and the mean-reduced losses (ops/nn.py,
# ops/losses.py); their facts live in ops/registry_nn.py
from hwsolve.ops import registry_nn  # noqa: E402

REGISTRY.update(registry_nn.entries(OpFacts, Template, RULES))
SYMPY.update(registry_nn.SYMPY)
FLATS = FLATS + registry_nn.FLATS
# ----- end of issue 19's block

REGISTRY = {op: replace(facts, sympy=SYMPY.get(op)) for op, facts in REGISTRY.items()}
FIELDS = tuple(f.name for f in fields(OpFacts))


def missing_facts(registry: dict | None = None, rules: dict | None = None) -> list:
    """``(op, what)`` for every op of ``rules`` without an entry or with an empty field."""
    registry = REGISTRY if registry is None else registry
    rules = RULES if rules is None else rules
    problems = []
    for op, rule in rules.items():
        facts = registry.get(op)
        if facts is None:
            problems.append((op, "no registry entry"))
            continue
        for name in FIELDS:
            value = getattr(facts, name, None)
            if value is None or value == "" or (name == "template" and not (
                    isinstance(value, Template) and value.call and value.domain)):
                problems.append((op, f"no {name}"))
        if facts.rule is not rule:
            problems.append((op, "rule is not RULES[op]"))
        if facts.flat not in FLATS:
            problems.append((op, f"flat {facts.flat!r} is not one of {FLATS}"))
        for name in ("torch", "sympy"):
            if getattr(facts, name) is not None and not callable(getattr(facts, name)):
                problems.append((op, f"{name} is not callable"))
    return problems


def torch_equivalent(op: str):
    """The PyTorch equivalent of ``op`` (KeyError names an op without an entry)."""
    return REGISTRY[op].torch
