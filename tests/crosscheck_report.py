#!/usr/bin/env python3
"""Reproduce the reliability figures of hwsolve's cross-checks.

    python tests/crosscheck_report.py [--graphs 500] [--kink-graphs 100] [--fd-graphs 60]
                                      [--big 0] [--tensor 100] [--tensor-fd 12]

Runs the same checks as tests/test_crosscheck_torch.py (hwsolve against float64 PyTorch
autograd on random graphs, with and without exact kinks) and
tests/test_finite_differences.py (hwsolve's gradients against 1e-20 central differences of
its own 60-digit forward pass), the same two checks on generated tensor problems (format v2,
``--tensor`` of them with and without kinks, ``--tensor-fd`` each for the differences), and prints how many graphs and numbers were compared and the
worst error seen.  ``--big N`` adds one N-node graph (e.g. 20000) to the torch check.
Exits 1 on the first disagreement, printing the spec.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_crosscheck_torch import crosscheck_text, graph_cases  # noqa: E402
from test_crosscheck_torch import tensor_cases  # noqa: E402
from test_finite_differences import fd_check, fd_tensor_check  # noqa: E402

from hwsolve.tools.generate import generate_problem  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graphs", type=int, default=500)
    ap.add_argument("--kink-graphs", type=int, default=100)
    ap.add_argument("--fd-graphs", type=int, default=60)
    ap.add_argument("--big", type=int, default=0, help="also one graph of this many nodes")
    ap.add_argument("--tensor", type=int, default=100, help="tensor problems, each way")
    ap.add_argument("--tensor-fd", type=int, default=12, help="tensor problems for the "
                    "finite differences, each way")
    a = ap.parse_args()

    def torch_part(label, cases, kinks):
        t = time.perf_counter()
        tot = {"graphs": 0, "count": 0, "worst_rel": 0.0, "worst_abs_small": 0.0}
        sizes = []
        for seed, n, act, loss in cases:
            st = crosscheck_text(generate_problem(n, seed, kinks=kinks, activation=act,
                                                  loss=loss), f"(seed {seed}, {n} nodes)")
            tot["graphs"] += 1
            tot["count"] += st["count"]
            tot["worst_rel"] = max(tot["worst_rel"], st["worst_rel"])
            tot["worst_abs_small"] = max(tot["worst_abs_small"], st["worst_abs_small"])
            sizes.append(n)
        if sizes:
            print(f"{label}: {tot['graphs']} graphs ({min(sizes)}-{max(sizes)} nodes), "
                  f"{tot['count']} values and gradients compared; worst relative error "
                  f"{tot['worst_rel']:.2e} (|x| >= 1e-3), worst absolute error "
                  f"{tot['worst_abs_small']:.2e} (|x| < 1e-3); {time.perf_counter() - t:.1f} s")

    torch_part("torch, kink-free", graph_cases(a.graphs), False)
    torch_part("torch, exact kinks", graph_cases(a.kink_graphs, base=10_000), True)
    if a.big:
        torch_part(f"torch, one {a.big}-node graph", [(1, a.big, None, None)], False)

    t = time.perf_counter()
    entries, digits = 0, float("inf")
    for seed in range(a.fd_graphs):
        count, d = fd_check(generate_problem(3 + seed % 18, 5000 + seed))
        entries += count
        digits = min(digits, d)
    if a.fd_graphs:
        print(f"finite differences (h = 1e-20): {a.fd_graphs} graphs, {entries} input/param "
              f"gradients; fewest agreeing significant digits {digits:.1f}; "
              f"{time.perf_counter() - t:.1f} s")
    for kinks, base in ((False, 0), (True, 20_000)):
        t = time.perf_counter()
        tot = {"count": 0, "worst_rel": 0.0, "worst_abs_small": 0.0}
        for seed, n in tensor_cases(a.tensor, base):
            st = crosscheck_text(generate_problem(n, seed, tensor=True, kinks=kinks),
                                 f"(tensor, seed {seed}, {n} nodes)")
            tot = {k: (tot[k] + st[k] if k == "count" else max(tot[k], st[k])) for k in tot}
        if a.tensor:
            print(f"torch, tensor problems{' with exact kinks' if kinks else ''}: {a.tensor} "
                  f"problems, {tot['count']} values and gradients compared; worst relative "
                  f"error {tot['worst_rel']:.2e} (|x| >= 1e-3), worst absolute error "
                  f"{tot['worst_abs_small']:.2e} (|x| < 1e-3); {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        entries, digits, kinked = 0, float("inf"), 0
        for seed in range(a.tensor_fd):
            count, d, k = fd_tensor_check(generate_problem(2 + seed % 5, 7000 + seed,
                                                           tensor=True, kinks=kinks))
            entries, digits, kinked = entries + count, min(digits, d), kinked + k
        if a.tensor_fd:
            print(f"finite differences, tensor problems{' with exact kinks' if kinks else ''}: "
                  f"{a.tensor_fd} problems, {entries} input/param gradients ({kinked} on a kink, "
                  f"checked between the one-sided differences); fewest agreeing significant "
                  f"digits elsewhere {digits:.1f}; {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
