#!/usr/bin/env python3
"""Independent answer-key generator for hwsolve problem files (spec v1).

This script shares NO code with hwsolve.  It reads a problem YAML with
``yaml.safe_load``, parses every node expression with Python's ``ast`` module
(a tiny whitelisting evaluator of its own -- nothing is ever ``eval``-ed) and
computes every quantity with PyTorch float64 autograd: node values, Yhat, L,
and dL/d(name) for every input, param and node (``retain_grad`` on nodes).

Semantics implemented here (from the spec, independently of hwsolve):
  activation: sigmoid (default) | tanh | identity      Yhat = act(output)
  loss:       bce (default) = -Y log Yhat - (1-Y) log(1-Yhat)   (sigmoid only)
              mse = 1/2 (Yhat - Y)^2
  under activation tanh a label of 0 is replaced by -1
  leaky_relu(x, s) = x if x > 0 else s*x  (s defaults to 0.01); relu; abs;
  exp; log (natural); sqrt; sigmoid; tanh; dot(u, v); sum(v);
  min/max of two or more scalars or of one vector; V[i] is 1-based.

Usage (run with /tmp/hwvenv/bin/python):
  torch_keys.py FILE [VARIANT]                  all quantities, 6 significant digits
  torch_keys.py FILE [VARIANT] --yaml-answers   an ``answers:`` block (3 s.f.)
        [--values n1,n2]  nodes for the ``values:`` block (default: the names
                          already under answers.values / variant answers.values)
        [--indent N]      indent the block by N spaces (e.g. 4 for a variant)
  torch_keys.py FILE --check                    compare every key written in the
        file (base and all variants) with torch, using the decimal-places rule
"""
import argparse
import re
from pathlib import Path
import ast
import math
import sys
from decimal import Decimal, ROUND_HALF_EVEN

import warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
import torch  # noqa: E402
import yaml  # noqa: E402

DT = torch.float64


# --------------------------------------------------------------------------- #
# number handling
def to_float(v, what):
    if isinstance(v, bool):
        raise ValueError(f"{what}: boolean is not a number: {v!r}")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        return float(v)  # e.g. "1e-3", which YAML 1.1 leaves as a string
    raise ValueError(f"{what}: not a number: {v!r}")


def to_tensor(v, what, grad):
    if isinstance(v, list):
        if not v:
            raise ValueError(f"{what}: empty vector")
        t = torch.tensor([to_float(x, what) for x in v], dtype=DT)
    else:
        t = torch.tensor(to_float(v, what), dtype=DT)
    if grad:
        t.requires_grad_(True)
    return t


# --------------------------------------------------------------------------- #
# expression evaluator (ast whitelist -> torch ops)
def _scalar(t, what):
    if t.dim() != 0:
        raise ValueError(f"{what} needs a scalar, got a vector of length {t.shape[0]}")
    return t


def _vector(t, what):
    if t.dim() != 1:
        raise ValueError(f"{what} needs a vector, got a scalar")
    return t


def _minmax(args, fname):
    if len(args) == 1:
        v = _vector(args[0], fname + "(v)")
        return torch.min(v) if fname == "min" else torch.max(v)
    if len(args) < 2:
        raise ValueError(f"{fname}() needs two or more scalars or one vector")
    s = torch.stack([_scalar(a, fname) for a in args])
    return torch.min(s) if fname == "min" else torch.max(s)


def _leaky(args):
    if len(args) not in (1, 2):
        raise ValueError("leaky_relu(x, slope) takes 1 or 2 arguments")
    x = _scalar(args[0], "leaky_relu")
    s = _scalar(args[1], "leaky_relu slope") if len(args) == 2 else torch.tensor(0.01, dtype=DT)
    return torch.where(x > 0, x, s * x)


def _unary(f, name):
    def g(args):
        if len(args) != 1:
            raise ValueError(f"{name}() takes exactly one argument")
        return f(_scalar(args[0], name))
    return g


def _dot(args):
    if len(args) != 2:
        raise ValueError("dot(u, v) takes two vectors")
    u, v = _vector(args[0], "dot"), _vector(args[1], "dot")
    if u.shape != v.shape:
        raise ValueError(f"dot(): lengths differ ({u.shape[0]} vs {v.shape[0]})")
    return torch.dot(u, v)


