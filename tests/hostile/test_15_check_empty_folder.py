"""Hostile item 15: `check` on an empty folder, or one without a .yaml file, exited 0 with
"0 problem(s)", so a CI job pointed at the wrong folder passed.  It is an error (exit 2)."""

import pytest

from conftest import run_cli


@pytest.mark.parametrize("contents", [{}, {"notes.txt": "x", "q.yaml.bak": "title: x\n"}])
def test_check_on_a_folder_without_problems_is_an_error(tmp_path, contents):
    folder = tmp_path / "keys"
    folder.mkdir()
    for name, text in contents.items():
        (folder / name).write_text(text)
    result = run_cli("check", str(folder))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"hwsolve: error: {folder}: ")
    assert "no .yaml or .yml problem files" in result.stderr
    assert result.stdout == ""
