"""Batch 3, items 41 and 42, for the commands of this branch (grade's own output is fixed on
its branch; tests/test_user_text.py has the full table): control characters in user text
reach no terminal, and a new line, a | or HTML in a title cannot break a Markdown heading or
table."""

from conftest import PROBLEMS, run_cli


def test_prove_escapes_control_characters_in_its_sides():
    result = run_cli("prove", "x # \x1b]0;owned\x07 [/bold]", "x")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;owned\\x07 [/bold]" in result.stdout


def test_curves_escapes_a_file_name(tmp_path):
    path = tmp_path / "run\x1b[2J[bold].csv"
    path.write_text("epoch,train_loss,val_loss\n" + "".join(
        f"{e},{1 / e:.4f},{0.2 + 1 / e:.4f}\n" for e in range(1, 15)))
    for fmt in ("table", "markdown"):
        result = run_cli("curves", str(path), "-f", fmt)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout


def test_a_title_with_new_lines_is_one_markdown_heading(tmp_path):
    text = (PROBLEMS / "q3a.yaml").read_text()
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    path = tmp_path / "p.yaml"
    path.write_text(text.replace(old, 'title: "A | B\\n# not a heading\\n<b>bold</b>"'))
    result = run_cli(str(path), "-f", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "### A \\| B # not a heading &lt;b&gt;bold&lt;/b&gt;"
    assert not any(line.startswith("# ") for line in lines)
    info = run_cli("info", str(path), "-f", "markdown").stdout.splitlines()
    assert info[0].startswith("### A \\| B # not a heading &lt;b&gt;")
