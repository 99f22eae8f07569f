"""Shared helpers: problem text builders and a CLI runner that never hides a traceback.

The suite runs with HWSOLVE_DEBUG=1 (set below): the CLI's catch-all, which turns a bug into
one "internal error" paragraph for users, re-raises instead, so a bug fails its test with
the traceback rather than passing as "exit code 2".

Golden files (tests/golden/) are compared, never written: a missing or different golden
file fails.  After a deliberate change of the output, rewrite them explicitly with
``HWSOLVE_UPDATE_GOLDEN=1 python -m pytest tests`` and review the diff before committing.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwsolve.cli.app import cli

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"


def network_problems() -> list:
    """The shipped network problems (not the kind: curves / kind: identity files)."""
    return sorted(p for p in PROBLEMS.glob("*.yaml")
                  if not any(line.startswith("kind:") for line in p.read_text().splitlines()))


GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("HWSOLVE_UPDATE_GOLDEN") == "1"

os.environ["HWSOLVE_DEBUG"] = "1"  # also for subprocesses the tests start


def spec(nodes: str, *, inputs: str = "{X1: 2, X2: -1}", params: str = "{W: 1.5}",
         extra: str = "", label: str = "1") -> str:
    """A small valid problem around the given ``nodes`` block (YAML mapping text)."""
    return textwrap.dedent(f"""\
        title: test problem
        inputs: {inputs}
        params: {params}
        nodes: {nodes}
        label: {label}
        """) + textwrap.dedent(extra)


def run_cli(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False,
                               prog_name="hwsolve")
    return result


@pytest.fixture
def write(tmp_path):
    """write(text, name) -> path of a problem file in a temporary directory."""
    def _write(text: str | bytes, name: str = "p.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path
    return _write


def check_golden(name: str, text: str) -> None:
    """``text`` must equal tests/golden/NAME; only HWSOLVE_UPDATE_GOLDEN=1 (re)writes it."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(text)
    assert path.exists(), (f"the golden file {path} is missing; write it on purpose with "
                           "HWSOLVE_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_text(), f"output differs from {path} (HWSOLVE_UPDATE_GOLDEN=1 rewrites)"


def single_problems(paths) -> list:
    """Problem files without ``examples`` or ``train`` (tests/test_train.py covers those)."""
    import re
    return [p for p in paths if not re.search(r"^(examples|train):", p.read_text(), re.M)]


# ------------------------------------------------------------- no silent skips in CI
# .ci/run installs torch, matplotlib, pdflatex and Graphviz and sets HWSOLVE_NO_TOOL_SKIPS=1:
# there, a test that skips because one of those tools is missing fails the run, so CI can
# never go green with the cross-checks, the LaTeX or the pictures quietly not run.

_TOOL_WORDS = ("torch", "pytorch", "verify extra", "pdflatex", "graphviz", "matplotlib",
               "plot extra", "nbclient", "nbformat", "ipykernel", "xmllint")
_tool_skips: list = []


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _note_tool_skip(report) -> None:
    if os.environ.get("HWSOLVE_NO_TOOL_SKIPS") != "1" or not report.skipped:
        return
    reason = _skip_reason(report)
    if any(word in reason.lower() for word in _TOOL_WORDS):
        _tool_skips.append(f"{report.nodeid}: {reason}")


def pytest_runtest_logreport(report):
    _note_tool_skip(report)


def pytest_collectreport(report):
    _note_tool_skip(report)


def pytest_sessionfinish(session, exitstatus):
    if _tool_skips and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _tool_skips:
        terminalreporter.section("tests skipped for a tool that CI installs (HWSOLVE_NO_TOOL_SKIPS=1)")
        for line in _tool_skips[:50]:
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"{len(_tool_skips)} such skips: the run fails")
