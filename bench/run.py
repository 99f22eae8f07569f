"""Benchmark: whole-process wall time and peak memory of hwsolve, against Python, SymPy and PyTorch.

    python bench/run.py                # all sizes, writes bench/RESULTS.md
    python bench/run.py --quick        # fewer repetitions, no 20,000-node graph

It also times every output format on the 10,000-node graph (each must take at most 1.3x the
JSON time: every format is linear) and ``--steps`` on q3b and on 200- and 1,000-node graphs.

Every figure is the median of several runs of a separate process, measured in the same run on
the same machine, so that the ratios in the targets compare like with like.  Peak memory is the
child's own maximum resident set size (os.wait4), not an estimate.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hwsolve.tools.generate import generate_problem

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mlp import problem_text as mlp_problem  # noqa: E402  (bench/mlp.py)

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 1_000, 10_000, 20_000)
OTHERS = "<!-- other benchmarks: bench/grade.py, bench/train.py -->"
SEED = 2026
FORMATS = ("json", "table", "csv", "markdown", "latex")
FORMAT_SIZE = 10_000
STEPS_SIZES = (200, 1_000)


def hwsolve_command() -> list:
    script = Path(sys.executable).parent / "hwsolve"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hwsolve"]


def measure(command: list, runs: int) -> tuple:
    """Median wall seconds and the largest peak RSS (MB) over ``runs`` runs of ``command``."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"failed: {' '.join(command)}\n{child.stderr.read().decode()}")
        child.stderr.close()
    return statistics.median(times), max(peaks)


def has_torch() -> bool:
    try:
        import importlib.util
        return importlib.util.find_spec("torch") is not None
    except ImportError:
        return False


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}")


