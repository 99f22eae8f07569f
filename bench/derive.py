"""Benchmark of ``hwsolve derive`` (issue 18): the target is ``hwsolve derive q3a`` in under 2x
the time of ``python -c "import sympy"`` (whole process, median wall time, paired runs).

    python bench/derive.py            # prints the medians and the ratio per command

Measured by ``farm-bench --vs`` when it is installed (the numbers in the report came from
``farm-bench -n 7 --vs "python -c 'import sympy'" -- python -m hwsolve derive q3a``), otherwise
by interleaved runs here.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [["derive", "q3a"], ["derive", "mazur_2_2_2"], ["derive", "batch_xor_momentum"],
            ["derive", "conv2d_3x3_kernel"],
            ["derive", "--shape", "W=10x8", "--shape", "x=8", "--shape", "y=10", "--",
             "-dot(y, log_softmax(W @ x))"]]


def _time(argv: list, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - start


def main() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    base = [sys.executable, "-c", "import sympy"]
    for args in COMMANDS:
        argv = [sys.executable, "-m", "hwsolve", *args]
        if shutil.which("farm-bench"):
            done = subprocess.run(["farm-bench", "-n", "7", "--vs", " ".join(
                f"'{a}'" if " " in a else a for a in base), "--", *argv], env=env,
                capture_output=True, text=True)
            ratio = [line for line in done.stdout.splitlines() if line.startswith("A/B wall")]
            print(" ".join(args), "|", ratio[0] if ratio else done.stdout[-300:])
            continue
        pairs = [(_time(argv, env), _time(base, env)) for _ in range(7)]
        a = statistics.median(p[0] for p in pairs)
        b = statistics.median(p[1] for p in pairs)
        print(f"{' '.join(args)} | {a:.3f} s vs import sympy {b:.3f} s: {a / b:.2f}x")


if __name__ == "__main__":
    main()
