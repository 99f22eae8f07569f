"""The keys of issue 19's problems against tests/keys/torch_keys_nn.py (independent PyTorch
models written from each published source), run as a user would; and a wrong key is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    pytest.importorskip("torch", reason="PyTorch is the independent reference")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "keys" / "torch_keys_nn.py"
NAMES = ("attention_causal", "layer_norm_rows", "batch_norm_columns", "maxpool_tie",
         "conv2d_channels", "gelu_unit", "huber_codearena", "huber_keras_batch")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=300)


def test_every_issue19_key_agrees_with_an_independent_torch_model():
    result = run("--check", *NAMES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DIFF" not in result.stdout and f"in {len(NAMES)} problems, 0 differences" in \
        result.stdout


def test_a_wrong_key_is_caught(tmp_path):
    for name in NAMES:
        shutil.copy(ROOT / "problems" / f"{name}.yaml", tmp_path)
    path = tmp_path / "maxpool_tie.yaml"
    path.write_text(path.read_text().replace("[[0, 0, 0], [0, -0.6, 0], [0.2, 0.3, 0]]",
                                             "[[0, 0, 0], [0, -0.7, 0], [0.2, 0.3, 0]]"))
    result = run("--check", "--dir", str(tmp_path), "maxpool_tie")
    assert result.returncode == 1 and "DIFF" in result.stdout
