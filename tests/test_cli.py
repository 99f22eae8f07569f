"""The command line, through click's CliRunner: outputs, formats and exit codes.

Golden files are compared, never written; HWSOLVE_UPDATE_GOLDEN=1 rewrites them (see conftest).
"""

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import PROBLEMS, ROOT, check_golden, run_cli, spec

SEED_Q3A = ["0.69", "1.17", "[-0.138, 1.38]", "[-0.69, 0.69]", "[-0.069, 0.069]", "0.069",
            "-0.621", "0.276"]
SEED_Q3B = ["0.378", "0.974", "0.622", "-0.622", "-1.24", "-1.45", "-0.415", "2.49", "-4.67",
            "-0.934"]


@pytest.mark.parametrize("name, width", [("q3a", 80), ("q3a", 120), ("q3b", 80), ("q3b", 120)])
def test_answer_tables_match_golden_files(name, width):
    result = run_cli(name, "--width", str(width))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width
    check_golden(f"table_{name}_{width}.txt", result.output)


@pytest.mark.parametrize("name, numbers", [("q3a", SEED_Q3A), ("q3b", SEED_Q3B)])
def test_tables_show_the_seed_numbers(name, numbers):
    output = run_cli(name, "--width", "80").output
    for number in numbers:
        assert f" {number} " in output, number


def test_q3b_tanh_mse():
    result = run_cli("q3b", "--loss", "mse", "--act", "tanh", "--width", "200")
    assert result.exit_code == 0 and " 1.07 " in result.output
    assert " 1.069 " in run_cli("q3b", "--loss", "mse", "--act", "tanh", "--digits", "4",
                                "--width", "200").output


def test_q3a_tanh_mse_notes_the_label():
    result = run_cli("q3a", "--act", "tanh", "--loss", "mse", "--width", "200")
    assert result.exit_code == 0
    assert " 1.38 " in result.output and "label 0 was replaced by -1" in result.output
    assert " 1.385 " in run_cli("q3a", "--act", "tanh", "--loss", "mse", "--digits", "4",
                                "--width", "200").output


def test_variant_option_uses_the_variant_head():
    result = run_cli("q3a", "--variant", "tanh-mse", "--width", "200")
    assert "variant tanh-mse, tanh output, mse loss" in result.output


