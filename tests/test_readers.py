"""Every command that reads a file (issue 20, items 7, 18 and 19): each refuses a named pipe
(which would block forever), a device or a symlink to one (/dev/zero would eat memory), and a
file past its size limit (without reading it: the limit is checked on the descriptor), with
exit code 2 and one sentence naming the file.

One row per reader: (id, the file's name, the command line with {file}, its size limit in
bytes, xfail reason or None).  Each case runs in a real process with a time and a memory
limit, so that a reader that is not fixed yet fails its row instead of stalling the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import PROBLEMS, ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                                reason="needs named pipes and /dev/zero")

MiB = 1024 * 1024
PROBLEM_LIMIT = 4 * MiB        # hwsolve/spec/yamlread.py
CURVES_LIMIT = 256 * MiB       # hwsolve/teach/curves_csv.py


def _xfail(branch):
    return pytest.mark.xfail(strict=True, reason=f"fixed on branch {branch}")


READERS = [
    pytest.param("p.yaml", ["solve", "{file}"], PROBLEM_LIMIT, id="solve PROBLEM"),
    pytest.param("p.yaml", ["info", "{file}"], PROBLEM_LIMIT, id="info PROBLEM"),
    pytest.param("p.yaml", ["graph", "{file}", "-o", "{dir}/g.dot"], PROBLEM_LIMIT,
                 id="graph PROBLEM"),
    pytest.param("p.yaml", ["check", "{file}"], PROBLEM_LIMIT, id="check PROBLEM"),
    pytest.param("p.yaml", ["vary", "{file}"], PROBLEM_LIMIT, id="vary PROBLEM"),
    pytest.param("run.csv", ["curves", "{file}"], CURVES_LIMIT, id="curves CSV"),
    pytest.param("history.csv", ["curves", "{file}", "--column", "L=train_loss"],
                 CURVES_LIMIT, id="curves --history CSV"),
    pytest.param("c.yaml", ["curves", "{file}"], PROBLEM_LIMIT, id="curves kind: curves"),
    pytest.param("answers.yaml", ["grade", str(PROBLEMS / "q3a.yaml"), "{file}"],
                 PROBLEM_LIMIT, id="grade ANSWERS.yaml"),
    pytest.param("book.csv", ["grade", str(PROBLEMS / "q3a.yaml"), "{file}"], 64 * MiB,
                 id="grade gradebook CSV"),
]


def _limits():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1536 * MiB, 1536 * MiB))


def hwsolve(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HWSOLVE_DEBUG": "0"}
    try:
        return subprocess.run([sys.executable, "-m", "hwsolve", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=20,
                              preexec_fn=_limits)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hwsolve {' '.join(args)} hung (more than 20 s)")


def _make(kind: str, path, limit: int) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        os.symlink("/dev/zero", path)
    elif kind == "too large":
        with open(path, "wb") as handle:   # sparse: no disk space is used
            handle.truncate(limit + 1)


@pytest.mark.parametrize("kind, words", [
    ("fifo", "is not a regular file"),
    ("link to /dev/zero", "is not a regular file"),
    ("too large", "larger than"),
])
@pytest.mark.parametrize("name, argv, limit", READERS)
def test_reader_refuses(tmp_path, name, argv, limit, kind, words):
    path = tmp_path / name
    _make(kind, path, limit)
    args = [a.format(file=path, dir=tmp_path) for a in argv]
    done = hwsolve(args, tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"{path}" in done.stderr and words in done.stderr, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_a_device_given_directly_is_refused(tmp_path):
    done = hwsolve(["curves", "/dev/zero"], tmp_path)
    assert done.returncode == 2 and "/dev/zero: is not a regular file" in done.stderr
