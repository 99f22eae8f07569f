"""``--format latex`` of batches and training (issue 9).  Expected numbers: Mazur's published
walkthrough (∂E/∂w5 = 0.082167041, w5+ = 0.35891648, the error 0.298371109 before the
step) and PyTorch's 0.291027774 after it (tests/keys/torch_keys_train.py), the one-weight
problem worked by hand (see tests/test_train_steps.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ONE_WEIGHT = """title: one weight
inputs: {x: 2}
params: {w: 1}
nodes: {z: w * x}
activation: identity
loss: mse
label: 1
"""
SHIPPED = ["mazur_2_2_2_train", "batch_xor_momentum", "batch_xor_nesterov_sum",
           "regression_rmsprop", "regression_adagrad_sum", "softmax_adam"]


def _latex(*args):
    result = subprocess.run([sys.executable, "-m", "hwsolve", *args, "--format", "latex"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_update_table_holds_the_published_step():
    text = _latex("mazur_2_2_2_train", "--digits", "8")
    assert r"$W_{2}[1, 1]$ & $0.4$ & $0.082167041$ & $0.35891648$ \\" in text
    assert r"$L$: $0.29837111 \to 0.29102777$." in text
    assert r"\begin{tabular}" in text and r"\documentclass" not in text


def test_batch_table_and_its_gradient_work():
    text = _latex("regression_adagrad_sum", "--steps")
    assert r"\# & $x$ & $Y$ & $\hat{Y}$ & $L$ & $\nabla x$ \\" in text
    assert "sum of the examples' losses" in text
    assert r"\frac{\partial L}{\partial " in text and r"\begin{align*}" in text
    assert r"\subsubsection*{Training: adagrad" in text
    assert r"$L$ by step (0: before training)" in text


def test_steps_show_the_update_arithmetic_in_latex(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(ONE_WEIGHT)
    text = _latex(str(path), "--lr", "0.1", "--optimizer", "momentum", "--train-steps", "2",
                  "--steps")
    # by hand: w = 0.8 after step 1, ∇w = 1.2, b = 0.9·2 + 1.2 = 3, w = 0.8 − 0.1·3 = 0.5
    assert r"b &\leftarrow \mu \cdot b + \nabla w = 0.9 \cdot 2 + 1.2 = 3" in text
    assert r"w &\leftarrow w - \eta \cdot b = 0.8 - 0.1 \cdot 3 = 0.5" in text


def test_one_example_of_a_batch():
    text = _latex("batch_xor_momentum", "--example", "2")
    assert "Example 2 of 4" in text


@pytest.mark.parametrize("name", SHIPPED)
def test_standalone_compiles_with_pdflatex(tmp_path, name):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    text = _latex(name, "--steps", "--standalone")
    assert text.startswith(r"\documentclass")
    (tmp_path / "t.tex").write_text(text)
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                             "t.tex"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "t.pdf").exists()
