"""Time `hwsolve grade` on 1,000 submissions of Q3b as whole processes.

Writes 1,000 submissions in two forms — one CSV gradebook and a folder of 1,000 YAML files —
mixing the seed's right answers with the wrong answers of tests/test_grade.py (a missed path, an
extra path, a kink branch, σ′ left out, a sign error, the seed's ∂H3/∂X1 = 1) and numbers that
match no pattern, then runs `python -m hwsolve grade q3b ... --format csv` in a fresh process
(median of 5 runs each) and prints the wall times.

    python bench/grade.py
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["Yhat", "L", "H5", "H4", "H3", "H2", "H1", "W2", "W1", "B1", "X3", "X2", "X1"]
RIGHT = ["0.378", "0.974", "0.622", "0.622", "-0.622", "-1.24", "-1.45", "-0.415", "-1.45",
         "-1.24", "2.49", "-4.67", "-0.934"]
WRONG = {"X1": ["-2.18", "0.311", "-0.622", "7.5"], "H5": ["2.65", "-0.622"],
         "H1": ["-2.0", "-0.83"], "X2": ["3.1"]}


def submissions(n: int, rng: random.Random) -> list:
    rows = []
    for i in range(n):
        row = dict(zip(COLUMNS, RIGHT))
        for name in rng.sample(sorted(WRONG), rng.randint(0, 2)):
            row[name] = rng.choice(WRONG[name])
        local = "1" if rng.random() < 0.5 else "0"
        rows.append((f"s{i:04d}", row, local))
    return rows


def main() -> None:
    rng = random.Random(2026)
    rows = submissions(1000, rng)
    work = Path(tempfile.mkdtemp())
    book = work / "book.csv"
    book.write_text("id," + ",".join(c if c in ("Yhat", "L") else f"dL/d{c}" for c in COLUMNS)
                    + ",H3/X1\n" + "".join(f"{sid}," + ",".join(row[c] for c in COLUMNS)
                                           + f",{local}\n" for sid, row, local in rows),
                    encoding="utf-8")
    folder = work / "class"
    folder.mkdir()
    for sid, row, local in rows:
        grads = ", ".join(f"{c}: {row[c]}" for c in COLUMNS[2:])
        (folder / f"{sid}.yaml").write_text(
            f"Yhat: {row['Yhat']}\nL: {row['L']}\ngrad: {{{grads}}}\nlocal: {{'H3/X1': {local}}}\n",
            encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for label, target in (("CSV gradebook, 1,000 rows", book), ("folder of 1,000 YAML files",
                                                                 folder)):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "hwsolve", "grade", "q3b", str(target),
                                   "--format", "csv"], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            assert done.returncode == 1, done.stderr  # some submissions are wrong
            assert len(done.stdout.strip().splitlines()) == 1001
        print(f"{label}: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, 5 runs)")


if __name__ == "__main__":
    main()
