"""hwsolve against an independent reference: float64 PyTorch autograd (hwsolve.tools.verify).

500 random graphs (5-60 nodes, every activation/loss combination) must agree in every value
and every gradient to a relative 1e-9 (absolute 1e-12 near zero), and so must graphs with
exact kinks (relu / leaky_relu / abs at 0, 2- and 3-way min/max ties), where hwsolve has to
follow PyTorch's conventions.  The plain dict torch evaluates is built here from
``yaml.safe_load`` of the text, not by hwsolve's spec reader.

``python tests/crosscheck_report.py`` reruns the same checks and prints the figures.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
import re
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    torch = pytest.importorskip(
        "torch", reason="PyTorch is the independent reference: pip install 'hwsolve[verify]'")

import yaml  # noqa: E402

from hwsolve.api import solve_text  # noqa: E402
from hwsolve.tools.generate import generate_problem  # noqa: E402
from hwsolve.tools.verify import compare, plain_spec, torch_evaluate  # noqa: E402
from conftest import network_problems, single_problems  # noqa: E402

REL, ABS = 1e-9, 1e-12
N_GRAPHS, CHUNK = 500, 50
COMBOS = [(None, None), ("sigmoid", "bce"), ("sigmoid", "mse"), ("tanh", "mse"),
          ("identity", "mse")]


def graph_cases(n_graphs=N_GRAPHS, *, kinks=False, base=0):
    """(seed, n_nodes, activation, loss) of the random graphs, deterministic."""
    return [(base + i, 5 + (i * 37) % 56, *COMBOS[i % len(COMBOS)]) for i in range(n_graphs)]


def plain_dict(text: str) -> dict:
    """The torch_evaluate input, from yaml.safe_load and the format's defaults."""
    doc = yaml.safe_load(text)
    nodes = {str(k): str(v) for k, v in doc["nodes"].items()}

    def leaves(section):
        return {k: ([float(x) for x in v] if isinstance(v, list) else float(v))
                for k, v in (doc.get(section) or {}).items()}

    activation = doc.get("activation", "sigmoid")
    label = float(doc["label"])
    if activation == "tanh" and label == 0:
        label = -1.0
    return {"inputs": leaves("inputs"), "params": leaves("params"),
            "constants": leaves("constants"), "nodes": nodes,
            "output": str(doc.get("output", list(nodes)[-1])), "activation": activation,
            "loss": doc.get("loss", "bce"), "label": label, "output_grad": None}


def crosscheck_text(text: str, what: str = "", variant=None) -> dict:
    """Solve with hwsolve and with torch; raise AssertionError with the details on any
    disagreement.  Returns {"count", "worst_rel", "worst_abs_small"}."""
    solution = solve_text(text, variant=variant)
    ref = torch_evaluate(plain_spec(text, variant=variant))
    stats = {"count": 0, "worst_rel": 0.0, "worst_abs_small": 0.0}
    problems = []
    for kind in ("values", "grad"):
        mine = getattr(solution, kind)
        if set(mine) != set(ref[kind]):
            problems.append(f"{kind} names differ: only hwsolve {set(mine) - set(ref[kind])}, "
                            f"only torch {set(ref[kind]) - set(mine)}")
        c = compare(mine, ref[kind], rel=REL, abs_tol=ABS)
        stats["count"] += c["count"]
        stats["worst_rel"] = max(stats["worst_rel"], c["worst_rel"])
        stats["worst_abs_small"] = max(stats["worst_abs_small"], c["worst_abs_small"])
        for at, a, b in c["mismatches"]:
            problems.append(f"{kind} {at}: hwsolve {a!r} torch {b!r}")
    if problems:
        raise AssertionError(f"hwsolve disagrees with torch {what}:\n" + "\n".join(problems[:20])
                             + "\n--- spec ---\n" + text)
    return stats


STATS = {"graphs": 0, "numbers": 0, "worst_rel": 0.0, "worst_abs_small": 0.0}