def _sum(args):
    if len(args) != 1:
        raise ValueError("sum(v) takes one vector")
    return torch.sum(_vector(args[0], "sum"))


FUNCS = {
    "min": lambda a: _minmax(a, "min"),
    "max": lambda a: _minmax(a, "max"),
    "abs": _unary(torch.abs, "abs"),
    "exp": _unary(torch.exp, "exp"),
    "log": _unary(torch.log, "log"),
    "sqrt": _unary(torch.sqrt, "sqrt"),
    "sigmoid": _unary(torch.sigmoid, "sigmoid"),
    "tanh": _unary(torch.tanh, "tanh"),
    "relu": _unary(lambda x: torch.where(x > 0, x, torch.zeros_like(x)), "relu"),
    "step": _unary(lambda x: torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x)),
                   "step"),  # issue 18: 1[x > 0]
    "leaky_relu": _leaky,
    "dot": _dot,
    "sum": _sum,
}


def evaluate(expr, env):
    tree = ast.parse(str(expr).strip(), mode="eval")

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, (int, float)):
                raise ValueError(f"bad literal {n.value!r}")
            return torch.tensor(float(n.value), dtype=DT)
        if isinstance(n, ast.Name):
            if n.id not in env:
                raise ValueError(f"unknown name {n.id!r}")
            return env[n.id]
        if isinstance(n, ast.UnaryOp):
            x = ev(n.operand)
            if isinstance(n.op, ast.USub):
                return -x
            if isinstance(n.op, ast.UAdd):
                return x
            raise ValueError("unsupported unary operator")
        if isinstance(n, ast.BinOp):
            a, b = _scalar(ev(n.left), "arithmetic"), _scalar(ev(n.right), "arithmetic")
            op = type(n.op)
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            if op is ast.Div:
                return a / b
            if op is ast.Pow:
                return torch.pow(a, b)
            raise ValueError(f"unsupported operator {op.__name__}")
        if isinstance(n, ast.Subscript):
            if not isinstance(n.value, ast.Name):
                raise ValueError("only NAME[i] indexing is allowed")
            v = _vector(ev(n.value), f"{n.value.id}[i]")
            idx = n.slice
            if not (isinstance(idx, ast.Constant) and isinstance(idx.value, int)
                    and not isinstance(idx.value, bool)):
                raise ValueError("index must be an integer literal")
            i = idx.value
            if not 1 <= i <= v.shape[0]:
                raise ValueError(f"{n.value.id}[{i}] out of range 1..{v.shape[0]}")
            return v[i - 1]
        if isinstance(n, ast.List):
            if not n.elts:
                raise ValueError("empty vector literal")
            return torch.stack([_scalar(ev(e), "vector literal entry") for e in n.elts])
        if isinstance(n, ast.Call):
            if not isinstance(n.func, ast.Name) or n.func.id not in FUNCS or n.keywords:
                raise ValueError(f"unknown function in {ast.unparse(n)}")
            return FUNCS[n.func.id]([ev(a) for a in n.args])
        raise ValueError(f"unsupported syntax: {ast.unparse(n)}")

    return ev(tree)