def versions() -> str:
    import importlib.metadata as md
    names = ["sympy", "mpmath", "click", "rich", "PyYAML", "torch"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            pass
    return ", ".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, sizes up to 10,000")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    small_runs, large_runs = (3, 1) if args.quick else (9, 7)
    sizes = SIZES[:-1] if args.quick else SIZES
    hw = hwsolve_command()
    py = sys.executable
    rows: list = []  # (what, seconds, MB, note)

    def record(label: str, command: list, runs: int) -> tuple:
        seconds, mb = measure(command, runs)
        rows.append((label, seconds, mb))
        print(f"{label:<48} {seconds:7.3f} s {mb:8.1f} MB", flush=True)
        return seconds, mb

    base = {
        "pass": record('python -c "pass"', [py, "-c", "pass"], small_runs)[0],
        "sympy": record('python -c "import sympy"', [py, "-c", "import sympy"], small_runs)[0],
        "help": record("hwsolve --help", hw + ["--help"], small_runs)[0],
        "list": record("hwsolve list", hw + ["list"], small_runs)[0],
        "q3a": record("hwsolve q3a", hw + ["q3a"], small_runs)[0],
        "check": record("hwsolve check", hw + ["check"], small_runs)[0],
        "q3b_steps": record("hwsolve q3b --steps", hw + ["q3b", "--steps"], small_runs)[0],
    }
    torch_available = has_torch()
    graphs: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for n in sizes:
            paths[n] = Path(folder) / f"graph_{n}.yaml"
            paths[n].write_text(generate_problem(n, SEED))
        # Rounds interleave the sizes (and PyTorch), so that a slow spell of the machine does
        # not land on one size only: the 20,000/10,000 ratio is a target.
        samples: dict = {}
        for _ in range(large_runs):
            for n in sizes:
                commands = {"hwsolve": hw + [str(paths[n]), "--format", "json"]}
                if torch_available:
                    commands["torch"] = [py, str(ROOT / "bench" / "torch_graph.py"),
                                         str(paths[n])]
                for tool, command in commands.items():
                    samples.setdefault((n, tool), []).append(measure(command, 1))
        for n in sizes:
            graphs[n] = {"kb": paths[n].stat().st_size / 1024}
            for tool in ("hwsolve", "torch") if torch_available else ("hwsolve",):
                seconds = statistics.median(t for t, _ in samples[(n, tool)])
                mb = max(m for _, m in samples[(n, tool)])
                graphs[n][tool] = seconds
                if tool == "hwsolve":
                    graphs[n]["mb"] = mb
                label = (f"hwsolve graph_{n}.yaml --format json" if tool == "hwsolve"
                         else f"PyTorch float64, graph_{n}.yaml")
                rows.append((label, seconds, mb))
                print(f"{label:<48} {seconds:7.3f} s {mb:8.1f} MB", flush=True)
        formats = _formats(hw, paths[FORMAT_SIZE], large_runs, rows)
        steps = _steps(hw, Path(folder), large_runs, rows)
        mlp = _mlp(hw, Path(folder), large_runs, rows, torch_available)
    report = render(base, graphs, rows, args, torch_available, formats, steps, mlp)
    output = Path(args.output)
    if output.exists() and OTHERS in output.read_text():  # bench/grade.py, bench/train.py
        report += "\n" + output.read_text()[output.read_text().index(OTHERS):]
    output.write_text(report)
    print(f"\nwritten to {args.output}")
    print(report.split("## Targets", 1)[1])


def _interleaved(commands: dict, runs: int, rows: list) -> dict:
    """label -> command, measured round by round (each command once a round, so that a slow
    spell of the machine does not land on one of them): label -> (median seconds, peak MB)."""
    samples: dict = {}
    for _ in range(runs):
        for label, command in commands.items():
            samples.setdefault(label, []).append(measure(command, 1))
    out = {}
    for label in commands:
        seconds = statistics.median(t for t, _ in samples[label])
        mb = max(m for _, m in samples[label])
        rows.append((label, seconds, mb))
        print(f"{label:<48} {seconds:7.3f} s {mb:8.1f} MB", flush=True)
        out[label] = (seconds, mb)
    return out


def _formats(hw: list, path: Path, runs: int, rows: list) -> dict:
    """Median seconds per format on one graph, the formats interleaved round by round."""
    label = f"hwsolve graph_{FORMAT_SIZE}.yaml --format {{}}"
    measured = _interleaved({label.format(fmt): hw + [str(path), "--format", fmt]
                             for fmt in FORMATS}, runs, rows)
    return {fmt: measured[label.format(fmt)][0] for fmt in FORMATS}


def _mlp(hw: list, folder: Path, runs: int, rows: list, torch_available: bool) -> dict:
    """The 784-64-10 softmax MLP of bench/mlp.py: hwsolve (json and the default table) against
    the same work as a PyTorch float64 process."""
    path = folder / "mlp.yaml"
    path.write_text(mlp_problem())
    commands = {"json": ("hwsolve mlp.yaml --format json", hw + [str(path), "--format", "json"]),
                "table": ("hwsolve mlp.yaml", hw + [str(path)])}
    if torch_available:
        commands["torch"] = ("PyTorch float64, mlp.yaml", [sys.executable, str(ROOT / "bench" /
                                                                              "mlp.py"), "torch",
                                                           str(path)])
    measured = _interleaved(dict(commands.values()), runs, rows)
    return {name: measured[label] for name, (label, _) in commands.items()}


def _steps(hw: list, folder: Path, runs: int, rows: list) -> dict:
    """Median seconds of ``--steps`` (the default terminal text) per graph size."""
    paths = {}
    for n in STEPS_SIZES:
        paths[n] = folder / f"steps_{n}.yaml"
        paths[n].write_text(generate_problem(n, SEED))
    measured = _interleaved({f"hwsolve graph_{n}.yaml --steps": hw + [str(paths[n]), "--steps"]
                             for n in STEPS_SIZES}, runs, rows)
    return {n: measured[f"hwsolve graph_{n}.yaml --steps"][0] for n in STEPS_SIZES}


def render(base: dict, graphs: dict, rows: list, args, torch_available: bool,
           formats: dict, steps: dict, mlp: dict) -> str:
    lines = ["# Benchmark results", "",
             f"Machine: {machine()}.", f"Packages: {versions()}.", "",
             f"Command: `python bench/run.py{' --quick' if args.quick else ''}` "
             f"({time.strftime('%Y-%m-%d')}). Each figure is the median wall time of separate "
             "processes (9 runs for small commands, 7 for every graph size, "
             "the sizes interleaved; the formats and the --steps sizes interleaved likewise) "
             "and the largest peak resident memory seen. hwsolve runs as "
             f"{'the `hwsolve` command installed next to this Python' if len(hwsolve_command()) == 1 else '`python -m hwsolve` from this checkout'}"
             "; PyTorch runs `bench/torch_graph.py` (float64 autograd) in its own process. "
             "The machine is shared, so figures vary from run to run: a ratio close to its "
             "target is a near miss, not a margin.", "",
             "| command | median wall time | peak memory |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | {seconds:.3f} s | {mb:.0f} MB |" for label, seconds, mb in rows]
    lines += ["", "## Graphs", "",
              "Seeded graphs from `hwsolve.tools.generate` (seed 2026): dot products over vectors, "
              "tanh, sigmoid, relu, leaky_relu, min, max, abs, exp, log, sqrt, division, powers, "
              "products and sums, with fan-out and long chains.", "",
              "| nodes | file | hwsolve (exact) | PyTorch float64 | hwsolve / PyTorch | peak memory |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n, g in graphs.items():
        torch_s = f"{g['torch']:.2f} s" if "torch" in g else "not installed"
        ratio = f"{g['hwsolve'] / g['torch']:.2f}" if "torch" in g else "-"
        lines.append(f"| {n:,} | {g['kb']:.0f} KiB | {g['hwsolve']:.2f} s | {torch_s} | "
                     f"{ratio} | {g['mb']:.0f} MB |")
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | --- | :---: |"]

    def target(text: str, measured: str, ok: bool) -> None:
        lines.append(f"| {text} | {measured} | {'yes' if ok else '**no**'} |")

    target("`hwsolve q3a` ≤ 1.2 × `python -c \"import sympy\"`",
           f"{base['q3a']:.3f} s vs {base['sympy']:.3f} s ({base['q3a'] / base['sympy']:.2f} ×)",
           base["q3a"] <= 1.2 * base["sympy"])
    for key, label in (("help", "hwsolve --help"), ("list", "hwsolve list")):
        target(f"`{label}` ≤ 2 × `python -c \"pass\"`",
               f"{base[key]:.3f} s vs {base['pass']:.3f} s ({base[key] / base['pass']:.2f} ×)",
               base[key] <= 2 * base["pass"])
    if 10_000 in graphs:
        g = graphs[10_000]
        if torch_available:
            target("10,000 nodes: exact hwsolve faster than PyTorch float64",
                   f"{g['hwsolve']:.2f} s vs {g['torch']:.2f} s", g["hwsolve"] < g["torch"])
        else:
            target("10,000 nodes: exact hwsolve faster than PyTorch float64",
                   "PyTorch not installed (pip install '.[verify]')", False)
        target("10,000 nodes: peak memory ≤ 300 MB", f"{g['mb']:.0f} MB", g["mb"] <= 300)
    if 10_000 in graphs and 20_000 in graphs:
        ratio = graphs[20_000]["hwsolve"] / graphs[10_000]["hwsolve"]
        target("20,000 nodes ≤ 2.2 × the time of 10,000", f"{ratio:.2f} ×", ratio <= 2.2)
    for fmt in FORMATS[1:]:
        ratio = formats[fmt] / formats["json"]
        target(f"{FORMAT_SIZE:,} nodes: `--format {fmt}` ≤ 1.3 × `--format json`",
               f"{formats[fmt]:.2f} s vs {formats['json']:.2f} s ({ratio:.2f} ×)", ratio <= 1.3)
    ratio = base["q3b_steps"] / base["sympy"]
    target("`hwsolve q3b --steps` ≤ 1.5 × `python -c \"import sympy\"`",
           f"{base['q3b_steps']:.3f} s vs {base['sympy']:.3f} s ({ratio:.2f} ×)", ratio <= 1.5)
    for n, limit in zip(STEPS_SIZES, (2.0, 5.0)):
        target(f"{n:,} nodes: `--steps` < {limit:.0f} s", f"{steps[n]:.2f} s", steps[n] < limit)
    json_s, json_mb = mlp["json"]
    if "torch" in mlp:
        target("784-64-10 MLP (51,000 params): `--format json` faster than PyTorch float64",
               f"{json_s:.2f} s vs {mlp['torch'][0]:.2f} s ({json_s / mlp['torch'][0]:.2f} ×)",
               json_s < mlp["torch"][0])
    target("784-64-10 MLP: peak memory < 500 MB", f"{json_mb:.0f} MB", json_mb < 500)
    target("784-64-10 MLP: the default table within 1.3 × json",
           f"{mlp['table'][0]:.2f} s vs {json_s:.2f} s", mlp["table"][0] <= 1.3 * json_s)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if shutil.which("hwsolve") is None and not (Path(sys.executable).parent / "hwsolve").exists():
        print("note: no hwsolve script next to this Python; using python -m hwsolve",
              file=sys.stderr)
    main()
