"""User text in every renderer (issue 20, items 27, 41, 42 and the user-text rule): a title,
a name or a student id carrying Rich markup, control characters, Markdown/HTML/LaTeX
metacharacters and a CSV formula prefix comes out inert in the terminal, Markdown, LaTeX,
HTML, CSV and Graphviz output of every command.

One row per (command, format): (id, a function of the test's folder that returns the output,
the output's kind).  Rows of commands owned by another branch are xfail(strict=True).
"""

from __future__ import annotations

import pytest

from conftest import PROBLEMS, run_cli
from hwsolve.render import usertext

EVIL = ("T [/bold] [link=https://evil.example]L[/link] | p\n# H <script>x</script> "
        "$\\frac{a}{b}$ & 50% ~ ^ _ {} `c` =1+1 \x1b[31m \u202e")
_YAML_TITLE = (EVIL.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\x1b", "\\e").replace("\u202e", "\\u202e"))

NETWORK = (PROBLEMS / "q3a.yaml").read_text().replace(
    next(line for line in (PROBLEMS / "q3a.yaml").read_text().splitlines()
         if line.startswith("title:")), f'title: "{_YAML_TITLE}"')
CURVES = (PROBLEMS / "q2a.yaml").read_text().replace(
    next(line for line in (PROBLEMS / "q2a.yaml").read_text().splitlines()
         if line.startswith("title:")), f'title: "{_YAML_TITLE}"')
IDENTITY = (PROBLEMS / "eca.yaml").read_text().replace(
    next(line for line in (PROBLEMS / "eca.yaml").read_text().splitlines()
         if line.startswith("title:")), f'title: "{_YAML_TITLE}"')
ANSWERS = f'student: "{_YAML_TITLE}"\nYhat: 0.5\n'


def _file(folder, name, text):
    path = folder / name
    path.write_text(text)
    return str(path)


def _cli(*args):
    def run(folder):
        names = {"{net}": ("net.yaml", NETWORK), "{curves}": ("c.yaml", CURVES),
                 "{identity}": ("id.yaml", IDENTITY), "{answers}": ("a.yaml", ANSWERS)}
        argv = [_file(folder, *names[a]) if a in names else a for a in args]
        if "{dot}" in argv:
            out = folder / "g.dot"
            argv[argv.index("{dot}")] = str(out)
            result = run_cli(*argv)
            assert result.exit_code == 0, result.output
            return out.read_text()
        if "{sheet}" in argv:
            out = folder / "v"
            argv[argv.index("{sheet}")] = str(out)
            result = run_cli(*argv)
            assert result.exit_code == 0, result.output
            return (out / "sheet.md").read_text()
        result = run_cli(*argv)
        assert result.exit_code in (0, 1), result.output
        return result.stdout
    return run


def _api(what):
    def run(folder):
        from hwsolve import api
        if what == "info":
            return api.info(_file(folder, "net.yaml", NETWORK))._repr_html_()
        if what == "curves":
            return api.curves(_file(folder, "c.yaml", CURVES))._repr_html_()
        return api.show(api.solve_file(_file(folder, "net.yaml", NETWORK)))._repr_html_()
    return run


def _xfail(branch):
    return pytest.mark.xfail(strict=True, reason=f"fixed on branch {branch}")


RENDERERS = [
    pytest.param(_cli("solve", "{net}"), "terminal", id="solve table"),
    pytest.param(_cli("solve", "{net}", "--steps"), "terminal", id="solve --steps"),
    pytest.param(_cli("solve", "{net}", "-f", "markdown"), "markdown", id="solve markdown"),
    pytest.param(_cli("solve", "{net}", "-f", "markdown", "--steps"), "markdown",
                 id="solve markdown --steps"),
    pytest.param(_cli("solve", "{net}", "-f", "latex", "--standalone"), "latex",
                 id="solve latex"),
    pytest.param(_api("solution"), "html", id="solution html"),
    pytest.param(_cli("info", "{net}"), "terminal", id="info table"),
    pytest.param(_cli("info", "{net}", "-f", "markdown"), "markdown", id="info markdown"),
    pytest.param(_api("info"), "html", id="info html"),
    pytest.param(_cli("curves", "{curves}", "--width", "100"), "terminal", id="curves text"),
    pytest.param(_cli("curves", "{curves}", "-f", "markdown"), "markdown",
                 id="curves markdown"),
    pytest.param(_api("curves"), "html", id="curves html"),
    pytest.param(_cli("solve", "{identity}"), "terminal", id="prove text"),
    pytest.param(_cli("solve", "{identity}", "-f", "markdown"), "markdown",
                 id="prove markdown"),
    pytest.param(_cli("solve", "{identity}", "-f", "latex", "--standalone"), "latex",
                 id="prove latex"),
    pytest.param(_cli("graph", "{net}", "-o", "{dot}"), "dot", id="graph dot"),
    pytest.param(_cli("grade", "{net}", "{answers}"), "terminal", id="grade table"),
    pytest.param(_cli("grade", "{net}", "{answers}", "-f", "markdown"), "markdown",
                 id="grade markdown"),
    pytest.param(_cli("vary", "{net}", "-o", "{sheet}", "--sheet"), "markdown",
                 id="vary --sheet markdown"),
]


def _inert_everywhere(out: str) -> None:
    assert "\x1b" not in out and "\u202e" not in out      # control characters escaped


@pytest.mark.parametrize("produce, kind", RENDERERS)
def test_user_text_is_inert(tmp_path, produce, kind):
    out = produce(tmp_path)
    _inert_everywhere(out)
    if kind == "terminal":   # printed literally: Rich did not eat the markup
        assert "[/bold]" in out and "[link=https://evil.example]L[/link]" in out
        assert "\\x1b[31m" in out
    elif kind == "markdown":
        assert "\\[/bold\\]" in out and "\\|" in out and "\\$" in out
        assert "&lt;script&gt;" in out and "<script>" not in out   # no HTML gets through
        headings = [line for line in out.splitlines() if line.startswith("#")]
        assert not any(line.startswith("# ") for line in headings)   # no heading injected
        assert "\n# H" not in out
    elif kind == "latex":
        assert r"\$\textbackslash{}frac\{a\}\{b\}\$" in out and r"50\%" in out
        assert r"\# H" in out and "\n# H" not in out and r"\_" in out
    elif kind == "html":
        assert "&lt;script&gt;" in out and "<script>" not in out
    elif kind == "dot":
        label = next(line for line in out.splitlines() if line.strip().startswith("label="))
        assert "# H" in label and "[/bold]" in label     # one line, the title kept whole


@pytest.mark.parametrize("cell, inert", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("alice", "alice"), ("a=b", "a=b"),
])
def test_csv_cells_are_never_formulas(cell, inert):
    assert usertext.csv_cell(cell) == inert


def test_grade_csv_student_ids_are_never_formulas(tmp_path):
    """A gradebook written by grade -f csv: a student id or a written answer that starts with
    = + - @ comes out as text (OWASP's CSV-injection rule), read back with the csv module."""
    import csv
    import io

    answers = tmp_path / "class"
    answers.mkdir()
    for n, student in enumerate(["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "alice"]):
        (answers / f"s{n}.yaml").write_text(f"student: '{student}'\nYhat: 0.69\n",
                                              encoding="utf-8")
    result = run_cli("grade", "q3a", str(answers), "-f", "csv")
    assert result.exit_code in (0, 1), result.output   # 1: some entries are wrong
    rows = list(csv.reader(io.StringIO(result.stdout)))
    ids = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in ids and "'+1" in ids and "'@SUM(A1)" in ids
    assert "alice" in ids
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), row
