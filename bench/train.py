#!/usr/bin/env python3
"""Training and batch speed, whole processes (issue 9).

  python bench/train.py [--rounds N]

1. the 2-2-2 network (problems/mazur_2_2_2_train.yaml) trained 10,000 SGD steps (η = 0.5)
   exactly by hwsolve, against a PyTorch float64 process doing the same 10,000 steps;
2. a batch of 256 examples of a 2-8-1 tanh/sigmoid network solved by hwsolve (one forward and
   backward pass per example, the batch loss and its gradient).
Each figure is the median wall time of N runs of the whole process (python start-up included).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH = """
import warnings; warnings.filterwarnings("ignore")
import torch
x = torch.tensor([.05, .10], dtype=torch.float64)
y = torch.tensor([.01, .99], dtype=torch.float64)
W1 = torch.tensor([[.15, .20], [.25, .30]], dtype=torch.float64, requires_grad=True)
W2 = torch.tensor([[.40, .45], [.50, .55]], dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([W1, W2], lr=0.5)
for _ in range(10000):
    opt.zero_grad()
    L = 0.5 * ((torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + .35) + .60) - y) ** 2).sum()
    L.backward()
    opt.step()
print(L.item())
"""


def batch_file(path: Path, n: int = 256) -> None:
    rng = random.Random(9)
    d = lambda: f"{rng.randint(-20, 20) / 10:g}"  # noqa: E731
    rows = [f"  - {{inputs: {{x: [{d()}, {d()}]}}, label: {rng.randint(0, 1)}}}" for _ in range(n)]
    W1 = "[" + ", ".join(f"[{d()}, {d()}]" for _ in range(8)) + "]"
    w2 = "[" + ", ".join(d() for _ in range(8)) + "]"
    path.write_text(f"title: 2-8-1 batch of {n}\nparams:\n  W1: {W1}\n  b1: [{', '.join(d() for _ in range(8))}]\n"
                    f"  w2: {w2}\n  b2: 0.1\nexamples:\n" + "\n".join(rows) +
                    "\nnodes:\n  h: tanh(W1 @ x + b1)\n  z: w2 @ h + b2\nactivation: sigmoid\nloss: bce\n")


def timed(command: list, rounds: int) -> float:
    times = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch256.yaml"
        batch_file(path)
        results = {
            "hwsolve 10,000 SGD steps (exact)": timed(
                [py, "-m", "hwsolve", "mazur_2_2_2_train", "--train-steps", "10000",
                 "--format", "json"], rounds),
            "PyTorch float64 10,000 SGD steps": timed([py, "-c", TORCH], rounds),
            "hwsolve batch of 256, 2-8-1": timed([py, "-m", "hwsolve", str(path), "--format",
                                                  "json"], rounds),
        }
    for name, seconds in results.items():
        print(f"{name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
