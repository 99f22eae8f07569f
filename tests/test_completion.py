"""Shell completion of problem names (`hwsolve q<TAB>`), through click's completion protocol:
the shell runs hwsolve with _HWSOLVE_COMPLETE and COMP_WORDS / COMP_CWORD set."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from hwsolve.cli.app import cli
from conftest import ROOT


def complete(words: str, shell: str = "bash") -> list:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"_HWSOLVE_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(cword)}
    result = CliRunner().invoke(cli, [], env=env, prog_name="hwsolve")
    assert result.exit_code == 0, result.output
    return result.output.split()


def test_a_problem_name_completes_at_the_top_level():
    assert complete("hwsolve q3") == ["plain,q3a", "plain,q3b"]
    assert complete("hwsolve tr") == ["plain,transcendental"]


def test_the_top_level_offers_commands_and_problems():
    items = complete("hwsolve ")
    commands = [f"plain,{name}" for name in cli.list_commands(None)]
    assert "plain,check" in commands and "plain,solve" in commands
    assert items[:len(commands)] == commands
    assert "plain,mlp331" in items and "plain,q3a" in items


@pytest.mark.parametrize("words, expected", [
    ("hwsolve solve ml", ["plain,mlp331"]),
    ("hwsolve graph dee", ["plain,deep_chain"]),
    ("hwsolve check q3a fan", ["plain,fanout"]),
    ("hwsolve q3a --format m", ["plain,markdown"]),
])
def test_commands_complete_problem_names_and_options(words, expected):
    assert complete(words) == expected


def test_a_path_completes_as_a_file():
    assert complete("hwsolve ./pro") == ["file,./pro"]


def test_problems_in_the_working_folder_complete_too(tmp_path, monkeypatch):
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "quiz7.yaml").write_text("title: x\n")
    monkeypatch.chdir(tmp_path)
    assert complete("hwsolve qu") == ["plain,quiz7"]


@pytest.mark.parametrize("launcher", [["-m", "hwsolve"], [str(ROOT / "hwsolve" / "scripts" /
                                                              "hwsolve")]])
def test_the_fast_launcher_passes_completion_to_click(launcher):
    """hwsolve/cli/entry.py answers --help and list itself; a completion request must reach
    click, whatever the words."""
    for words, cword, expected in (("hwsolve q3", "1", "plain,q3a\nplain,q3b\n"),
                                   ("hwsolve list", "1", "plain,list\n"),
                                   ("hwsolve --help", "1", "plain,--help\n")):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "_HWSOLVE_COMPLETE": "bash_complete",
               "COMP_WORDS": words, "COMP_CWORD": cword}
        done = subprocess.run([sys.executable, *launcher], env=env, capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected


def test_the_completion_scripts_are_generated():
    for shell in ("bash", "zsh", "fish"):
        result = CliRunner().invoke(cli, [], env={"_HWSOLVE_COMPLETE": f"{shell}_source"},
                                    prog_name="hwsolve")
        assert result.exit_code == 0 and "_HWSOLVE_COMPLETE" in result.output, shell
