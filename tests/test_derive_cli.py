"""`hwsolve derive` as a user runs it: formats, options, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import run_cli


def test_text_names_the_shapes_and_the_check():
    out = run_cli("derive", "mazur_2_2_2")
    assert out.exit_code == 0
    assert "d_net_h = d_h * h * (1 - h)    [2]" in out.output
    assert "∂L/∂W1" in out.output and "[2×2]" in out.output
    assert "checked: every form equals hwsolve's entrywise gradient" in out.output


def test_json_has_every_field_the_issue_asks_for():
    out = run_cli("derive", "batch_xor_momentum", "-f", "json", "--wrt", "W1", "--wrt", "b2")
    data = json.loads(out.output)
    assert data["per_example"] is True and data["reduction"] == "mean"
    assert [g["wrt"] for g in data["gradients"]] == ["W1", "b2"]
    g = data["gradients"][0]
    assert g["shape"] == [2, 2] and g["expr"] and g["latex"]
    assert g["check"]["random_points"] == 20 and g["check"]["passed"]
    assert g["check"]["own_values"] == "agrees"
    assert all(set(w) == {"name", "expr", "shape"} for w in data["where"])


def test_bare_expression_with_shapes_and_layouts():
    args = ["derive", "dot(g, W @ x)", "--shape", "W=3x2", "--shape", "x=2", "--shape", "g=3",
            "--wrt", "W", "-f", "json"]
    data = json.loads(run_cli(*args).output)
    assert data["gradients"][0]["expr"] == "outer(g, x)"
    assert data["gradients"][0]["shape"] == [3, 2]
    data = json.loads(run_cli(*args, "--layout", "numerator").output)
    assert data["gradients"][0]["shape"] == [2, 3]
    assert data["layout"] == "numerator"


def test_steps_show_each_chain_rule_step_with_its_node():
    out = run_cli("derive", "softmax_3x2", "--steps").output
    assert "because z = W @ x" in out
    data = json.loads(run_cli("derive", "softmax_3x2", "--steps", "-f", "json").output)
    assert any(s["because"] == "z = W @ x  (z: 3)" and s["target"] == "W" for s in data["steps"])


def test_markdown():
    out = run_cli("derive", "q3a", "-f", "markdown", "--steps").output
    assert "| ∂L/∂W1 | `d_z1 * [X1, X2]` | 2 |" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("target", ["mlp331", "q3b", "batch_xor_momentum",
                                    "conv2d_3x3_kernel"])
def test_latex_compiles(tmp_path, target):
    tex = run_cli("derive", target, "-f", "latex", "--steps").output
    (tmp_path / "d.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
                          cwd=tmp_path, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]


@pytest.mark.parametrize("args, message", [
    (["sum(conv2d(X, K, 2, 0))", "--shape", "X=5x5", "--shape", "K=3x3"], "stride above 1"),
    (["W @ x", "--shape", "W=2x2", "--shape", "x=2"], "a gradient needs a scalar"),
    (["x * y", "--shape", "z=2"], "which the expression does not use"),
    (["x * y", "--wrt", "z"], "does not use 'z'"),
    (["q3a", "--wrt", "alpha"], "not a param, input or node"),
    (["q2a"], "not a network problem"),
    (["x * y", "--shape", "x=2x"], "write NAME=3x2"),
])
def test_errors_exit_2_with_a_sentence(args, message):
    out = run_cli("derive", *args)
    assert out.exit_code == 2
    assert message in out.output
    assert "Traceback" not in out.output
