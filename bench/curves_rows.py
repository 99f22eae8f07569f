"""Benchmark (issue 20, item 20): ``hwsolve curves`` on its documented maximum of 1,000,000
rows, whole process: wall and CPU seconds and peak memory (the child's own maximum resident
set size from os.wait4), the median of several runs.

    python bench/curves_rows.py            # 1,000,000 rows, 3 runs
    python bench/curves_rows.py --rows 200000 --runs 5

Before the rows were streamed it took about 60 s and 500 MB (issue 20).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(2026)
    with open(path, "w") as handle:
        handle.write("epoch,train_loss,val_loss\n")
        for e in range(1, rows + 1):
            fall = 2 * math.exp(-e / (rows / 5))
            handle.write(f"{e},{fall + rng.random() * 0.01:.6f},"
                         f"{fall + 0.3 + rng.random() * 0.01:.6f}\n")


def run_once(path: Path) -> tuple:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "hwsolve", "curves", str(path)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"hwsolve curves failed: {child.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.csv"
        write_csv(path, args.rows)
        size = path.stat().st_size / 1e6
        runs = [run_once(path) for _ in range(args.runs)]
    wall, cpu, peak = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"hwsolve curves, {args.rows:,} rows ({size:.1f} MB), median of {args.runs} runs: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU, {peak:.0f} MiB peak")


if __name__ == "__main__":
    main()
