"""Hostile input 7: --steps was quadratic in the number of arguments of one node (max of 2,000
copies of a name: past 60 s; max of 1,000 params: 69 s and 2 GB; dot of two 100,000-vectors:
past 60 s) and took 31 s on a 10,000-node chain.  Each case rule now lists a bounded number of
operands, each slope prints in constant size, every call's cases are worked out once, and a
problem with more than MAX_STEP_TERMS chain-rule terms is refused with a message naming it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from hwsolve import api, num
from hwsolve.render import steps as render_steps
from hwsolve.work import steps

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, text: str, *args, timeout: int = 60):
    spec = tmp_path / "hostile.yaml"
    spec.write_text(text)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "hwsolve", str(spec), *args],
                          capture_output=True, text=True, env=env, timeout=timeout)
    return spec, done


def _copies(n: int) -> str:
    return f"title: t\ninputs: {{X: 1}}\nnodes:\n  H: \"max({', '.join(['X'] * n)})\"\nlabel: 1\n"


def _params(n: int) -> str:
    params = "\n".join(f"  P{i}: {i % 7}" for i in range(1, n + 1))
    call = ", ".join(f"P{i}" for i in range(1, n + 1))
    return (f"title: t\ninputs: {{X: 1}}\nparams:\n{params}\nnodes:\n  H: \"max({call})\"\n"
            "  Z: H * X\nlabel: 1\n")


def _work_text(text: str, monkeypatch) -> tuple:
    """(characters of the terminal work, comparisons made) for a problem."""
    compared = [0]
    real = num.cmp

    def counting(a, b):
        compared[0] += 1
        return real(a, b)

    monkeypatch.setattr(num, "cmp", counting)
    work = steps.build(api.solve_text(text))
    out = io.StringIO()
    Console(file=out, width=100).print(render_steps.terminal(work, 3, 100))
    return len(out.getvalue()), compared[0]


def test_copies_of_one_name_cost_linear_work(monkeypatch):
    small, small_cmp = _work_text(_copies(200), monkeypatch)
    large, large_cmp = _work_text(_copies(400), monkeypatch)
    assert large < 2.3 * small  # quadratic would be 4x
    assert large_cmp <= 6 * 400  # solver and work together; was n² for the slopes alone


def test_many_params_cost_linear_work(monkeypatch):
    small, _ = _work_text(_params(200), monkeypatch)
    large, _ = _work_text(_params(400), monkeypatch)
    assert large < 2.3 * small


def test_max_of_2000_copies_of_a_name(tmp_path):
    _, done = _run(tmp_path, _copies(2000), "--steps", "--width", "1000")  # 0.8 s here
    assert done.returncode == 0, done.stderr
    assert "max'₂₀₀₀(X, X, X, …, X)" in done.stdout
    assert "X = X = X = X = X = X = X = X (and 1,992 more) = 1" in done.stdout


def test_max_of_1000_params(tmp_path):
    _, done = _run(tmp_path, _params(1000), "--steps", "--width", "1000")  # 0.8 s here
    assert done.returncode == 0, done.stderr
    assert "P6 = P13 = P20 = P27 = P34 = P41 = P48 = P55 (and 135 more)" in done.stdout
    assert len(done.stdout) < 1_000_000  # was a list of 1,000 arguments in each of 1,000 terms


def test_dot_of_two_100000_vectors_is_refused_quickly(tmp_path):
    n = 100_000
    text = ("title: t\ninputs:\n  U: [" + ", ".join(str(i % 5) for i in range(n)) +
            "]\nparams:\n  V: [" + ", ".join(str(i % 3) for i in range(n)) +
            "]\nnodes:\n  H: dot(U, V) / 100000\nlabel: 1\n")
    spec, done = _run(tmp_path, text, "--steps", timeout=120)  # 3 s here
    assert done.returncode == 2
    assert str(spec) in done.stderr and "--steps shows at most" in done.stderr
    assert "200,000" in done.stderr and "Traceback" not in done.stderr


def test_10000_node_chain_is_refused_quickly(tmp_path):
    lines = ["title: chain", "inputs: {X: 0.5}", "params: {W: 0.9}", "nodes:", "  H1: W * X"]
    lines += [f"  H{i}: tanh(W * H{i - 1})" for i in range(2, 10_001)]
    spec, done = _run(tmp_path, "\n".join(lines + ["label: 1"]) + "\n", "--steps")  # 1.2 s
    assert done.returncode == 2
    assert str(spec) in done.stderr and "20,000" in done.stderr
