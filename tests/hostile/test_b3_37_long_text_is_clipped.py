"""Batch 3, item 37: a too-long fraction cell was echoed in full (an 8 KB message).  Every
message clips an echoed token past 120 characters, whichever reader made it."""

import pytest

from conftest import PROBLEMS, run_cli

HUGE = "1" * 3000 + "/" + "3" * 5000


@pytest.mark.parametrize("case", ["answers", "key", "curves", "spec"])
def test_the_message_stays_short(tmp_path, case):
    if case == "answers":
        path = tmp_path / "a.yaml"
        path.write_text(f'student: s\nYhat: "{HUGE}"\n')
        result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(path))
    elif case == "key":
        text = (PROBLEMS / "q3a.yaml").read_text()
        path = tmp_path / "k.yaml"
        old = next(line for line in text.splitlines() if line.startswith("  L:"))
        path.write_text(text.replace(old, f'  L: "{HUGE}"', 1))
        result = run_cli("check", str(path))
    elif case == "curves":
        path = tmp_path / "run.csv"
        path.write_text(f"epoch,train_loss\n1,0.5\n2,{HUGE}\n")
        result = run_cli("curves", str(path))
    else:
        path = tmp_path / "s.yaml"
        path.write_text(f"title: t\ninputs: {{X1: {'9' * 8000}}}\nparams: {{W: 1}}\n"
                        "nodes: {a: W * X1}\noutput: a\nloss: none\n")
        result = run_cli(str(path))
    assert result.exit_code == 2
    assert len(result.stderr) < 600, len(result.stderr)
    assert "characters" in result.stderr or "1" * 41 not in result.stderr
