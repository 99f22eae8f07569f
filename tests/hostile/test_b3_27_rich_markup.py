"""Batch 3, item 27: Rich markup in user text was interpreted: a title containing [/bold]
crashed `info` (MarkupError) and [link=…] was rendered.  User text prints literally in every
command of this branch (the grade command's rows are in tests/test_user_text.py)."""

import pytest

from conftest import PROBLEMS, run_cli

TITLE = "Q [/bold] [link=https://evil.example]here[/link] [red]x"


def _with_title(name, tmp_path):
    text = (PROBLEMS / name).read_text()
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    path = tmp_path / name
    path.write_text(text.replace(old, f'title: "{TITLE}"'))
    return str(path)


@pytest.mark.parametrize("argv", [
    ["info", "{q3a}"], ["solve", "{q3a}"], ["solve", "{q3a}", "--steps"],
    ["curves", "{q2a}"], ["solve", "{eca}"], ["check", "{q3a}"],
])
def test_markup_is_printed_literally(tmp_path, argv):
    args = [_with_title(a[1:-1] + ".yaml", tmp_path) if a.startswith("{") else a
            for a in argv]
    result = run_cli(*args, "--width", "120") if argv[0] in ("info", "curves") else \
        run_cli(*args)
    assert result.exit_code == 0, result.output
    if argv[0] != "check":
        assert TITLE in result.stdout
