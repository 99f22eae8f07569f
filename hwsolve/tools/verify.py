"""An evaluator independent of hwsolve's solver: float64 PyTorch autograd.

Nothing here uses hwsolve's spec reader, expression parser or solver.  A problem is a plain
dict (see :func:`torch_evaluate`); :func:`plain_spec` builds one from YAML text with
``yaml.safe_load`` and the format's defaults.  Expressions are parsed with Python's ``ast``
module and walked with a whitelist (nothing is ever ``eval``-ed).  Non-differentiable points
take PyTorch's own conventions: relu'(0) = 0, leaky_relu'(0) = slope, abs'(0) = 0, and a tie
in min/max splits the gradient equally among the tied arguments (``torch.amax`` / ``amin``
over the stacked arguments).

PyTorch is imported only inside the functions that need it.
"""

from __future__ import annotations

import ast
import math

VERIFY_HINT = "PyTorch is not installed; install the verify extra: pip install 'hwsolve[verify]'"

ACTIVATIONS = ("sigmoid", "tanh", "identity")
LOSSES = ("bce", "mse")


def _error(message: str) -> Exception:
    try:
        from hwsolve.errors import HwsolveError
    except ImportError:  # pragma: no cover - only while the package is being assembled
        return ValueError(message)
    return HwsolveError(message)


def _torch():
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
            import torch
    except ImportError:
        raise _error(VERIFY_HINT) from None
    return torch


# --------------------------------------------------------------------------- plain spec
def _num(v, where):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise _error(f"{where}: not a number: {v!r}")
    try:
        return float(v)  # "1e-3" is a string to YAML 1.1
    except ValueError:
        raise _error(f"{where}: not a number: {v!r}") from None


def _leafs(section, where):
    out = {}
    for name, v in (section or {}).items():
        if isinstance(v, list):
            out[str(name)] = [_num(x, f"{where}.{name}") for x in v]
        else:
            out[str(name)] = _num(v, f"{where}.{name}")
    return out


def plain_spec(text: str, *, activation=None, loss=None, label=None, variant=None) -> dict:
    """The plain dict of :func:`torch_evaluate` from a problem's YAML text.

    Applies the defaults (output = last node, activation sigmoid, loss bce) and the rule that
    under ``activation: tanh`` a label of 0 is replaced by -1.  A ``variant`` overrides
    activation / loss / label / output and merges its inputs / params / constants.
    """
    import yaml

    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise _error("the problem is not a YAML mapping")
    over = {}
    if variant is not None:
        over = (doc.get("variants") or {}).get(variant)
        if not isinstance(over, dict):
            raise _error(f"no variant {variant!r}")
    spec = {}
    for section in ("inputs", "params", "constants"):
        spec[section] = _leafs(doc.get(section), section)
        spec[section].update(_leafs(over.get(section), f"variants.{variant}.{section}"))
    nodes = doc.get("nodes") or {}
    spec["nodes"] = {str(k): str(v) for k, v in nodes.items()}
    if not spec["nodes"]:
        raise _error("no nodes")
    spec["output"] = str(over.get("output", doc.get("output", list(spec["nodes"])[-1])))
    act = activation or over.get("activation") or doc.get("activation") or "sigmoid"
    los = loss or over.get("loss") or doc.get("loss") or "bce"
    y = label if label is not None else over.get("label", doc.get("label"))
    if y is None:
        raise _error("no label")
    y = _num(y, "label")
    if act == "tanh" and y == 0:
        y = -1.0
    spec["activation"], spec["loss"], spec["label"] = act, los, y
    return spec


# --------------------------------------------------------------------------- evaluator
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


