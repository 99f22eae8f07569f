"""Hostile item 14: `check` exited 2 on a bad file but printed the error on stdout only.  The
error paragraph goes to stderr; the ✓/✗ report stays on stdout."""

from conftest import PROBLEMS, run_cli


def test_a_bad_file_in_check_reports_its_error_on_stderr(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: x\n")
    result = run_cli("check", str(broken), str(PROBLEMS / "q3a.yaml"), "--width", "120")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"hwsolve: error: {broken}, line 1: ")
    assert "the required key 'nodes' is missing" in result.stderr
    assert "required key" not in result.stdout
    assert "✗ broken: cannot be checked" in result.stdout
    assert "✓ q3a: 21/21 key entries match" in result.stdout