def test_json_document():
    result = run_cli("q3b", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert list(doc) == ["problem", "title", "activation", "loss", "label", "values", "grad",
                         "warnings", "accuracy"]
    assert doc["problem"] == "q3b" and doc["label"] == 1 and doc["warnings"] == []
    assert doc["values"]["X1"] == 2.0 and doc["values"]["H1"] == 1.5
    assert doc["values"]["Yhat"] == pytest.approx(0.3775406687981454, rel=1e-15)
    assert doc["values"]["L"] == pytest.approx(0.9740769841801067, rel=1e-15)
    assert doc["grad"]["X1"] == pytest.approx(-0.9336887, rel=1e-6)
    assert set(doc["grad"]) == {"X1", "X2", "X3", "W1", "B1", "W2", "H1", "H2", "H3", "H4",
                                "H5", "R", "Yhat"}
    q3a = json.loads(run_cli("q3a", "-f", "json").output)
    assert q3a["values"]["alpha"] == 0.1 and "alpha" not in q3a["grad"]
    assert q3a["grad"]["W3"] == pytest.approx([-0.137995, 1.37995], rel=1e-5)


def test_markdown_and_csv():
    md = run_cli("q3b", "--format", "markdown").output
    assert md.splitlines()[2].startswith("| Ŷ | L | ∇H5 |")
    assert "| 0.378 | 0.974 | 0.622 |" in md
    csv_lines = run_cli("q3a", "--format", "csv").output.splitlines()
    assert csv_lines[0].startswith("Yhat,L,dL/dW3[1],dL/dW3[2],dL/dB3")
    assert float(csv_lines[1].split(",")[2]) == pytest.approx(-0.137995, rel=1e-5)


def test_values_table_shows_exact_forms():
    output = run_cli("q3a", "--values", "--width", "120").output
    assert "-1/5" in output and "Forward values and gradients" in output


def test_list_shows_every_problem_with_its_title():
    result = run_cli("list")
    assert result.exit_code == 0
    for path in PROBLEMS.glob("*.yaml"):
        assert path.stem in result.output
    assert "Q3b: custom graph" in result.output


def test_check_passes_on_shipped_problems():
    result = run_cli("check", "--width", "120")
    assert result.exit_code == 0, result.output
    assert "0 differences, 0 errors" in result.output


def edited_copy(folder, problem: str, old: str, new: str):
    """A shipped problem with one piece of text replaced, saved as FOLDER/PROBLEM_edited.yaml."""
    text = (PROBLEMS / f"{problem}.yaml").read_text()
    assert old in text
    path = folder / f"{problem}_edited.yaml"
    path.write_text(text.replace(old, new))
    return path


def test_check_reports_a_wrong_key_with_expected_and_computed(tmp_path):
    path = edited_copy(tmp_path, "q3b", "X1: -0.934}", "X1: -0.943}")
    result = run_cli("check", str(path), "--width", "120")
    assert result.exit_code == 1
    assert "∇X1" in result.output and "-0.943" in result.output and "-0.933689" in result.output
    assert "1 difference," in result.output


def test_check_reports_a_wrong_variant_key(tmp_path):
    path = edited_copy(tmp_path, "q3a", "L: 1.385", "L: 1.386")
    result = run_cli("check", str(path), "--width", "120")
    assert result.exit_code == 1 and "tanh-mse" in result.output


def test_check_with_a_broken_problem_exits_2(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("title: x\n")
    result = run_cli("check", str(path), str(PROBLEMS / "q3a.yaml"))
    assert result.exit_code == 2 and "broken" in result.output and "q3a: 21/21" in result.output


BAD_INPUTS = {
    "undefined name": (spec("{a: X9}"), "not defined"),
    "use before definition": (spec("{a: b, b: X1}"), "defined below"),
    "self reference": (spec("{a: a + 1}"), "refers to itself"),
    "division by zero": (spec("{a: X1 + X2 - 1, b: W / a}"), "node b.*division by zero"),
    "log of non-positive": (spec("{a: log(X2)}"), "node a.*log of a non-positive"),
    "unknown key": (spec("{a: X1}") + "lable: 1\n", "unknown key 'lable'"),
    "non-numeric value": (spec("{a: X1}", inputs="{X1: two}"), "not a plain decimal"),
    "quoted number": (spec("{a: X1}", inputs="{X1: '2'}"), "quoted text"),
    "wrong vector length": (spec("{a: 'dot(W, [X1])'}", params="{W: [1, 2]}"), "equal length"),
    "index out of range": (spec("{a: 'W[3]'}", params="{W: [1, 2]}"), "out of range"),
    "bce with tanh": (spec("{a: X1}") + "activation: tanh\n", "bce needs an output"),
    "label outside [0, 1]": (spec("{a: X1}", label="2"), "label in \\[0, 1\\]"),
    "attribute access": (spec("{a: X1.real}"), "attribute access"),
    "lambda": (spec("{a: '(lambda: 1)()'}"), "only the functions"),
    "string": (spec("{a: '\"x\"'}"), "strings"),
    "comparison": (spec("{a: X1 < X2}"), "comparisons"),
    "caret": (spec("{a: X1 ^ 2}"), "'\\*\\*'"),
    "dunder": (spec("{a: X1.__class__}"), "attribute access"),
    "dunder name": (spec("{a: __builtins__}"), "__"),
    "yes as number": (spec("{a: X1}", inputs="{X1: yes}"), "boolean"),
    "sexagesimal": (spec("{a: X1}", inputs="{X1: 1:30}"), "sexagesimal"),
    "octal": (spec("{a: X1}", inputs="{X1: 010}"), "octal"),
    "hex": (spec("{a: X1}", inputs="{X1: 0x1F}"), "hexadecimal"),
    "inf": (spec("{a: X1}", inputs="{X1: .inf}"), "finite"),
    "nan": (spec("{a: X1}", inputs="{X1: .nan}"), "finite"),
    "duplicate key": (spec("{a: X1, a: X2}"), "duplicate key"),
    "alias bomb": ("a: &a [x, x, x]\nb: &b [*a, *a, *a]\n", "aliases"),
    "deep yaml": ("[" * 50_000 + "]" * 50_000, "nested|nesting"),
    "deep expression": (spec("{a: '" + "(" * 50_000 + "X1" + ")" * 50_000 + "'}"),
                        "longer than|nested"),
    "deep unary": (spec("{a: '" + "-" * 9_000 + "X1'}"), "too long or too deeply nested"),
    "empty file": ("", "empty"),
    "not a mapping": ("- 1\n- 2\n", "must be a mapping"),
    "binary file": (b"\x7fELF\x02\x01\x01\0\0\0", "binary"),
    "multi-megabyte file": ("# " + "x" * (5 * 1024 * 1024) + "\n", "larger than"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_clear_paragraph(case, write):
    text, message = BAD_INPUTS[case]
    path = write(text)
    result = run_cli(str(path))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # nothing on stdout; the message goes to stderr
    assert result.stderr.startswith("hwsolve: error: ")
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert re.search(message, result.stderr), result.stderr


def test_missing_file_and_unknown_name_exit_2():
    for arg in ("no_such_file.yaml", "no_such_problem"):
        result = run_cli(arg)
        assert result.exit_code == 2 and "hwsolve: error:" in result.stderr


@pytest.mark.parametrize("args", [["q3a", "--label", "abc"], ["q3a", "--label", "1.5"],
                                  ["q3a", "--variant", "nope"], ["q3a", "--act", "relu"],
                                  ["q3a", "--digits", "0"], ["q3a", "--format", "xml"]])
def test_bad_options_exit_2(args):
    assert run_cli(*args).exit_code == 2


def test_spec_text_is_never_executed(write, tmp_path):
    marker = tmp_path / "pwned"
    payloads = [f"__import__('os').system('touch {marker}')",
                f"exp(__import__('os').system('touch {marker}'))",
                "[c for c in ().__class__.__base__.__subclasses__()]",
                f"open('{marker}', 'w')",
                f"eval(\"open('{marker}', 'w')\")"]
    for payload in payloads:
        text = yaml.safe_dump({"title": "t", "inputs": {"X1": 1}, "nodes": {"a": payload},
                               "label": 1})
        result = run_cli(str(write(text)))
        assert result.exit_code == 2 and "at nodes.a" in result.stderr, payload
    assert not marker.exists()


def test_module_entry_point_and_console_script():
    result = subprocess.run([sys.executable, "-m", "hwsolve", "q3b", "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and json.loads(result.stdout)["problem"] == "q3b"
    if shutil.which("hwsolve"):
        result = subprocess.run(["hwsolve", "q3a"], capture_output=True, text=True, cwd="/")
        assert result.returncode == 0 and "0.69" in result.stdout


def test_plain_solve_does_not_import_sympy():
    code = ("import sys; from click.testing import CliRunner; from hwsolve.cli.app import cli; "
            "r = CliRunner().invoke(cli, ['q3a']); assert r.exit_code == 0, r.output; "
            "print('sympy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


def test_fast_help_is_exactly_clicks_help():
    from hwsolve.cli.entry import GROUP_HELP
    assert run_cli("--help").output == GROUP_HELP


def test_fast_list_equals_the_click_command(monkeypatch, capsys):
    from hwsolve.cli import entry
    monkeypatch.setattr(sys, "argv", ["hwsolve", "list"])
    entry.main()
    assert capsys.readouterr().out == run_cli("list").output


def test_help_and_list_import_neither_click_nor_yaml():
    for command in ("--help", "list"):
        code = (f"import sys; sys.argv = ['hwsolve', '{command}']; from hwsolve.cli.entry import "
                "main; main(); print([m for m in ('click', 'yaml', 'sympy', 'mpmath', 'rich') "
                "if m in sys.modules])")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                cwd=ROOT)
        assert result.stdout.splitlines()[-1] == "[]", result.stderr


def test_titles_in_unusual_yaml_forms(tmp_path, monkeypatch):
    from hwsolve.spec.problems import read_title
    cases = {"plain": ("title: Plain title # comment\n", "Plain title"),
             "single": ("title: 'It''s quoted'\n", "It's quoted"),
             "double": ('title: "Say \\"hi\\""\n', 'Say "hi"'),
             "folded": ("title: >\n  Folded\n  title\n", "Folded title\n"),
             "continued": ("title: first\n  second\n", "first second")}
    for name, (text, title) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        assert read_title(str(path)) == title, name


def test_an_internal_bug_is_one_paragraph_not_a_traceback(monkeypatch):
    from hwsolve.render import common as render
    monkeypatch.delenv("HWSOLVE_DEBUG")  # what a user sees
    monkeypatch.setattr(render, "to_json", lambda solution: 1 / 0)
    result = run_cli("q3a", "--format", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith("hwsolve: internal error (ZeroDivisionError")
    assert "Traceback" not in result.output


def test_check_accepts_single_vector_entries_and_folders(tmp_path):
    text = (PROBLEMS / "q3a.yaml").read_text().replace(
        "  values: {z1: -2,", "  values: {'W3[2]': 1, z1: -2,").replace(
        "grad: {W3: [-0.138, 1.38],", "grad: {'W3[2]': 1.38, 'W1[1]': -0.069,")
    (tmp_path / "q3a_entries.yaml").write_text(text)
    (tmp_path / "q3b_wrong.yaml").write_text(
        (PROBLEMS / "q3b.yaml").read_text().replace("X3: 2.49", "X3: 2.48"))
    result = run_cli("check", str(tmp_path), "--width", "120", "--all")
    assert result.exit_code == 1
    assert "∇W3[2]" in result.output and "value W3[2]" in result.output
    assert "q3a_entries: 22/22" in result.output and "q3b_wrong: 19/20" in result.output


def test_an_entry_of_a_missing_index_is_an_error(write):
    path = write(spec("{a: 'W[1] * X1'}", params="{W: [1, 2]}",
                      extra="answers: {grad: {'W[3]': 1}}\n"))
    result = run_cli("check", str(path))
    assert result.exit_code == 2 and "W[3] does not exist" in result.output


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_a_vector_wider_than_the_terminal_folds_and_no_number_is_cut(write, width):
    entries = ", ".join(f"{(-1) ** i * (0.1 + i / 7):.3f}" for i in range(16))
    path = write(spec("{z: 'dot(W, X)'}", inputs=f"{{X: [{entries}]}}",
                      params=f"{{W: [{entries}]}}"))
    output = run_cli(str(path), "--width", str(width)).output
    assert max(len(line) for line in output.splitlines()) <= width
    from hwsolve import api, num
    gradient = api.solve_file(path).grad["W"]
    shown = re.findall(r"-?[0-9][0-9.e-]*", output.split("∇W", 1)[1].split("∇X", 1)[0])
    assert shown == [num.fmt_sig(g, 3) for g in gradient]


def test_an_unwritable_output_is_an_error_not_a_bug(tmp_path):
    result = run_cli("generate", "5", "-o", str(tmp_path / "missing" / "p.yaml"))
    assert result.exit_code == 2
    assert result.stderr.startswith("hwsolve: error: ") and "No such file" in result.stderr


def test_a_closed_pipe_stops_quietly():
    code = ("import sys; sys.argv = ['hwsolve', 'generate', '20000']; "
            "from hwsolve.cli.entry import main; main()")
    reader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=ROOT)
    reader.stdout.read(100)
    reader.stdout.close()
    stderr = reader.stderr.read().decode()
    reader.wait()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_values_table_shows_exact_fractions_only_where_they_add_something(write):
    path = write(spec("{a: X1 * X2, b: a / 3, c: X1 * 1e-300}", inputs="{X1: 2, X2: 0.1}"))
    output = run_cli(str(path), "--values", "--width", "100").output
    rows = {line.split()[0]: line for line in output.splitlines()
            if line.startswith("  ") and line.strip()}
    assert "1/5" in rows["a"] and "1/15" in rows["b"]
    assert "…" not in output and "0000000000" not in rows["c"]


def test_hwsolve_debug_reraises_an_internal_bug(monkeypatch):
    from hwsolve.render import common as render
    monkeypatch.setattr(render, "to_json", lambda solution: 1 / 0)
    monkeypatch.setenv("HWSOLVE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        run_cli("q3a", "--format", "json")


def test_a_missing_golden_file_fails(monkeypatch):
    import conftest
    monkeypatch.setattr(conftest, "UPDATE_GOLDEN", False)
    with pytest.raises(AssertionError, match="golden file .* is missing"):
        check_golden("no_such_golden_file.txt", "text")
    assert not (conftest.GOLDEN / "no_such_golden_file.txt").exists()


def test_values_table_shows_exact_rational_gradients(write):
    """z = W·X1/X2 = 6/7 with identity/mse and Y = 0, by hand: dL/dz = 6/7, dL/dW = 12/49,
    dL/dX1 = 18/49, dL/dX2 = -W·X1/X2²·6/7 = -36/343 (printed as -0.105 before)."""
    path = write(spec("{z: W * X1 / X2}", inputs="{X1: 2, X2: 7}", params="{W: 3}", label="0",
                      extra="activation: identity\nloss: mse\n"))
    output = run_cli(str(path), "--values", "--exact", "--width", "100").output
    rows = {line.split()[0]: line.split() for line in output.splitlines()
            if line.startswith("  ") and line.strip()}
    assert rows["W"][-2:] == ["0.245", "12/49"]
    assert rows["X1"][-2:] == ["0.367", "18/49"]
    assert rows["X2"][-2:] == ["-0.105", "-36/343"]
    assert rows["z"][-4:] == ["0.857", "6/7", "0.857", "6/7"]
    assert rows["L"][-2:] == ["0.367", "18/49"]


# ------------------------------------------------------------------ first contact (issue 21)

def test_hwsolve_alone_prints_the_help_and_succeeds():
    import subprocess
    done = subprocess.run([sys.executable, "-m", "hwsolve"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0
    assert "Commands:" in done.stdout and "check" in done.stdout
    assert run_cli().exit_code == 0


def test_a_typo_of_a_command_names_the_command():
    result = run_cli("chek", "q3a")
    assert result.exit_code == 2
    assert "did you mean the command 'check'" in result.output
    result = run_cli("lst")
    assert result.exit_code == 2 and "did you mean the command 'list'" in result.output


def test_help_command_and_short_version():
    assert "Usage: hwsolve grade" in run_cli("help", "grade").output
    result = run_cli("help", "grde")
    assert result.exit_code == 2 and "did you mean 'grade'" in result.output
    assert "Commands:" in run_cli("help").output
    assert "version" in run_cli("-V").output


def test_problem_lookup_case_local_file_and_nearest_names(tmp_path, monkeypatch):
    assert run_cli("Q3a").exit_code == 0   # one problem differs only in case
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hw1.yaml").write_text((PROBLEMS / "q3a.yaml").read_text())
    result = run_cli("hw1")
    assert result.exit_code == 0 and "Ŷ" in result.output
    result = run_cli("mazur222")
    assert result.exit_code == 2
    assert "did you mean 'mazur_2_2_2'" in result.output
