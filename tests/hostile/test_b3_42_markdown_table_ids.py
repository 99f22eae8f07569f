"""Batch 3, item 42: a `|`, a new line or HTML in a student id broke the Markdown table."""

import re

from conftest import PROBLEMS, run_cli


def test_pipes_newlines_and_html_stay_in_their_cell(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text('id,Yhat\n"a|b",0.69\n"line1\nline2",0.69\n"<script>x</script>",0.69\n',
                    encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(book), "-f", "markdown")
    lines = result.stdout.splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 3                       # header, rule, three students
    assert all(len(re.split(r"(?<!\\)\|", line)) == 9 for line in table)
    assert "a\\|b" in result.stdout and "line1 line2" in result.stdout
    assert "<script>" not in result.stdout and "&lt;script&gt;" in result.stdout


def test_one_report_heading_stays_one_line(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: "x\\n# injected"\nYhat: 0.69\n', encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3a.yaml"), str(path), "-f", "markdown")
    # one heading line: the new line of the id cannot start a heading of its own
    assert "\n# injected" not in result.stdout and "### x # injected\n" in result.stdout
