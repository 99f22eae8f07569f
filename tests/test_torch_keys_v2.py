"""The keys of the v2 problems against tests/keys/torch_keys_v2.py (independent PyTorch models).

The script shares no code with hwsolve; these tests run it as a user would (a subprocess) on the
shipped problems, and show that it catches a wrong key, a wrong number in a problem's data and
an unreadable key, and that its key rule is the README's.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    pytest.importorskip("torch", reason="PyTorch is the independent reference: "
                                        "pip install 'hwsolve[verify]'")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "keys" / "torch_keys_v2.py"

spec = importlib.util.spec_from_file_location("torch_keys_v2", SCRIPT)
keys = importlib.util.module_from_spec(spec)
spec.loader.exec_module(keys)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=300)


def test_every_shipped_v2_key_agrees_with_torch():
    result = run("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DIFF" not in result.stdout
    summary = result.stdout.strip().splitlines()[-1]
    checked = int(re.search(r"all: (\d+) entries checked in (\d+) problems, 0 differences",
                            summary).group(1))
    assert checked >= 150  # every file keys its values and gradients, not only Yhat


def test_there_are_at_least_eight_v2_problems_each_with_a_model_and_a_source():
    assert len(keys.MODELS) >= 8
    for name in keys.MODELS:
        text = (ROOT / "problems" / f"{name}.yaml").read_text()
        assert "Source:" in text, name
        assert re.search(r"^answers:", text, re.M), name


def copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (ROOT / "problems" / f"{name}.yaml").read_text()
    assert old in text
    (tmp_path / f"{name}.yaml").write_text(text.replace(old, new, 1))
    return tmp_path


def test_a_wrong_key_is_a_difference(tmp_path):
    folder = copy(tmp_path, "mazur_2_2_2", "[[0.082167041,", "[[0.082167042,")
    result = run("--check", "--dir", str(folder), "mazur_2_2_2")
    assert result.returncode == 1
    assert "DIFF mazur_2_2_2 [base] grad.W2[1, 1]: key 0.082167042" in result.stdout


def test_a_wrong_number_in_the_problem_data_is_a_difference(tmp_path):
    folder = copy(tmp_path, "cs231n_svm_hinge", "[-15, 22, -44, 56]}", "[-15, 22, -44, 57]}")
    result = run("--check", "--dir", str(folder), "cs231n_svm_hinge")
    assert result.returncode == 1
    assert "DIFF cs231n_svm_hinge [base] inputs.x" in result.stdout


def test_a_wrong_variant_override_is_a_difference(tmp_path):
    folder = copy(tmp_path, "autograd_vector_q", "output_grad: [0.1, 1.0]",
                  "output_grad: [0.2, 1.0]")
    result = run("--check", "--dir", str(folder), "autograd_vector_q")
    assert result.returncode == 1
    assert "DIFF autograd_vector_q [weighted] output_grad" in result.stdout


def test_an_unreadable_key_is_an_error(tmp_path):
    folder = copy(tmp_path, "cs231n_gate_circuit", "Yhat: -12", "Yhat: twelve")
    result = run("--check", "--dir", str(folder), "cs231n_gate_circuit")
    assert result.returncode == 2
    assert "'twelve' is not a number" in result.stderr


@pytest.mark.parametrize("text, value, ok", [
    ("0.69", 0.68997, True), ("-0.934", -0.93369, True), ("0.690", 0.6894, False),
    ("0.690", 0.6896, True),
    ("-4", -4.0, True), ("-4", -4.6, False), ("2", 2.5, True), ("3", 2.5, True),
    ("2", 2.5000001, False), ("1e-3", 0.0012, True), ("1e-3", 0.0016, False),
    ("8/3", 8 / 3, True), ("8/3", 2.6667, False), ("-2381/343", -2381 / 343, True),
    ("0", 0.0, True), ("0.000", 0.0004, True), ("0.000", 0.0006, False),
])
def test_key_rule(text, value, ok):
    assert keys.matches(text, value) is ok
