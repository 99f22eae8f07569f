"""Apply one-line mutants of the core one at a time and run the fast tests that should kill them.

Usage (from the repository root)::

    PYTHONPATH=$PWD python tests/mutation/run_mutants.py [--only GROUP] [--list] [--jobs N]

The tree (hwsolve/, tests/, problems/, pyproject.toml) is copied to a temporary directory first,
so the working tree is never touched and work can go on while it runs.  Each mutant replaces one
line (matched exactly, indentation aside, and required to occur once: a stale mutant stops the run
with its name, exit 2).  A mutant is *killed* when its test group fails (pytest -x, exit 1) and
*survives* when the group passes; any other pytest exit (a collection error, a crash, a timeout) is
reported apart as an error.  Nothing beyond the standard library and pytest is needed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from mutants import GROUPS, MUTANTS  # noqa: E402


def locate(root: Path, path: str, original: str) -> int:
    lines = (root / path).read_text(encoding="utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if line.strip() == original.strip()]
    if len(hits) != 1:
        raise SystemExit(f"stale mutant: {path}: {original!r} occurs {len(hits)} times "
                         "(expected once); update tests/mutation/mutants.py")
    return hits[0]


def copy_tree(dest: Path, source: Path = ROOT) -> None:
    for name in ("hwsolve", "tests", "problems"):
        if (source / name).exists():
            shutil.copytree(source / name, dest / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    for name in ("pyproject.toml", "README.md"):
        if (source / name).exists():
            shutil.copy(source / name, dest / name)


def run_one(number: int, mutant: tuple, timeout: int, base: Path) -> tuple:
    path, original, replacement, group = mutant
    with tempfile.TemporaryDirectory(prefix="hwsolve-mutant-") as tmp:
        root = Path(tmp)
        copy_tree(root, base)  # from the snapshot taken at the start: one tree for every mutant
        target = root / path
        lines = target.read_text(encoding="utf-8").split("\n")
        i = locate(root, path, original)
        indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = indent + replacement
        target.write_text("\n".join(lines), encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                   "-p", "no:randomly", *GROUPS[group]]
        start = time.monotonic()
        try:
            done = subprocess.run(command, cwd=root, env={"PYTHONPATH": str(root),
                                                          "PATH": "/usr/bin:/bin",
                                                          "HOME": str(root)},
                                  capture_output=True, text=True, timeout=timeout)
            code = done.returncode
            tail = (done.stdout.strip().splitlines() or [""])[-1]
        except subprocess.TimeoutExpired:
            code, tail = -1, "timeout"
        seconds = time.monotonic() - start
    verdict = {1: "killed", 0: "SURVIVED"}.get(code, f"error({code})")
    if code == 2 and " error" in tail:  # the mutant broke a test's collection or setup
        verdict = "killed"
    return number, verdict, seconds, f"{path}:{i + 1}", original, replacement, tail


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only this group (" + ", ".join(GROUPS) + ")")
    parser.add_argument("--list", action="store_true", help="check and list the mutants")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--numbers", help="run only these mutants, e.g. 3,17,40")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    chosen = [(n, m) for n, m in enumerate(MUTANTS, 1) if not args.only or m[3] == args.only]
    if args.numbers:
        wanted = {int(x) for x in args.numbers.split(",")}
        chosen = [(n, m) for n, m in chosen if n in wanted]
    for group in {m[3] for _, m in chosen}:
        for test in GROUPS[group]:
            if not (ROOT / test).exists():
                raise SystemExit(f"group {group}: no test file {test}")
    for n, (path, original, _, group) in chosen:  # every mutant must still apply
        locate(ROOT, path, original)
        if group not in GROUPS:
            raise SystemExit(f"mutant {n}: unknown group {group!r}")
    if args.list:
        for n, (path, original, replacement, group) in chosen:
            print(f"{n:3} {group:9} {path}: {original.strip()}  ->  {replacement}")
        return 0
    results = []
    snapshot = tempfile.TemporaryDirectory(prefix="hwsolve-mutation-base-")
    base = Path(snapshot.name)
    copy_tree(base)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for result in pool.map(lambda nm: run_one(nm[0], nm[1], args.timeout, base), chosen):
            n, verdict, seconds, where, original, replacement, tail = result
            print(f"{n:3} {verdict:9} {seconds:6.1f}s {where}: {replacement.strip()}  [{tail}]",
                  flush=True)
            results.append(result)
    snapshot.cleanup()
    killed = sum(r[1] == "killed" for r in results)
    survived = [r for r in results if r[1] == "SURVIVED"]
    errors = [r for r in results if r[1] not in ("killed", "SURVIVED")]
    print(f"\n{killed} of {len(results)} killed ({100 * killed / max(len(results), 1):.1f}%), "
          f"{len(survived)} survived, {len(errors)} errors")
    for r in survived:
        print(f"  survived: {r[3]}: {r[4].strip()}  ->  {r[5]}")
    for r in errors:
        print(f"  error: {r[3]}: {r[5]}  [{r[6]}]")
    return 1 if survived or errors else 0


if __name__ == "__main__":
    sys.exit(main())