class _Evaluator:
    def __init__(self, torch, env):
        self.torch = torch
        self.F = torch.nn.functional
        self.env = env
        t = torch
        self.unary = {
            "abs": t.abs, "exp": t.exp, "log": t.log, "sqrt": t.sqrt,
            "sigmoid": t.sigmoid, "tanh": t.tanh, "relu": t.relu,
        }

    def const(self, x):
        return self.torch.tensor(float(x), dtype=self.torch.float64)

    def scalar(self, node):
        v = self.ev(node)
        if v.dim() != 0:
            raise _error(f"a vector where a scalar is needed: {ast.unparse(node)}")
        return v

    def vector(self, node):
        v = self.ev(node)
        if v.dim() != 1:
            raise _error(f"a scalar where a vector is needed: {ast.unparse(node)}")
        return v

    def ev(self, node):
        torch = self.torch
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise _error(f"not a number: {node.value!r}")
            return self.const(node.value)
        if isinstance(node, ast.Name):
            try:
                return self.env[node.id]
            except KeyError:
                raise _error(f"unknown name {node.id!r}") from None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.scalar(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
            a = self.scalar(node.left)
            b = self.scalar(node.right)
            op = node.op
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            if isinstance(op, ast.Div):
                return a / b
            if not b.requires_grad:  # a fixed exponent: d/da only, as for x**2 by hand
                return torch.pow(a, b.item())
            return torch.pow(a, b)
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name):
                raise _error(f"only a named vector can be indexed: {ast.unparse(node)}")
            vec = self.vector(node.value)
            idx = node.slice
            if not (isinstance(idx, ast.Constant) and type(idx.value) is int):
                raise _error(f"an index must be a whole number: {ast.unparse(node)}")
            i = idx.value
            if not 1 <= i <= vec.shape[0]:
                raise _error(f"index {i} out of range 1..{vec.shape[0]}: {ast.unparse(node)}")
            return vec[i - 1]
        if isinstance(node, ast.List):
            if not node.elts:
                raise _error("an empty vector literal")
            return torch.stack([self.scalar(e) for e in node.elts])
        if isinstance(node, ast.Call):
            return self.call(node)
        raise _error(f"unsupported syntax: {ast.unparse(node)}")

    def call(self, node):
        torch = self.torch
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise _error(f"unsupported call: {ast.unparse(node)}")
        fn, args = node.func.id, node.args
        if fn in self.unary:
            if len(args) != 1:
                raise _error(f"{fn} takes one argument")
            return self.unary[fn](self.scalar(args[0]))
        if fn == "leaky_relu":
            if len(args) not in (1, 2):
                raise _error("leaky_relu takes one or two arguments")
            x = self.scalar(args[0])
            slope = self.scalar(args[1]) if len(args) == 2 else self.const(0.01)
            if not slope.requires_grad:
                return self.F.leaky_relu(x, negative_slope=slope.item())
            return torch.where(x > 0, x, slope * x)
        if fn in ("min", "max"):
            red = torch.amax if fn == "max" else torch.amin
            if len(args) == 1:
                return red(self.vector(args[0]))
            if len(args) < 2:
                raise _error(f"{fn} needs arguments")
            return red(torch.stack([self.scalar(a) for a in args]))
        if fn == "dot":
            if len(args) != 2:
                raise _error("dot takes two vectors")
            u, v = self.vector(args[0]), self.vector(args[1])
            if u.shape != v.shape:
                raise _error(f"dot of vectors of lengths {u.shape[0]} and {v.shape[0]}")
            return torch.dot(u, v)
        if fn == "sum":
            if len(args) != 1:
                raise _error("sum takes one vector")
            return torch.sum(self.vector(args[0]))
        raise _error(f"unknown function {fn!r}")


def _parse(text: str, where: str):
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        raise _error(f"{where}: cannot parse {text!r}: {e.msg}") from None


def _out(t):
    return t.detach().tolist() if t.dim() else t.item()


def torch_evaluate(spec: dict) -> dict:
    """Values and gradients of a problem, computed with float64 PyTorch autograd.

    ``spec``: {"inputs": {name: float | [floats]}, "params": {...}, "constants": {...},
    "nodes": {name: expression} (in order), "output": node name, "activation": sigmoid | tanh
    | identity, "loss": bce | mse, "label": the label actually used}.

    Returns {"values": {...}, "grad": {...}}: values of every input, param, constant, node,
    ``Yhat`` and ``L``; dL/d(name) for every input, param, node and ``Yhat`` (0 where there
    is no path to L).  A number is a float, a vector a list of floats.
    """
    torch = _torch()
    dt = torch.float64
    env, seen = {}, set()
    leaves = {}
    for section, grad in (("inputs", True), ("params", True), ("constants", False)):
        for name, v in (spec.get(section) or {}).items():
            if name in env:
                raise _error(f"name {name!r} defined twice")
            t = torch.tensor(v, dtype=dt)
            if grad:
                t.requires_grad_(True)
                leaves[name] = t
            env[name] = t
            seen.add(id(t))
    nodes = {}
    with torch.enable_grad():
        ev = _Evaluator(torch, env)
        for name, text in spec["nodes"].items():
            if name in env:
                raise _error(f"name {name!r} defined twice")
            v = ev.scalar(_parse(str(text), f"nodes.{name}"))
            if not v.requires_grad:  # depends on constants only: still has a gradient
                v = v.detach().clone().requires_grad_(True)
            elif v.grad_fn is None or id(v) in seen:  # a bare name: own tensor
                v = v.clone()
            if v.grad_fn is not None:
                v.retain_grad()
            env[name] = nodes[name] = v
            seen.add(id(v))
        out = spec.get("output") or list(nodes)[-1]
        if out not in nodes:
            raise _error(f"output {out!r} is not a node")
        z = nodes[out]
        act = spec.get("activation", "sigmoid")
        if act == "sigmoid":
            yhat = torch.sigmoid(z)
        elif act == "tanh":
            yhat = torch.tanh(z)
        elif act == "identity":
            yhat = z.clone()
        else:
            raise _error(f"unknown activation {act!r}")
        yhat.retain_grad()
        y = float(spec["label"])
        loss = spec.get("loss", "bce")
        if loss == "bce":
            if act != "sigmoid":
                raise _error("loss bce requires activation sigmoid")
            terms = []
            if y != 0:
                terms.append(y * torch.log(yhat))
            if y != 1:
                terms.append((1 - y) * torch.log(1 - yhat))
            L = -sum(terms[1:], terms[0])
        elif loss == "mse":
            L = 0.5 * (yhat - y) ** 2
        else:
            raise _error(f"unknown loss {loss!r}")
        L.backward()

    values = {name: _out(t) for name, t in env.items()}
    values["Yhat"] = yhat.item()
    values["L"] = L.item()
    grad = {}
    for name, t in list(leaves.items()) + list(nodes.items()) + [("Yhat", yhat)]:
        g = t.grad
        grad[name] = _out(g) if g is not None else _out(torch.zeros_like(t))
    return {"values": values, "grad": grad}