# --------------------------------------------------------------------------- #
# solving one configuration
def solve(spec, variant=None):
    act = spec.get("activation", "sigmoid")
    loss = spec.get("loss", "bce")
    label = spec["label"]
    if variant is not None:
        vs = (spec.get("variants") or {})
        if variant not in vs:
            raise SystemExit(f"no variant {variant!r}; have {list(vs)}")
        v = vs[variant] or {}
        act = v.get("activation", act)
        loss = v.get("loss", loss)
        label = v.get("label", label)
    if act not in ("sigmoid", "tanh", "identity"):
        raise ValueError(f"bad activation {act!r}")
    if loss not in ("bce", "mse"):
        raise ValueError(f"bad loss {loss!r}")
    if loss == "bce" and act != "sigmoid":
        raise ValueError("bce is only allowed with sigmoid")

    env, leaves, order = {}, {}, []
    for sect, grad in (("inputs", True), ("params", True), ("constants", False)):
        for name, val in (spec.get(sect) or {}).items():
            if name in env:
                raise ValueError(f"duplicate name {name!r}")
            env[name] = to_tensor(val, f"{sect}.{name}", grad)
            if grad:
                leaves[name] = env[name]
            order.append(name)
    nodes = {}
    for name, expr in (spec.get("nodes") or {}).items():
        if name in env:
            raise ValueError(f"duplicate name {name!r}")
        t = _scalar(evaluate(expr, env), f"node {name}")
        if t.requires_grad:
            t.retain_grad()
        env[name] = nodes[name] = t
        order.append(name)
    if not nodes:
        raise ValueError("no nodes")
    out = spec.get("output", list(nodes)[-1])
    z = nodes[out]

    Y = to_float(label, "label")
    if act == "tanh" and Y == 0:
        Y = -1.0
    yhat = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda x: x}[act](z)
    if loss == "bce":
        L = -Y * torch.log(yhat) - (1 - Y) * torch.log(1 - yhat)
    else:
        L = 0.5 * (yhat - Y) ** 2
    if yhat.requires_grad:
        yhat.retain_grad()
        L.backward()

    def g(t):
        return torch.zeros_like(t) if t.grad is None else t.grad

    res = {
        "activation": act, "loss": loss, "Y": Y, "output": out,
        "Yhat": yhat.item(), "L": L.item(),
        "dL/dYhat": g(yhat).item() if yhat.requires_grad else 0.0,
        "values": {n: env[n].detach().tolist() for n in order},
        "grad": {},
        "order": order,
    }
    for n in order:
        t = env[n]
        if n in leaves or n in nodes:
            res["grad"][n] = g(t).tolist() if t.requires_grad else 0.0
    return res


# --------------------------------------------------------------------------- #
# formatting
def fmt6(x):
    if isinstance(x, list):
        return "[" + ", ".join(fmt6(e) for e in x) + "]"
    return f"{x:.6g}"


def key_text(x):
    """Correctly rounded key text: 3 significant figures (at least one decimal
    place; >= 100 keeps one decimal, i.e. 4+ s.f.), trailing zeros stripped."""
    d = Decimal(x)  # exact binary value
    if d == 0:
        return "0.000"
    e = math.floor(math.log10(abs(x)))
    places = max(1, 2 - e)
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if abs(q) != 0 and abs(q) >= Decimal(10) ** (e + 1):  # rounded up a decade
        places = max(1, places - 1)
        q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
    if s in ("-0.0", "-0"):
        s = s[1:]
    # warn when float64 error could flip the rounding
    half = Decimal(1).scaleb(-places) / 2
    rem = (abs(d) % (2 * half)) - half
    if abs(rem) < Decimal("1e-9") * max(Decimal(1), abs(d)):
        print(f"# WARNING: {x!r} is within 1e-9 of a rounding boundary", file=sys.stderr)
    return s


def key_of(x):
    if isinstance(x, list):
        return "[" + ", ".join(key_text(e) for e in x) + "]"
    return key_text(x)


