"""Batch 3, item 27: Rich markup in a student name crashed `grade` (MarkupError on `[/bold]`)
and `[link=…]` was rendered.  User text is printed literally."""

from conftest import PROBLEMS, run_cli

Q3A = str(PROBLEMS / "q3a.yaml")


def test_markup_in_a_student_name_is_printed_literally(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: "[/bold] [link=http://evil]click[/link]"\nYhat: 0.69\n',
                    encoding="utf-8")
    result = run_cli("grade", Q3A, str(path), "--width", "200")
    assert result.exit_code == 1
    assert "[/bold] [link=http://evil]click[/link]" in result.output


def test_markup_in_a_class_table(tmp_path):
    (tmp_path / "a.yaml").write_text('student: "[red]x[/]"\nYhat: 0.69\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text('student: "[/bold]"\nL: abc\n', encoding="utf-8")
    result = run_cli("grade", Q3A, str(tmp_path), "--width", "200")
    assert result.exit_code == 3
    assert "[red]x[/]" in result.output
