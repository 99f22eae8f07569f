"""How output reaches the terminal (issue 21): NO_COLOR means no styles at all, counted nouns
agree with their counts, and messages go to stderr while results go to stdout."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import PROBLEMS, ROOT, run_cli

from hwsolve.words import plural


def _check_q3a(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-m", "hwsolve", "check", str(PROBLEMS / "q3a.yaml")],
                          capture_output=True, text=True, env=environment, cwd=ROOT).stdout


def test_no_color_turns_off_bold_too():
    assert "\x1b[" in _check_q3a(FORCE_COLOR="1")     # a terminal gets styles (bold summary)
    plain = _check_q3a(FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[" not in plain and "1 problem," in plain


def test_counted_nouns_agree_with_their_counts():
    assert plural(1, "problem") == "1 problem" and plural(2, "problem") == "2 problems"
    assert plural(0, "key entry", "key entries") == "0 key entries"
    result = run_cli("check", str(PROBLEMS / "q3a.yaml"), str(PROBLEMS / "q3b.yaml"))
    assert "2 problems," in result.output and "0 differences, 0 errors" in result.output
    assert "(s)" not in result.output


def test_wrote_goes_to_stderr(tmp_path):
    out = tmp_path / "q3a.dot"
    result = run_cli("graph", "q3a", "-o", str(out))
    assert result.exit_code == 0 and out.exists()
    assert result.stdout == "" and f"wrote {out}" in result.stderr
