"""Hostile item 17: control characters (ESC sequences) in a title or a description reached
the terminal through the answer table and `hwsolve list`, so a problem file could recolour,
clear or retitle the user's terminal.  They are written as visible escapes (\\x1b)."""

import pytest

from conftest import run_cli, spec
from hwsolve.spec.problems import titles_text

EVIL = spec("{a: W * X1}").replace(
    "title: test problem",
    'title: "\\e[31mRED\\e]0;owned\\a\\e[2J \\u202eevil"\ndescription: "\\e[5mblink\\x9b"')


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex", "json", "csv"])
def test_no_control_character_reaches_the_terminal(write, fmt):
    result = run_cli(str(write(EVIL)), "--format", fmt, "--width", "100")
    assert result.exit_code == 0, result.output
    assert not any(ch in result.output for ch in "\x1b\x07\x9b\u202e")
    if fmt == "table":
        assert "\\x1b[31mRED\\x1b]0;owned\\x07\\x1b[2J \\u202eevil" in result.output


def test_hwsolve_list_escapes_them_too(tmp_path, monkeypatch):
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "evil.yaml").write_text(EVIL)
    monkeypatch.chdir(tmp_path)
    for output in (titles_text(), run_cli("list").output):
        line = next(line for line in output.splitlines() if line.startswith("evil "))
        assert line.split(None, 1)[1] == "\\x1b[31mRED\\x1b]0;owned\\x07\\x1b[2J \\u202eevil"


def test_an_error_message_escapes_them(write):
    path = write(spec("{a: W * X1}", params='{"W\\e[2J": 1}'))
    result = run_cli(str(path))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "W\\x1b[2J" in result.stderr