def answers_block(spec, res, values, indent=0):
    cols = spec.get("columns") or ["Yhat", "L"] + [
        n for n in list(spec.get("inputs") or {}) + list(spec.get("params") or {})]
    p = " " * indent
    lines = [p + "answers:", f"{p}  Yhat: {key_text(res['Yhat'])}", f"{p}  L: {key_text(res['L'])}"]
    gcols = [c for c in cols if c not in ("Yhat", "L")]
    if gcols:
        lines.append(p + "  grad:")
        for c in gcols:
            if c not in res["grad"]:
                raise SystemExit(f"column {c!r} has no gradient (constant or unknown)")
            lines.append(f"{p}    {c}: {key_of(res['grad'][c])}")
    if values:
        lines.append(p + "  values:")
        for n in values:
            lines.append(f"{p}    {n}: {key_of(res['values'][n])}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- #
# --check: compare the raw key text in the file with torch
def raw_answers(path):
    """Map (variant or None) -> answers mapping of raw scalar strings (via yaml.compose)."""
    with open(path) as f:
        root = yaml.compose(f)

    def plain(n):
        if isinstance(n, yaml.ScalarNode):
            return n.value
        if isinstance(n, yaml.SequenceNode):
            return [plain(e) for e in n.value]
        return {k.value: plain(v) for k, v in n.value}

    top = plain(root)
    out = {None: top.get("answers") or {}}
    for vn, v in (top.get("variants") or {}).items():
        out[vn] = (v or {}).get("answers") or {}
    return out


def matches(text, x):
    places = len(text.split(".")[1]) if "." in text else 0
    q = Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return q == Decimal(text)


def check(path, spec):
    bad = n = 0
    for vn, ans in raw_answers(path).items():
        res = solve(spec, vn)
        tag = vn or "base"
        items = []
        for k in ("Yhat", "L"):
            if k in ans:
                items.append((k, ans[k], res[k]))
        for sect in ("grad", "values"):
            for name, txt in (ans.get(sect) or {}).items():
                items.append((f"{sect}.{name}", txt, res[sect][name]))
        for label, txt, got in items:
            pairs = list(zip(txt, got)) if isinstance(txt, list) else [(txt, got)]
            if isinstance(txt, list) and len(txt) != len(got):
                print(f"MISMATCH [{tag}] {label}: length {len(txt)} vs {len(got)}")
                bad += 1
                continue
            for t, x in pairs:
                n += 1
                if not matches(t, x):
                    bad += 1
                    print(f"MISMATCH [{tag}] {label}: key {t}  torch {x:.6g}")
    print(f"{path}: {n} keys checked, {bad} mismatches")
    return bad


# --------------------------------------------------------------------------- #
def _keyed_elsewhere(stem: str) -> str | None:
    """The key script that models this problem by hand, if not this generic v1 one: the names
    of the MODELS tables of torch_keys_v2.py, torch_keys_train.py and torch_keys_nn.py (read as text, so that
    this script imports neither)."""
    here = Path(__file__).resolve().parent
    for script in ("torch_keys_v2.py", "torch_keys_train.py", "torch_keys_nn.py"):
        text = (here / script).read_text()
        table = text[text.index("MODELS = {"):]
        table = table[:table.index("\n}\n")]
        if re.search(rf'^    "{re.escape(stem)}":', table, re.M):
            return script
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("variant", nargs="?")
    ap.add_argument("--yaml-answers", action="store_true")
    ap.add_argument("--values", default=None)
    ap.add_argument("--indent", type=int, default=0)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    with open(a.file) as f:
        spec = yaml.safe_load(f)
    kind = spec.get("kind", "network") if isinstance(spec, dict) else "network"
    if kind != "network":  # curves / identity files have no network for torch to check
        print(f"{a.file}: kind {kind}, not a network: skipped")
        return
    keyed_by = _keyed_elsewhere(Path(a.file).stem)
    if keyed_by:  # a v2 or training problem: its own hand-written torch model checks it
        print(f"{a.file}: keyed by tests/keys/{keyed_by} (its own torch model): skipped here")
        return
    for k in ("title", "inputs", "nodes", "label"):
        if k not in spec:
            raise SystemExit(f"missing required key {k!r}")
    if a.check:
        sys.exit(1 if check(a.file, spec) else 0)
    res = solve(spec, a.variant)
    if a.yaml_answers:
        if a.values is not None:
            values = [v for v in a.values.split(",") if v]
        else:
            src = spec.get("answers") or {}
            if a.variant:
                src = (spec["variants"][a.variant] or {}).get("answers") or src
            values = list((src.get("values") or {}))
        print(answers_block(spec, res, values, a.indent))
        return
    print(f"# {spec['title']}" + (f"  [variant {a.variant}]" if a.variant else ""))
    print(f"# activation={res['activation']} loss={res['loss']} Y={res['Y']:g} "
          f"output={res['output']}  (torch {torch.__version__}, float64)")
    print(f"{'name':>10} {'value':>14} {'dL/dname':>14}")
    for n in res["order"]:
        gr = res["grad"].get(n)
        print(f"{n:>10} {fmt6(res['values'][n]):>14} {'(const)' if gr is None else fmt6(gr):>14}")
    print(f"{'Yhat':>10} {fmt6(res['Yhat']):>14} {fmt6(res['dL/dYhat']):>14}")
    print(f"{'L':>10} {fmt6(res['L']):>14}")


if __name__ == "__main__":
    main()
