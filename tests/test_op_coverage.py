"""Every operation of hwsolve/ops/rules.py RULES is covered by each independent check, and
every output format by the shown work.

Adding an op to RULES without an example here fails the first test; an op the PyTorch
evaluator of --verify (tools/verify.py), the random generator (which feeds the 600-graph
PyTorch cross-check), the independent key script (tests/keys/torch_keys.py) or the SymPy forms
of --steps (work/symbolic.py) cannot handle fails the others.
"""

import importlib.util
import json

import pytest
import yaml

from hwsolve import api
from hwsolve.engine.graph import build
from hwsolve.ops.rules import RULES
from hwsolve.spec.load import load_problem_text
from hwsolve.spec.vocab import FORMATS, FUNCTIONS
from hwsolve.tools.generate import generate_problem
from conftest import ROOT, run_cli, spec

HAVE_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="needs the verify extra (PyTorch)")

# op -> a node expression that uses it (inputs X1 = 2, X2 = -1; params W = 1.5, V = [0.5, -2])
EXAMPLES = {
    "add": "X1 + W * X2 + 1",
    "sub": "X1 - W",
    "neg": "-(X1 * W)",
    "mul": "X1 * W * X2",
    "div": "X1 / W",
    "pow": "X1 ** W + W ** 2",
    "exp": "exp(W * X2)",
    "log": "log(X1 + W)",
    "sqrt": "sqrt(X1 + W)",
    "sigmoid": "sigmoid(W * X1)",
    "tanh": "tanh(W * X2)",
    "relu": "relu(W * X1) + relu(X2)",
    "leaky_relu": "leaky_relu(X2 * W, 0.2) + leaky_relu(X1)",
    "abs": "abs(X2 * W)",
    "max": "max(X1 * W, X2, 1)",
    "min": "min(X1, W) + min(V)",
    "dot": "dot(V, [X1, X2])",
    "sum": "sum(V) * X1",
    "mean": "mean(V * X1)",
    "softplus": "softplus(W * X2)",
    "softmax": "dot(softmax(V * X1), V)",
    "log_softmax": "sum(log_softmax(V * W))",
    "step": "step(X1 * W) * X1 + step(X2) * W",  # issue 18
    # issue 19
    "masked_softmax": "dot(softmax(V * X1, [1, 0]), V) + sum(softmax(outer(V, V), "
                      "[[1, 0], [1, 1]]) * outer(V, V))",
    "var": "var(V * X1) + dot(var(outer(V, V + W)), V)",
    "layer_norm": "dot(layer_norm(V * X1, V, V), V) + sum(layer_norm(outer(V, V), 1, 0, 0.001) "
                  "* outer(V, V))",
    "batch_norm": "sum(batch_norm(outer(V, V + W), V, [W, 1]) * outer(V, V))",
    "gelu": "gelu(W * X2) + gelu(X1)",
    "gelu_tanh": "gelu_tanh(W * X2) + gelu_tanh(X1)",
    "dropout": "dot(dropout(V * X1, [1, 0], 0.5), V)",
    "max_pool": "sum(max_pool2d([[X1, W], [X2, W]], 2)) + sum(max_pool2d(outer(V, V), 1))",
}
# The output head's ops: a whole problem each (a vector output, softmax, the losses).
_HEAD = """\
title: head example
inputs: {{X1: 2, X2: -1}}
params: {{W: [[1.5, -0.5], [0.25, 2]], V: [0.5, -2]}}
nodes:
  a: W @ [X1, X2] + V
output: a
{head}
"""
HEADS = {
    "identity": "activation: identity\nloss: mse\nlabel: [1, -1]",
    "loss_mse": "activation: tanh\nloss: mse\nlabel: [0.5, 0]",
    "loss_bce": "activation: sigmoid\nloss: bce\nlabel: [1, 0]",
    "loss_cross_entropy": "activation: softmax\nloss: cross_entropy\nlabel: 2",
    "loss_hinge": "activation: identity\nloss: hinge\nlabel: 1",
    "loss_huber": "activation: identity\nloss: huber\ndelta: 0.5\nlabel: [1, -1]",
    "loss_l1": "activation: identity\nloss: l1\nlabel: [1, -1]",
    "loss_smooth_l1": "activation: sigmoid\nloss: smooth_l1\nbeta: 2\nlabel: [1, 0]",
    "loss_mse_mean": "activation: tanh\nloss: mse\nconventions: pytorch\nlabel: [0.5, 0]",
    "loss_sse": "activation: identity\nloss: mse\nconventions: cs231n\nlabel: [0.5, 0]",
}
# Functions of the format that lower to other ops entry by entry (no op of their own).
STRUCTURAL = {
    "transpose": ("sum(transpose(M) @ V)", {"dot", "sum"}),
    "outer": ("sum(outer(V, V * W))", {"mul", "sum"}),
    "conv2d": ("sum(conv2d(M, [[1, -1], [0.5, W]], 1, 1))", {"dot", "sum"}),
    "trace": ("trace(M * W) + X1", {"sum"}),  # issue 18
    "concat": ("dot(concat(V, [W, 1]), [1, 2, 3, W])", {"dot"}),
    "max_pool2d": ("sum(max_pool2d(M, 2))", {"max_pool", "sum"}),
    "avg_pool2d": ("sum(avg_pool2d(M, 1, 1))", {"mean", "sum"}),
}