# --------------------------------------------------------------------------- comparing
def _flat(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def compare(solution_values: dict, reference: dict, *, rel: float = 1e-9,
            abs_tol: float = 1e-12) -> dict:
    """Compare exact numbers (Fraction / mpf / float, or lists of them) with float references.

    An entry agrees when |a - b| <= rel * |a| or |a - b| <= abs_tol.  Returns
    {"count", "mismatches": [(name, index, a, b)], "worst_rel" (over entries with
    |a| >= 1e-3), "worst_rel_at", "worst_abs_small" (over entries with |a| < 1e-3)}.
    """
    count, bad = 0, []
    worst_rel, worst_at, worst_abs = 0.0, None, 0.0
    for name, ref in reference.items():
        if name not in solution_values:
            bad.append((name, None, None, ref))
            continue
        a_list, b_list = _flat(solution_values[name]), _flat(ref)
        if len(a_list) != len(b_list):
            bad.append((name, None, solution_values[name], ref))
            continue
        for i, (a, b) in enumerate(zip(a_list, b_list)):
            count += 1
            a = float(a)
            d = abs(a - b)
            if not (d <= rel * abs(a) or d <= abs_tol):  # also catches nan
                bad.append((name, i if isinstance(ref, list) else None, a, b))
            if abs(a) >= 1e-3:
                if d / abs(a) > worst_rel or math.isnan(d):
                    worst_rel, worst_at = d / abs(a), name
            elif d > worst_abs or math.isnan(d):
                worst_abs = d
    return {"count": count, "mismatches": bad, "worst_rel": worst_rel,
            "worst_rel_at": worst_at, "worst_abs_small": worst_abs}


def verify_entries(solution, *, rel: float = 1e-9, abs_tol: float = 1e-12) -> list:
    """``hwsolve NAME --verify``: every value and gradient of ``solution`` beside PyTorch's.

    PyTorch reads the problem's YAML text on its own (``plain_spec``) with the head the
    solution actually used, so the two computations share nothing but that text: the text the
    problem was loaded from, never the file of that name read again (it may have changed, or
    the problem came from text).  Returns rows
    ``(quantity, exact value, torch value, relative difference, agrees)``.
    """
    setup = solution.setup
    text = solution.problem.source
    if not text:
        raise _error("--verify needs the problem's YAML text; load it with hwsolve.api "
                     "(load, solve_file or solve_text)")
    spec = plain_spec(text, activation=setup.activation, loss=setup.loss,
                      label=float(setup.label), variant=setup.variant)
    reference = torch_evaluate(spec)
    rows = []
    for table, prefix in ((solution.values, ""), (solution.grad, "∇")):
        theirs = reference["values" if prefix == "" else "grad"]
        for name, ours in table.items():
            for index, (a, b) in enumerate(zip(_flat(ours), _flat(theirs[name])), start=1):
                label = f"{prefix}{name}" + (f"[{index}]" if isinstance(ours, list) else "")
                difference = abs(float(a) - b)
                relative = difference / abs(float(a)) if float(a) else difference
                rows.append((label, a, b, relative,
                             difference <= rel * abs(float(a)) or difference <= abs_tol))
    return rows