def _record(stats):
    STATS["graphs"] += 1
    STATS["numbers"] += stats["count"]
    STATS["worst_rel"] = max(STATS["worst_rel"], stats["worst_rel"])
    STATS["worst_abs_small"] = max(STATS["worst_abs_small"], stats["worst_abs_small"])


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if STATS["graphs"]:
        print(f"\n[crosscheck torch] {STATS['graphs']} graphs, {STATS['numbers']} numbers, "
              f"worst relative error {STATS['worst_rel']:.2e} (|x| >= 1e-3), worst absolute "
              f"error {STATS['worst_abs_small']:.2e} (|x| < 1e-3)")


@pytest.mark.parametrize("chunk", range(N_GRAPHS // CHUNK))
def test_random_graphs_agree_with_torch(chunk):
    for seed, n, act, loss in graph_cases()[chunk * CHUNK:(chunk + 1) * CHUNK]:
        text = generate_problem(n, seed, activation=act, loss=loss)
        _record(crosscheck_text(text, f"(seed {seed}, {n} nodes)"))


@pytest.mark.parametrize("chunk", range(2))
def test_random_kink_graphs_agree_with_torch(chunk):
    for seed, n, act, loss in graph_cases(100, base=10_000)[chunk * 50:(chunk + 1) * 50]:
        text = generate_problem(n, seed, kinks=True, activation=act, loss=loss)
        _record(crosscheck_text(text, f"(kinks, seed {seed}, {n} nodes)"))


def test_a_deep_graph_agrees_with_torch():
    text = generate_problem(600, 77)
    _record(crosscheck_text(text, "(seed 77, 600 nodes)"))


def test_plain_spec_matches_the_tests_own_reading():
    for seed in range(20):
        text = generate_problem(5 + seed, seed, kinks=seed % 2 == 1)
        assert plain_spec(text) == plain_dict(text)


PROBLEMS = Path(__file__).resolve().parent.parent / "problems"


def _shipped():
    for path in single_problems(network_problems()):
        variants = yaml.safe_load(path.read_text()).get("variants") or {}
        for variant in [None, *variants]:
            yield pytest.param(path, variant, id=f"{path.stem}-{variant or 'base'}")


@pytest.mark.parametrize("path,variant", list(_shipped()))
def test_shipped_problems_agree_with_torch(path, variant):
    _record(crosscheck_text(path.read_text(), f"({path.name}, variant {variant})", variant))


# --------------------------------------------------------------------------- kinks by hand
KINK_TEMPLATE = """\
title: kink {name}
inputs: {{x: 0.75, u: [0.5, 0.5, -1]}}
params: {{a: 0.75, b: 0.75, c: 0.375, d: 2, q: 0.3, w: [0.25, 0.25, 0.25, 1]}}
nodes:
  h: 2*a - b
  k: {expr}
  out: 2*k + q*h
activation: identity
loss: mse
label: 0
"""

# (name, expression, {leaf entry: d k / d leaf entry}) -- PyTorch's conventions:
# relu'(0) = 0, leaky_relu'(0) = slope, abs'(0) = 0, a tie shares the gradient equally.
KINK_CASES = [
    ("relu0", "relu(a - b)", {"a": 0, "b": 0}),
    ("relu0-input", "relu(x - a)", {"x": 0, "a": 0}),
    ("relu0-node", "relu(h - a)", {"a": 0, "b": 0}),
    ("leaky0", "leaky_relu(a - b)", {"a": Fraction(1, 100), "b": Fraction(-1, 100)}),
    ("leaky0-slope", "leaky_relu(a - x, 0.2)", {"a": Fraction(1, 5), "x": Fraction(-1, 5)}),
    ("leaky0-slope0", "leaky_relu(a - b, 0)", {"a": 0, "b": 0}),
    ("abs0", "abs(a - b)", {"a": 0, "b": 0}),
    ("abs0-half", "abs(0.5*a - c)", {"a": 0, "c": 0}),
    ("max-tie2", "max(a, b)", {"a": Fraction(1, 2), "b": Fraction(1, 2)}),
    ("min-tie2", "min(x, a, d)", {"x": Fraction(1, 2), "a": Fraction(1, 2), "d": 0}),
    ("max-tie3", "max(a, b, 2*c)", {"a": Fraction(1, 3), "b": Fraction(1, 3),
                                    "c": Fraction(2, 3)}),
    ("min-tie3", "min(a, b, x, d)", {"a": Fraction(1, 3), "b": Fraction(1, 3),
                                     "x": Fraction(1, 3), "d": 0}),
    ("max-same-arg", "max(a, a)", {"a": 1}),
    ("max-vector-tie2", "max(u)", {"u[1]": Fraction(1, 2), "u[2]": Fraction(1, 2)}),
    ("min-vector-tie3", "min(w)", {"w[1]": Fraction(1, 3), "w[2]": Fraction(1, 3),
                                   "w[3]": Fraction(1, 3), "w[4]": 0}),
    ("max-literal-tie2", "max([a, b, c])", {"a": Fraction(1, 2), "b": Fraction(1, 2), "c": 0}),
    ("relu0-of-tie", "relu(max(a, b) - b)", {"a": 0, "b": 0}),
]


def _entry(grad, key):
    if "[" in key:
        name, i = key[:-1].split("[")
        return grad[name][int(i) - 1]
    return grad[key]


@pytest.mark.parametrize("name,expr,partials", KINK_CASES, ids=[c[0] for c in KINK_CASES])
def test_kink_conventions_match_pytorch(name, expr, partials):
    text = KINK_TEMPLATE.format(name=name, expr=expr)
    _record(crosscheck_text(text, f"(kink case {name})"))
    # and exactly (everything here is rational): d L / d leaf = partial * dL/dk + dh/dleaf * dL/dh
    g = solve_text(text).grad
    dh = {"a": 2, "b": -1}
    for key, partial in partials.items():
        got = _entry(g, key)
        assert isinstance(got, Fraction), (name, key, got)
        assert got == partial * g["k"] + dh.get(key, 0) * g["h"], (name, key, got)


# --------------------------------------------------------------------------- tensor problems
N_TENSOR = 100


def tensor_cases(n_problems=N_TENSOR, base=0):
    """(seed, n_nodes) of the generated tensor problems, deterministic."""
    return [(base + i, 2 + (i * 5) % 14) for i in range(n_problems)]


@pytest.mark.parametrize("kinks", [False, True], ids=["smooth", "kinks"])
def test_random_tensor_problems_agree_with_torch(kinks):
    heads = set()
    for seed, n in tensor_cases(base=20_000 if kinks else 0):
        text = generate_problem(n, seed, tensor=True, kinks=kinks)
        heads.add(yaml.safe_load(text).get("loss"))
        _record(crosscheck_text(text, f"(tensor, kinks={kinks}, seed {seed}, {n} nodes)"))
        if kinks:
            assert "kinks" in yaml.safe_load(text)["title"] or n < 2, text
    assert {"cross_entropy", "hinge", "none", "mse", "bce"} <= heads, heads
    assert any(h.startswith(("cross_entropy +", "mse +", "mean(")) for h in heads), heads


def test_a_planted_hinge_margin_is_written_exactly():
    # seed 20635 once printed a long dyadic bias by repr(float), which rounds: the file's margin
    # was then 1e-16 instead of 0 and hwsolve (exact) and torch (float) took different branches
    text = generate_problem(13, 20635, tensor=True, kinks=True)
    assert "hinge0" in text
    assert any("hinge margin exactly 0" in w for w in solve_text(text).warnings)
    _record(crosscheck_text(text, "(tensor, kinks, seed 20635)"))
