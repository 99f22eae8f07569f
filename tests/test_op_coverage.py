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
}


def example(op: str) -> str:
    return spec(f"{{a: '{EXAMPLES[op]}', z: 'a * W'}}", params="{W: 1.5, V: [0.5, -2]}")


def ops_of(problem) -> set:
    return {op for node in build(problem).nodes for op, _, _ in node.tape} - {"load", "const"}


def test_every_op_has_an_example_that_uses_it():
    assert set(EXAMPLES) == set(RULES), "add an example for each op of RULES (and only those)"
    for op in RULES:
        assert op in ops_of(load_problem_text(example(op))), op


def test_every_function_is_an_op():
    assert set(FUNCTIONS) <= set(RULES)


@needs_torch
@pytest.mark.parametrize("op", sorted(RULES))
def test_every_op_agrees_with_pytorch_through_verify(op, write):
    solution = api.solve_text(example(op), name=op)
    rows = api.verify(solution)
    assert rows and all(agrees for *_, agrees in rows), [r for r in rows if not r[-1]]
    result = run_cli(str(write(example(op))), "--verify", "--width", "120")
    assert result.exit_code == 0 and "all agree" in result.output, result.output


@pytest.mark.parametrize("op", sorted(RULES))
def test_every_op_has_steps_and_closed_forms_in_every_format(op, write):
    path = str(write(example(op)))
    for fmt in FORMATS:
        work = [] if fmt == "csv" else ["--steps", "--exact"]
        result = run_cli(path, "--format", fmt, *work, "--width", "100")
        assert result.exit_code == 0, (fmt, result.output)
        assert result.stdout.strip(), fmt
    document = json.loads(run_cli(path, "--format", "json", "--steps").stdout)
    step = document["steps"]["forward"][0]
    assert step["name"] == "a" and step["formulas"], step      # SymPy built the form
    terms = [t for s in document["steps"]["backward"] for t in s["terms"]]
    assert terms and all(t["local"]["formula"]["text"] for t in terms)


def test_the_generator_uses_every_op():
    """The PyTorch cross-check of tests/test_crosscheck_torch.py runs on generated graphs."""
    used = set()
    for seed in (0, 1):
        used |= ops_of(load_problem_text(generate_problem(60, seed)))
    assert used == set(RULES), set(RULES) - used


@needs_torch
def test_the_independent_key_script_knows_every_function():
    path = ROOT / "tests" / "keys" / "torch_keys.py"
    loaded = importlib.util.spec_from_file_location("torch_keys", path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    assert set(module.FUNCS) == set(FUNCTIONS)
    for op in RULES:
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
