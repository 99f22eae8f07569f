"""Issue 21 (the batch item): a batch whose examples' labels differ rebuilt its graph per label
(9.05 s against 4.37 s with one label).  A batch now compiles its graph once and puts each
example's label into the label slots; only a multiclass hinge, whose margins are taken against
the class, keeps one graph per class.  Speed: bench/batch_labels.py (farm-bench --vs).
Numbers: ``--verify`` against torch.optim float64 on the file's YAML (an independent reference)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hwsolve import api
from hwsolve.engine.batch import Batch
from hwsolve.engine.solve import resolve_setup

ROOT = Path(__file__).resolve().parents[1]

HEAD = {
    "mse": ("identity", "mse", ["0.25", "-1.5", "2", "0.75"]),
    "bce_expression": ("sigmoid", '"bce + 0.01 * sum(w ** 2)"', ["0", "1", "0.25", "1"]),
    "cross_entropy": ("softmax", "cross_entropy", ["1", "2", "2", "[0.25, 0.75]"]),
    "tanh_mse": ("tanh", "mse", ["0", "1", "0", "0.5"]),
}


def _problem(activation: str, loss: str, labels: list, vector: bool) -> str:
    xs = ["[1, 2]", "[-1, 0.5]", "[0.5, -2]", "[2, 1]"]
    rows = "\n".join(f"  - {{inputs: {{x: {x}}}, label: {y}}}" for x, y in zip(xs, labels))
    node = "z: W @ x + b" if vector else "z: w @ x + c"
    params = "W: [[0.5, -0.25], [0.1, 0.3]]\n  b: [0.1, -0.2]" if vector else \
        "w: [0.5, -0.25]\n  c: 0.1"
    return (f"title: labels per example\nparams:\n  {params}\nexamples:\n{rows}\n"
            f"nodes: {{{node}}}\nactivation: {activation}\nloss: {loss}\n")


@pytest.mark.parametrize("name", list(HEAD))
def test_one_graph_for_labels_that_differ(tmp_path, name):
    activation, loss, labels = HEAD[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(_problem(activation, loss, labels, name == "cross_entropy"))
    problem = api.load(str(path))
    batch = Batch(problem, resolve_setup(problem))
    assert len({id(runner) for runner in batch.runners}) == 1
    pytest.importorskip("torch")
    done = subprocess.run([sys.executable, "-m", "hwsolve", str(path), "--verify", "--lr",
                           "0.1", "--train-steps", "3"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every entry agrees" in done.stdout


def test_multiclass_hinge_keeps_one_graph_per_class(tmp_path):
    path = tmp_path / "hinge.yaml"
    path.write_text(_problem("identity", "hinge", ["1", "2", "2", "1"], True))
    problem = api.load(str(path))
    batch = Batch(problem, resolve_setup(problem))
    assert len({id(runner) for runner in batch.runners}) == 2
    assert batch.runners[0] is batch.runners[3] and batch.runners[1] is batch.runners[2]
    pytest.importorskip("torch")
    done = subprocess.run([sys.executable, "-m", "hwsolve", str(path), "--verify"],
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_example_keeps_its_own_label(tmp_path):
    """mse, identity: example k's L is ½(w·x_k + c − y_k)², by hand."""
    activation, loss, labels = HEAD["mse"]
    path = tmp_path / "mse.yaml"
    path.write_text(_problem(activation, loss, labels, False))
    problem = api.load(str(path))
    solution = Batch(problem, resolve_setup(problem)).solve()
    xs = [(1, 2), (-1, 0.5), (0.5, -2), (2, 1)]
    for run, (x1, x2), y in zip(solution.runs, xs, labels):
        z = 0.5 * x1 - 0.25 * x2 + 0.1
        assert float(run.loss) == pytest.approx(0.5 * (z - float(y)) ** 2, rel=1e-15)