def example(op: str) -> str:
    if op in HEADS:
        return _HEAD.format(head=HEADS[op])
    if op in STRUCTURAL:
        return spec(f"{{a: '{STRUCTURAL[op][0]}', z: 'a * W'}}",
                    params="{W: 1.5, V: [0.5, -2], M: [[1, 2], [-0.5, 3]]}")
    return spec(f"{{a: '{EXAMPLES[op]}', z: 'a * W'}}", params="{W: 1.5, V: [0.5, -2]}")


def ops_of(problem) -> set:
    """Every op on the tape, the output head's included."""
    solution = api.solve_problem(problem)
    graph = solution.full.graph
    return {op for node in graph.nodes + graph.head_nodes for op, _, _ in node.tape} - \
        {"load", "const"}


def test_every_op_has_an_example_that_uses_it():
    assert set(EXAMPLES) | set(HEADS) == set(RULES), \
        "add an example for each op of RULES (and only those)"
    for op in RULES:
        assert op in ops_of(load_problem_text(example(op))), op


def test_every_function_is_an_op_or_lowers_to_ops():
    assert set(FUNCTIONS) <= set(RULES) | set(STRUCTURAL)
    for function, (_, ops) in STRUCTURAL.items():
        assert ops <= ops_of(load_problem_text(example(function))), function


@needs_torch
@pytest.mark.parametrize("op", sorted(RULES) + sorted(STRUCTURAL))
def test_every_op_agrees_with_pytorch_through_verify(op, write):
    solution = api.solve_text(example(op), name=op)
    rows = api.verify(solution)
    assert rows and all(agrees for *_, agrees in rows), [r for r in rows if not r[-1]]
    result = run_cli(str(write(example(op))), "--verify", "--width", "120")
    assert result.exit_code == 0 and "all agree" in result.output, result.output


@pytest.mark.parametrize("op", sorted(RULES) + sorted(STRUCTURAL))
def test_every_op_has_steps_and_closed_forms_in_every_format(op, write):
    path = str(write(example(op)))
    for fmt in FORMATS:
        work = [] if fmt == "csv" else ["--steps", "--exact"]
        result = run_cli(path, "--format", fmt, *work, "--width", "100")
        assert result.exit_code == 0, (fmt, result.output)
        assert result.stdout.strip(), fmt
    document = json.loads(run_cli(path, "--format", "json", "--steps").stdout)
    step = document["steps"]["forward"][0]
    assert step["name"].startswith("a") and step["formulas"], step  # SymPy built the form
    terms = [t for s in document["steps"]["backward"] for t in s["terms"]]
    assert terms and all(t["local"]["formula"]["text"] for t in terms)


def test_the_generator_uses_every_op():
    """The PyTorch cross-check of tests/test_crosscheck_torch.py runs on generated graphs
    (scalar graphs, and tensor problems with every head)."""
    used = set()
    for seed in (0, 1):
        used |= ops_of(load_problem_text(generate_problem(60, seed)))
    for seed in range(30):
        used |= ops_of(load_problem_text(generate_problem(12, seed, tensor=True)))
    # step (issue 18) is the indicator closed forms use for relu' and max'; its derivative is 0
    # everywhere, so a random graph's gradient cross-check has nothing to find in it (its value
    # is checked against torch by tests/test_registry.py and --verify)
    assert used == set(RULES) - {"step"}, set(RULES) - used


@needs_torch
def test_the_independent_key_script_knows_every_function():
    path = ROOT / "tests" / "keys" / "torch_keys.py"
    loaded = importlib.util.spec_from_file_location("torch_keys", path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    # torch_keys.py models the v1 functions generically; the v2 problems are keyed by
    # hand-written models per problem (tests/keys/torch_keys_v2.py, torch_keys_train.py).
    # issue 19's layers are keyed by tests/keys/torch_keys_nn.py and tests/test_nn_torch200.py
    later = {"softplus", "mean", "softmax", "log_softmax", "masked_softmax", "var",
             "layer_norm", "batch_norm", "gelu", "gelu_tanh", "dropout", "max_pool"}
    v1 = set(FUNCTIONS) - set(STRUCTURAL) - later
    assert set(module.FUNCS) == v1
    for op in sorted(set(EXAMPLES) - later):
        spec_dict = yaml.safe_load(example(op))
        result = module.solve(spec_dict)
        ours = api.solve_text(example(op))
        assert result["L"] == pytest.approx(float(ours.head.loss), rel=1e-12), op


@needs_torch
def test_torch_keys_check_fails_on_a_wrong_key(tmp_path):
    """CI runs `torch_keys.py FILE --check` on every shipped problem (.ci/run): it must exit
    non-zero when a key differs from PyTorch."""
    import subprocess
    import sys

    script = ROOT / "tests" / "keys" / "torch_keys.py"
    path = tmp_path / "q.yaml"   # q3b with one wrong key (CI checks the right ones)
    path.write_text((ROOT / "problems" / "q3b.yaml").read_text().replace("L: 0.974", "L: 0.975"))
    done = subprocess.run([sys.executable, str(script), str(path), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MISMATCH [base] L: key 0.975" in done.stdout
    assert "20 keys checked, 1 mismatches" in done.stdout
