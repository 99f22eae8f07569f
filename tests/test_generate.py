"""The random problem generator: deterministic, compact, valid YAML, every function of the
format, moderate values away from kinks (or exact kinks when asked).

Values are checked with a small float evaluator of this file's own (math module, ast walk),
independent of the generator's bookkeeping and of hwsolve's solver.
"""

from __future__ import annotations

import ast
import math
import re
import time

import pytest
import yaml

from hwsolve.tools.generate import KINK_EPS, VMAX, generate_problem
from conftest import run_cli

SEEDS = range(8)
TOP_KEYS = {"title", "description", "inputs", "params", "constants", "nodes", "output",
            "activation", "loss", "label"}


# --------------------------------------------------------------------------- a float evaluator
def _sig(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


class FloatEval:
    """Evaluates node expressions in floats and records every kink-relevant argument."""

    def __init__(self, doc):
        self.env = {}
        for section in ("inputs", "params", "constants"):
            for k, v in (doc.get(section) or {}).items():
                self.env[k] = [float(x) for x in v] if isinstance(v, list) else float(v)
        self.events = []  # (function, argument or sorted arguments, n_args form)

    def ev(self, n):
        if isinstance(n, ast.Constant):
            return float(n.value)
        if isinstance(n, ast.Name):
            return self.env[n.id]
        if isinstance(n, ast.UnaryOp):
            return -self.ev(n.operand) if isinstance(n.op, ast.USub) else self.ev(n.operand)
        if isinstance(n, ast.BinOp):
            a, b = self.ev(n.left), self.ev(n.right)
            return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                    ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}[type(n.op)]()
        if isinstance(n, ast.Subscript):
            return self.ev(n.value)[n.slice.value - 1]
        if isinstance(n, ast.List):
            return [self.ev(e) for e in n.elts]
        assert isinstance(n, ast.Call), ast.dump(n)
        fn, args = n.func.id, [self.ev(a) for a in n.args]
        if fn in ("relu", "abs") or fn == "leaky_relu":
            x = args[0]
            self.events.append((fn if fn != "leaky_relu" or len(args) == 1 else "leaky_relu_s",
                                x))
            if fn == "relu":
                return max(x, 0.0)
            if fn == "abs":
                return abs(x)
            return x if x > 0 else (args[1] if len(args) == 2 else 0.01) * x
        if fn in ("min", "max"):
            vals = args[0] if len(args) == 1 else args
            self.events.append((fn, sorted(vals, reverse=fn == "max"),
                                "vec" if len(args) == 1 else len(args)))
            return max(vals) if fn == "max" else min(vals)
        if fn == "dot":
            assert len(args[0]) == len(args[1])
            return sum(a * b for a, b in zip(*args))
        if fn == "sum":
            return sum(args[0])
        return {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh,
                "sigmoid": _sig}[fn](args[0])

    def run(self, nodes):
        for name, text in nodes.items():
            v = self.ev(ast.parse(text, mode="eval").body)
            assert isinstance(v, float) and math.isfinite(v), (name, text, v)
            self.env[name] = v
        return self.env


def load(text):
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict) and set(doc) <= TOP_KEYS, set(doc) - TOP_KEYS
    return doc


# --------------------------------------------------------------------------- tests
def test_deterministic():
    for kinks in (False, True):
        for seed in SEEDS:
            text = generate_problem(40, seed, kinks=kinks)
            assert text == generate_problem(40, seed, kinks=kinks)
    texts = {generate_problem(40, seed) for seed in SEEDS}
    assert len(texts) == len(SEEDS)
    assert generate_problem(40, 1) != generate_problem(40, 1, kinks=True)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 17, 60, 300])
@pytest.mark.parametrize("kinks", [False, True])
def test_valid_yaml_and_structure(n, kinks):
    for seed in range(5):
        doc = load(generate_problem(n, seed, kinks=kinks))
        nodes = doc["nodes"]
        assert len(nodes) == n and isinstance(doc["title"], str)
        assert all(isinstance(k, str) and re.fullmatch(r"n[0-9]+", k) for k in nodes)
        assert doc.get("output", list(nodes)[-1]) in nodes
        names = set(doc["inputs"]) | set(doc["params"]) | set(doc.get("constants") or {})
        for name, text in nodes.items():
            assert isinstance(text, str) and len(text) < 300, (name, text)
            tree = ast.parse(text, mode="eval")
            used = {x.id for x in ast.walk(tree) if isinstance(x, ast.Name)}
            calls = {x.func.id for x in ast.walk(tree) if isinstance(x, ast.Call)}
            assert used - calls <= names, (name, text, used - calls - names)
            names.add(name)
        for section in ("inputs", "params", "constants"):
            for name, v in (doc.get(section) or {}).items():
                for x in v if isinstance(v, list) else [v]:
                    assert isinstance(x, (int, float)) and not isinstance(x, bool), (name, v)
                    assert len(repr(x)) <= 8, (name, v)  # short decimals
                assert not isinstance(v, list) or 2 <= len(v) <= 8
        if doc.get("loss", "bce") == "bce":
            assert doc.get("activation", "sigmoid") == "sigmoid" and 0 <= doc["label"] <= 1


