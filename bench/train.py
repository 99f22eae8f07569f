#!/usr/bin/env python3
"""Training speed, whole processes (issues 9 and 15).

  python bench/train.py [--rounds N] [--part optimizers|scaling|torch|batch ...]

* optimizers: 10,000 steps of each optimizer (η = 0.01) on problems/mazur_2_2_2.yaml (sigmoid
  network: irrational from the first step) and on bench/train_linear.yaml (linear regression,
  mse: exact rationals until num.TRAIN_EXACT_BITS); target: each within 1.5 × the SGD time.
* scaling: 100,000 against 10,000 SGD steps of both problems; target: at most 11 ×.
* torch: `hwsolve mazur_2_2_2 --train-steps 10000 --lr 0.5` (the default table, as a user runs
  it) against bench/torch_plain_sgd.py (plain PyTorch float64, no torch.optim, every loss
  recorded); target: hwsolve faster.
* batch: a batch of 256 examples of a 2-8-1 network solved once (issue 9: under 2 s).

Every figure is the median over N rounds of the whole process (Python start-up included); the
commands of a part run in turn within each round, so that a slow spell of a shared machine
lands on all of them.  Both wall and CPU (user + system) seconds are printed: on a machine shared
with other work, CPU time is the steadier of the two.
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
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")
PROBLEMS = {"mazur_2_2_2": "mazur_2_2_2", "linear (exact)": str(ROOT / "bench" /
                                                                 "train_linear.yaml")}


def hwsolve(*args: str) -> list:
    return [sys.executable, "-m", "hwsolve", *args]


def run_once(command: list) -> tuple:
    """(wall seconds, CPU seconds, peak MB) of one whole process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             cwd=ROOT, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{child.stderr.read().decode()}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def interleaved(commands: dict, rounds: int) -> dict:
    """label -> (median wall, median CPU, peak MB), every command once per round."""
    samples: dict = {label: [] for label in commands}
    for _ in range(rounds):
        for label, command in commands.items():
            samples[label].append(run_once(command))
    out = {}
    for label, runs in samples.items():
        out[label] = (statistics.median(r[0] for r in runs),
                      statistics.median(r[1] for r in runs), max(r[2] for r in runs))
        print(f"  {label:<44} wall {out[label][0]:7.2f} s   cpu {out[label][1]:7.2f} s   "
              f"peak {out[label][2]:6.1f} MB", flush=True)
    return out


def optimizers(rounds: int) -> None:
    for name, problem in PROBLEMS.items():
        print(f"10,000 steps of each optimizer on {name} (ratio to sgd: wall, cpu)")
        found = interleaved({o: hwsolve(problem, "--optimizer", o, "--lr", "0.01",
                                        "--train-steps", "10000")
                             for o in OPTIMIZERS}, rounds)
        wall, cpu = found["sgd"]
        for o in OPTIMIZERS:
            ratio = (found[o][0] / wall, found[o][1] / cpu)
            print(f"  {o:<10} {ratio[0]:.2f} x  {ratio[1]:.2f} x  "
                  f"{'met' if max(ratio) <= 1.5 else 'NOT met'} (<= 1.5 x)")


def scaling(rounds: int) -> None:
    for name, problem in PROBLEMS.items():
        print(f"SGD on {name}: 100,000 steps against 10,000")
        found = interleaved({f"{n:,} steps": hwsolve(problem, "--lr", "0.01", "--train-steps",
                                                     str(n))
                             for n in (10_000, 100_000)}, rounds)
        wall = found["100,000 steps"][0] / found["10,000 steps"][0]
        cpu = found["100,000 steps"][1] / found["10,000 steps"][1]
        print(f"  ratio {wall:.2f} x wall, {cpu:.2f} x cpu  "
              f"{'met' if max(wall, cpu) <= 11 else 'NOT met'} (<= 11 x)")


def against_torch(rounds: int) -> None:
    print("10,000 SGD steps of mazur_2_2_2, η = 0.5, whole processes")
    commands = {"hwsolve (default table)": hwsolve("mazur_2_2_2", "--train-steps", "10000",
                                                   "--lr", "0.5"),
                "PyTorch float64, plain loop": [sys.executable,
                                                str(ROOT / "bench" / "torch_plain_sgd.py")]}
    found = interleaved(commands, rounds)
    ours, theirs = found["hwsolve (default table)"], found["PyTorch float64, plain loop"]
    print(f"  hwsolve / PyTorch: {ours[0] / theirs[0]:.2f} wall, {ours[1] / theirs[1]:.2f} cpu")


def batch_file(path: Path, n: int = 256) -> None:
    rng = random.Random(9)
    d = lambda: f"{rng.randint(-20, 20) / 10:g}"  # noqa: E731
    rows = [f"  - {{inputs: {{x: [{d()}, {d()}]}}, label: {rng.randint(0, 1)}}}"
            for _ in range(n)]
    W1 = "[" + ", ".join(f"[{d()}, {d()}]" for _ in range(8)) + "]"
    w2 = "[" + ", ".join(d() for _ in range(8)) + "]"
    path.write_text(f"title: 2-8-1 batch of {n}\nparams:\n  W1: {W1}\n"
                    f"  b1: [{', '.join(d() for _ in range(8))}]\n"
                    f"  w2: {w2}\n  b2: 0.1\nexamples:\n" + "\n".join(rows) +
                    "\nnodes:\n  h: tanh(W1 @ x + b1)\n  z: w2 @ h + b2\nactivation: sigmoid\n"
                    "loss: bce\n")


def batch(rounds: int) -> None:
    print("a batch of 256 examples, 2-8-1 network, one solve")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch256.yaml"
        batch_file(path)
        interleaved({"hwsolve batch of 256 (json)": hwsolve(str(path), "--format", "json")},
                    rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--part", action="append",
                        choices=("optimizers", "scaling", "torch", "batch"))
    args = parser.parse_args()
    parts = {"optimizers": optimizers, "scaling": scaling, "torch": against_torch,
             "batch": batch}
    for name in args.part or parts:
        parts[name](args.rounds)


if __name__ == "__main__":
    main()
