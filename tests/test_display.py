"""How output reaches the terminal (issue 21): NO_COLOR means no styles at all, counted nouns
agree with their counts, and messages go to stderr while results go to stdout."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import PROBLEMS, ROOT, run_cli

from hwsolve import api
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


def test_a_packaged_problem_is_shown_by_its_short_path(tmp_path):
    # from another folder, q3a is the packaged problem: its error names problems/q3a.yaml,
    # not the installation's full path
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "hwsolve", "q3a", "--label", "5"],
                            capture_output=True, text=True, env=environment, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("hwsolve: error: problems/q3a.yaml, at --label:")
    assert str(ROOT) not in result.stderr


def test_info_at_80_columns_wraps_at_word_boundaries():
    info = api.info("q3a")
    result = run_cli("info", "q3a", "--width", "80")
    shown = result.stdout.split()
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    for row in info.parameters + info.hyperparameters + info.inputs + info.constants:
        for word in row["reason"].split():       # e.g. "classification", never split in two
            assert word in shown, word


def test_a_table_title_is_kept_whole():
    result = run_cli("batch_xor_momentum", "--width", "80")
    lines = result.stdout.splitlines()
    assert any(line.strip() == "batch of 4: L = mean of the examples' losses; every ∇ is of "
               "that L" for line in lines), result.stdout


def test_shown_arithmetic_adds_up():
    from hwsolve.render.shown import digits_text
    from fractions import Fraction
    assert digits_text(Fraction(2999, 10000), 3) == "0.300"      # 3 digits, not "0.3"
    assert digits_text(Fraction(3, 2), 3) == "1.5" and digits_text(Fraction(2), 3) == "2"
    out = run_cli("q3b", "--steps", "--width", "200").stdout
    # by hand: (-1.24)·(-2) = 2.48, so the unrounded 2.487 shown as 2.49 is ≈
    assert "so dL/dX3 = -1.24·(-2) ≈ 2.49" in out
    # 0.622·(-2) = -1.244 rounds to the -1.24 shown: =
    assert "so dL/dH2 = 0.622·(-2) = -1.24" in out


def test_a_small_update_shows_its_change():
    # Mazur's walkthrough: w1 = 0.15 becomes 0.149780716 after one step (published); at 3
    # digits that printed "0.15 → 0.15"
    out = run_cli("mazur_2_2_2_train", "--width", "100").stdout
    row = next(line for line in out.splitlines() if "W1[1, 1]" in line)
    assert "0.15" in row and "0.1498" in row
    assert "L: 0.298 → 0.291" in out


def test_sigmoid_with_bce_says_dl_dz_is_yhat_minus_y():
    # q3b: Ŷ = 0.378, Y = 1, so dL/dR = 0.378 - 1 = -0.622 (the seed's Q3b table)
    out = run_cli("q3b", "--steps", "--width", "200").stdout
    assert "that is dL/dR = Ŷ - Y = 0.378 - 1 = -0.622" in out
    assert "sigmoid with binary cross-entropy" in out


def test_label_takes_a_vector():
    for text in ("0,1,0", "[0, 1, 0]"):
        result = run_cli("softmax_3x2", "--label", text, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json_of(result)["label"] == [0, 1, 0]
    # Ŷ of softmax_3x2 is [0.0986…, 0.659…, 0.242…] (its key): with Y = e2, dL/dz = Ŷ - Y
    steps = run_cli("softmax_3x2", "--label", "0,1,0", "--steps", "--width", "200").stdout
    assert "that is dL/dz[2] = Ŷ[2] - Y[2] = 0.659 - 1 = -0.341" in steps
    bad = run_cli("softmax_3x2", "--label", "0,,1")
    assert bad.exit_code == 2 and "empty entry" in bad.stderr
    short = run_cli("softmax_3x2", "--label", "0,1")
    assert short.exit_code == 2 and "vector of 2" in short.stderr


def json_of(result):
    import json
    return json.loads(result.stdout)


def test_quiet_says_nothing_about_files_written(tmp_path):
    import shutil
    out = tmp_path / "g.dot"
    result = run_cli("graph", "q3a", "-o", str(out), "-q")
    assert result.exit_code == 0 and out.exists() and result.output == ""
    result = run_cli("vary", "q3a", "-o", str(tmp_path / "v"), "--count", "2", "-q")
    assert result.exit_code == 0 and result.output == ""
    assert len(list((tmp_path / "v").glob("*.yaml"))) == 2
    copy = tmp_path / "q3a.yaml"
    shutil.copy(PROBLEMS / "q3a.yaml", copy)
    loud = run_cli("key", str(copy))
    assert loud.exit_code == 0 and loud.output
    quiet = run_cli("key", str(copy), "-q")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_every_subcommand_help_shows_examples():
    for command in ("check", "key", "vary", "grade", "info", "curves", "graph", "prove",
                    "derive"):
        text = run_cli(command, "--help").output
        usage = text.split("Options:")[0]
        assert f"    hwsolve {command} " in usage, command


class _Terminal:
    """A stderr that says it is a terminal, keeping what is written."""
    def __init__(self):
        import io
        self.buffer = io.StringIO()

    def isatty(self):
        return True

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass


def test_progress_shows_on_a_terminal_only_past_its_delay():
    from hwsolve.cli.console import progress
    terminal = _Terminal()
    with progress(3, "checking", after=0, stream=terminal) as bar:
        for _ in range(3):
            bar.advance()
    assert "checking" in terminal.buffer.getvalue()
    quick = _Terminal()
    with progress(3, "checking", after=60, stream=quick) as bar:
        for _ in range(3):
            bar.advance()
    assert quick.buffer.getvalue() == ""          # a quick run prints nothing extra
    import io
    pipe = io.StringIO()
    with progress(3, "checking", after=0, stream=pipe) as bar:
        for _ in range(3):
            bar.advance()
    assert pipe.getvalue() == ""                  # never bar frames in a pipe or a log


def test_the_formulas_keep_their_digits_too():
    # q3a: Ŷ = σ(0.8) = 0.68997… (the seed's 0.690): every place it is shown reads 0.690
    out = run_cli("q3a", "--steps", "--width", "200").stdout
    assert "dL/dŶ = (Ŷ - Y)/(Ŷ·(1 - Ŷ)) = (0.690 - 0)/(0.690·(1 - 0.690)) = 3.23" in out