def test_large_graph_fast_and_compact():
    t = time.perf_counter()
    text = generate_problem(20000, 3)
    elapsed = time.perf_counter() - t
    assert elapsed < 6.0, f"20,000 nodes took {elapsed:.2f} s (target about 2 s)"
    assert len(text.encode()) < 2 * 1024 * 1024, len(text)
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert len(doc["nodes"]) == 20000
    assert max(len(e) for e in doc["nodes"].values()) < 300
    assert len(generate_problem(20000, 4, kinks=True).encode()) < 2 * 1024 * 1024


def _features(text):
    """Every function, operator and form a generated expression uses."""
    feats = set()
    for n in ast.walk(ast.parse(text, mode="eval")):
        if isinstance(n, ast.Call):
            fn = n.func.id
            feats.add(fn)
            if fn in ("min", "max"):
                feats.add(f"{fn}/vector" if len(n.args) == 1 else f"{fn}/{len(n.args)}")
            if fn == "leaky_relu":
                feats.add(f"leaky_relu/{len(n.args)}")
            if fn in ("dot", "min", "max", "sum") and any(isinstance(a, ast.List)
                                                           for a in n.args):
                feats.add(f"{fn}/literal")
        elif isinstance(n, ast.BinOp):
            feats.add(type(n.op).__name__)
            if isinstance(n.op, ast.Pow):
                feats.add(f"**{ast.unparse(n.right)}")
        elif isinstance(n, ast.UnaryOp):
            feats.add("neg")
        elif isinstance(n, ast.Subscript):
            feats.add("index")
    return feats


def test_every_function_and_form_appears():
    feats = set()
    for seed in range(4):
        for text in load(generate_problem(150, seed))["nodes"].values():
            feats |= _features(text)
    wanted = {"min", "max", "abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu",
              "leaky_relu", "dot", "sum", "min/2", "max/3", "min/vector", "max/vector",
              "leaky_relu/1", "leaky_relu/2", "dot/literal", "sum/literal", "Add", "Sub",
              "Mult", "Div", "Pow", "**2", "**3", "**0.5", "**-1", "neg", "index"}
    assert wanted <= feats, wanted - feats


def _graph(doc):
    nodes = doc["nodes"]
    deps = {k: set(re.findall(r"\bn[0-9]+\b", v)) for k, v in nodes.items()}
    depth, fan = {}, {}
    for k in nodes:
        depth[k] = 1 + max((depth[d] for d in deps[k]), default=0)
        for d in deps[k]:
            fan[d] = fan.get(d, 0) + 1
    out = doc.get("output", list(nodes)[-1])
    seen, stack = set(), [out]
    while stack:
        k = stack.pop()
        if k not in seen:
            seen.add(k)
            stack.extend(deps[k])
    return depth[out], max(fan.values()), seen


def test_fan_out_depth_and_connectivity():
    for seed in range(5):
        doc = load(generate_problem(200, seed))
        depth, max_fan, ancestors = _graph(doc)
        assert depth >= 50 and max_fan >= 3
        out = doc.get("output", "n200")
        before_output = list(doc["nodes"])[:list(doc["nodes"]).index(out) + 1]
        assert set(before_output) == ancestors  # every node feeds the output


@pytest.mark.parametrize("seed", range(12))
def test_values_moderate_and_away_from_kinks(seed):
    doc = load(generate_problem(5 + 7 * seed, seed))
    ev = FloatEval(doc)
    env = ev.run(doc["nodes"])
    assert all(abs(env[k]) <= VMAX for k in doc["nodes"])
    z = env[doc.get("output", list(doc["nodes"])[-1])]
    assert abs(z) <= {"sigmoid": 4, "tanh": 2.5, "identity": 5}[doc.get("activation", "sigmoid")]
    for fn, arg, *form in ev.events:
        if fn in ("min", "max"):
            assert abs(arg[0] - arg[1]) >= KINK_EPS * 0.999, (fn, arg)
        else:
            assert abs(arg) >= KINK_EPS * 0.999, (fn, arg)


