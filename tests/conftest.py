"""Shared helpers: problem text builders and a CLI runner that never hides a traceback."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwsolve.cli.app import cli

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("HWSOLVE_UPDATE_GOLDEN") == "1"


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
    path = GOLDEN / name
    if UPDATE_GOLDEN or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"output differs from {path} (HWSOLVE_UPDATE_GOLDEN=1 rewrites)"


def single_problems(paths) -> list:
    """Problem files without ``examples`` or ``train`` (tests/test_train.py covers those)."""
    import re
    return [p for p in paths if not re.search(r"^(examples|train):", p.read_text(), re.M)]
