#!/usr/bin/env python3
"""A batch whose examples' labels all differ against the same batch with one label (issue 21).

  python bench/batch_labels.py [--examples N] [--runs R]

Writes two problems of a 2-8-1 tanh network with an identity output and the mse loss: the
same N examples (seeded inputs), labels all different in one file (regression targets), one
label for every example in the other.  Then times the user's command, ``hwsolve FILE`` (the
default table), for both with ``farm-bench --vs`` (whole processes, run in turn, the ratio taken
pair by pair) and prints farm-bench's report.  Target: different labels cost at most 1.1× one
label (a batch keeps one graph and puts each example's label into its label slots).
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def problem(n: int, same_label: bool) -> str:
    rng = random.Random(21)
    d = lambda: f"{rng.randint(-20, 20) / 10:g}"  # noqa: E731
    rows = []
    for k in range(n):
        x = f"[{d()}, {d()}]"
        label = "0.5" if same_label else f"{k / n:.4f}".rstrip("0").rstrip(".") or "0"
        rows.append(f"  - {{inputs: {{x: {x}}}, label: {label}}}")
    rng = random.Random(8)
    W1 = "[" + ", ".join(f"[{d()}, {d()}]" for _ in range(8)) + "]"
    return (f"title: 2-8-1 regression batch of {n}\nparams:\n  W1: {W1}\n"
            f"  b1: [{', '.join(d() for _ in range(8))}]\n"
            f"  w2: [{', '.join(d() for _ in range(8))}]\n  b2: 0.1\nexamples:\n"
            + "\n".join(rows) + "\nnodes:\n  h: tanh(W1 @ x + b1)\n  z: w2 @ h + b2\n"
            "activation: identity\nloss: mse\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hwsolve-bench-"))
    many, one = folder / "labels_differ.yaml", folder / "one_label.yaml"
    many.write_text(problem(args.examples, False))
    one.write_text(problem(args.examples, True))
    hwsolve = f"{sys.executable} -m hwsolve"
    command = ["farm-bench", "-n", str(args.runs), "--timeout", "900",
               "--vs", f"env PYTHONPATH={ROOT} {hwsolve} {one}",
               "--", "env", f"PYTHONPATH={ROOT}", sys.executable, "-m", "hwsolve", str(many)]
    print("$", " ".join(command[:7]), "-- ...", flush=True)
    code = subprocess.call(command)
    shutil.rmtree(folder)
    return code


if __name__ == "__main__":
    sys.exit(main())