def test_kinks_mode_plants_exact_kinks():
    kinds = set()
    for seed in range(10):
        doc = load(generate_problem(40, seed, kinks=True))
        ev = FloatEval(doc)
        ev.run(doc["nodes"])
        for fn, arg, *form in ev.events:
            if fn in ("min", "max"):
                ties = sum(1 for v in arg if v == arg[0])
                if ties >= 2:
                    kinds.add(f"{fn}-tie{ties}" + ("-vector" if form[0] == "vec" else ""))
            elif arg == 0.0:
                kinds.add(f"{fn}-at-0")
    assert {"relu-at-0", "leaky_relu-at-0", "leaky_relu_s-at-0", "abs-at-0"} <= kinds, kinds
    assert {k for k in kinds if "tie2" in k} and {k for k in kinds if "tie3" in k}, kinds
    assert {k for k in kinds if k.endswith("-vector")}, kinds
    assert {k for k in kinds if k.startswith("min")} and {k for k in kinds if k.startswith("max")}


def test_heads():
    for act in ("sigmoid", "tanh", "identity"):
        doc = load(generate_problem(8, 1, activation=act))
        assert doc.get("activation", "sigmoid") == act
        if act != "sigmoid":
            assert doc["loss"] == "mse"
    doc = load(generate_problem(8, 1, loss="bce"))
    assert doc.get("activation", "sigmoid") == "sigmoid"
    with pytest.raises(ValueError):
        generate_problem(8, 1, activation="tanh", loss="bce")
    with pytest.raises(ValueError):
        generate_problem(0, 1)
    combos = set()
    for seed in range(40):
        doc = load(generate_problem(5, seed))
        combos.add((doc.get("activation", "sigmoid"), doc.get("loss", "bce")))
    assert combos == {("sigmoid", "bce"), ("sigmoid", "mse"), ("tanh", "mse"),
                      ("identity", "mse")}


def test_generate_command_writes_file_or_stdout(tmp_path):
    out = tmp_path / "g.yaml"
    assert run_cli("generate", "12", "--seed", "5", "--kinks", "-o", str(out)).exit_code == 0
    assert out.read_text() == generate_problem(12, 5, kinks=True)
    result = run_cli("generate", "7", "--seed", "2", "--act", "tanh")
    assert result.exit_code == 0 and result.stdout == generate_problem(7, 2, activation="tanh")
    assert run_cli(str(out)).exit_code == 0  # the practice problem solves
    assert run_cli("generate", "0").exit_code == 2


# --------------------------------------------------------------------------- hwsolve.tools.verify
def test_verify_without_torch_says_how_to_install(monkeypatch):
    import sys

    from hwsolve.errors import HwsolveError
    from hwsolve.tools.verify import plain_spec, torch_evaluate

    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    spec = plain_spec(generate_problem(5, 1))
    with pytest.raises(HwsolveError, match=r"pip install 'hwsolve\[verify\]'"):
        torch_evaluate(spec)


# --------------------------------------------------------------------------- tensor problems
def test_tensor_problems_are_deterministic_solvable_and_sized():
    from hwsolve.api import solve_text

    seen_heads, seen_ops = set(), set()
    for seed in range(40):
        n = 1 + seed % 9
        text = generate_problem(n, seed, tensor=True)
        assert text == generate_problem(n, seed, tensor=True)
        doc = yaml.safe_load(text)
        assert len(doc["nodes"]) == n
        seen_heads.add((doc["activation"], str(doc["loss"]).split(" ")[0]))
        seen_ops.update(re.findall(r"([a-z_0-9]+)\(", " ".join(map(str, doc["nodes"].values()))))
        solution = solve_text(text)
        assert solution.values  # solves without an error
        if doc["loss"] == "none" and isinstance(solution.values["Yhat"], list):
            assert "output_grad" in doc and "L" not in solution.values
    assert {("softmax", "cross_entropy"), ("identity", "hinge"), ("identity", "none"),
            ("sigmoid", "bce"), ("tanh", "mse")} <= seen_heads, seen_heads
    assert {"conv2d", "softmax", "outer", "transpose", "relu", "max"} <= seen_ops, seen_ops


def test_tensor_kinks_are_planted_and_reported(tmp_path):
    planted = set()
    for seed in range(30):
        text = generate_problem(6, seed, tensor=True, kinks=True)
        planted.update(re.search(r"kinks ([a-z0-9_ ]+)\)", text).group(1).split())
    assert planted == {"relu", "abs", "leaky_relu", "tie2", "tie3", "hinge0", "pool_tie"}, planted
    result = run_cli("generate", "6", "--tensor", "--kinks", "--seed", "3")
    assert result.exit_code == 0 and "kinks" in result.output
    result = run_cli("generate", "6", "--tensor", "--act", "sigmoid", "--loss", "hinge")
    assert result.exit_code == 2 and "no tensor head" in result.output
