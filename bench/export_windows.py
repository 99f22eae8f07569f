"""Tolerance windows of the quiz exports: how many separate from every diagnosed mistake.

    PYTHONPATH=. python bench/export_windows.py [COUNT]

For each shipped one-example problem, COUNT variants (default 100) drawn as ``hwsolve vary``
draws them, *without* redrawing: the share of windows (variant x asked entry) that exclude
every diagnosis value, the collisions by kind, and the share in the exported quiz (with the
default redraw), with the time of each.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hwsolve import api  # noqa: E402
from hwsolve.tools.export import quiz as Q  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    root = Path(__file__).resolve().parent.parent / "problems"
    print(f"{'problem':24} {'raw':>14} {'kinds':40} {'exported':>14} {'s':>6}")
    for path in sorted(root.glob("*.yaml")):
        if any(line.startswith("kind:") for line in path.read_text().splitlines()):
            continue
        problem = api.load(path)
        if problem.examples or getattr(problem, "train", None):
            continue
        start = time.perf_counter()
        raw = Q.build(problem, count, redraw=False)
        good, total = Q.separation(raw)
        kinds = Counter(w.kind for v in raw.variants for _, w in v.collisions)
        quiz = api.quiz(path, count=count)
        g2, t2 = Q.separation(quiz)
        took = time.perf_counter() - start
        print(f"{path.stem:24} {good:>5}/{total:<5} {good / total:6.1%} "
              f"{', '.join(f'{k} {n}' for k, n in kinds.most_common(3)):40} "
              f"{g2:>5}/{t2:<5} {g2 / t2:6.1%} {took:6.1f}", flush=True)


if __name__ == "__main__":
    main()
