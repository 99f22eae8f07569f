"""Batch 3, item 41: grade printed student and file names with raw control characters (ESC,
OSC 8, U+202E).  They are escaped, as solve, info and curves do."""

import csv

from conftest import PROBLEMS, run_cli

NAME = "ann\x1b[31m\x1b]8;;http://x\x07\u202eevil"


def test_control_characters_are_escaped_everywhere(tmp_path):
    (tmp_path / "a.yaml").write_text(f'student: "{NAME.encode("unicode_escape").decode()}"\n'
                                     "Yhat: 0.69\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("Yhat: 0.69\nL: x\n", encoding="utf-8")
    for fmt in ("table", "markdown", "csv", "json"):
        result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(tmp_path), "-f", fmt,
                         "--width", "200")
        assert result.exit_code == 3
        text = result.stdout if fmt != "json" else result.stdout.encode().decode(
            "unicode_escape", "ignore")
        if fmt != "json":
            assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
            assert ("ann\\\\x1b\\[31m" if fmt == "markdown" else "ann\\x1b[31m") in text
        assert "\x1b" not in result.stderr
    rows = list(csv.reader(run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(tmp_path), "-f",
                                   "csv").stdout.splitlines()))
    assert rows[1][0].startswith("ann\\x1b")
