"""Every command that writes a file (issue 20, items 14-16 and 30): it never writes over one of
its inputs (not even with --force), never replaces an existing file without --force, replaces
it with --force, and a failed write names the file and the option.

One row per writer: a new writer is one more row.  A row is (id, the problem file's name, the
command line with {input} and {out}, the output's name, xfail reason or None).  Rows of
commands owned by another branch are xfail(strict=True) until that branch is merged.
"""

from __future__ import annotations

import errno
import os

import pytest

from conftest import PROBLEMS, run_cli

CURVES_CSV = "epoch,train_loss,val_loss\n" + "".join(
    f"{e},{1 / e:.4f},{1 / e + 0.1:.4f}\n" for e in range(1, 21))
SINGLE = (PROBLEMS / "q3a.yaml").read_text()
TRAIN = (PROBLEMS / "mazur_2_2_2_train.yaml").read_text()


def _needs_matplotlib():
    pytest.importorskip("matplotlib")


def _xfail(branch):
    return pytest.mark.xfail(strict=True, reason=f"fixed on branch {branch}")


WRITERS = [
    pytest.param("solve -o", "p.yaml", SINGLE, ["solve", "{input}", "-o", "{out}"], "out.txt",
                 id="solve -o"),
    pytest.param("solve -o json", "p.yaml", SINGLE,
                 ["{input}", "-f", "json", "-o", "{out}"], "out.json", id="solve -o json"),
    pytest.param("--history", "p.yaml", TRAIN,
                 ["{input}", "--train-steps", "2", "--history", "{out}"], "h.csv",
                 id="--history"),
    pytest.param("--plot (training)", "p.yaml", TRAIN,
                 ["{input}", "--train-steps", "2", "--plot", "{out}"], "loss.svg",
                 id="--plot training"),
    pytest.param("curves --plot", "run.csv", CURVES_CSV,
                 ["curves", "{input}", "--plot", "{out}", "--no-plot"], "run.svg",
                 id="curves --plot"),
    pytest.param("graph -o", "p.yaml", SINGLE, ["graph", "{input}", "-o", "{out}"], "g.dot",
                 id="graph -o"),
    pytest.param("generate -o", None, None, ["generate", "5", "-o", "{out}"], "gen.yaml",
                 id="generate -o"),
    pytest.param("vary -o", "p.yaml", SINGLE, ["vary", "{input}", "-o", "{outdir}"],
                 "variants", id="vary -o"),
    pytest.param("vary --sheet", "p.yaml", SINGLE,
                 ["vary", "{input}", "-o", "{outdir}", "--sheet"], "variants",
                 id="vary --sheet"),
]


def _argv(argv, source, out, outdir=None):
    return [a.format(input=source, out=out, outdir=outdir or out) for a in argv]


def _setup(tmp_path, name, text, argv, out_name):
    if "plot" in " ".join(argv):
        _needs_matplotlib()
    source = None
    if name is not None:
        source = tmp_path / name
        source.write_text(text)
    return source


@pytest.mark.parametrize("what, name, text, argv, out_name", WRITERS)
def test_an_existing_file_is_kept_without_force(tmp_path, what, name, text, argv, out_name):
    source = _setup(tmp_path, name, text, argv, out_name)
    out = tmp_path / out_name
    if argv[-1] == "{outdir}" or "{outdir}" in argv:  # a folder writer: one file in it exists
        out.mkdir()
        first = run_cli(*_argv(argv, source, out, out))
        assert first.exit_code == 0, first.output
        kept = {p: p.read_bytes() for p in out.iterdir()}
        again = run_cli(*_argv(argv, source, out, out))
        assert again.exit_code == 2 and "--force" in again.stderr
        assert kept == {p: p.read_bytes() for p in out.iterdir()}
        return
    out.write_text("keep me")
    result = run_cli(*_argv(argv, source, out))
    assert result.exit_code == 2, result.output
    assert "already exists; add --force" in result.stderr and str(out) in result.stderr
    assert out.read_text() == "keep me"
    forced = run_cli(*_argv(argv, source, out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes() != b"keep me"


def _over_input_rows():
    """Every writer with an input; a folder writer gets an input whose name it would write
    (vary --sheet writes sheet.md; a variant file name never equals its source's name)."""
    rows = []
    for w in WRITERS:
        what, name, text, argv, out_name = w.values
        if name is None or what == "vary -o":
            continue
        if "{outdir}" in argv:
            rows.append(pytest.param(what, "sheet.md", text, argv, ".", id=w.id, marks=w.marks))
        else:
            rows.append(w)
    return rows


@pytest.mark.parametrize("what, name, text, argv, out_name", _over_input_rows())
def test_never_written_over_its_input(tmp_path, what, name, text, argv, out_name):
    source = _setup(tmp_path, name, text, argv, out_name)
    if "{outdir}" in argv:  # the folder holding the input, whose name the writer would use
        target = tmp_path
    else:
        target = source.with_suffix(os.path.splitext(out_name)[1])  # the input, renamed
        source.rename(target)
        source = target
    before = source.read_bytes()
    for extra in ((), ("--force",)):
        result = run_cli(*_argv(argv, source, target, target), *extra)
        assert result.exit_code == 2, result.output
        assert "input" in result.stderr
        assert source.read_bytes() == before


@pytest.mark.parametrize("what, name, text, argv, out_name", [
    w for w in WRITERS if "{outdir}" not in w.values[3]])
def test_a_failed_write_names_the_file_and_the_option(tmp_path, monkeypatch, what, name, text,
                                                       argv, out_name):
    source = _setup(tmp_path, name, text, argv, out_name)
    out = tmp_path / out_name

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    result = run_cli(*_argv(argv, source, out))
    assert result.exit_code == 2, result.output
    option = next(a for a in argv if a in ("-o", "--history", "--plot"))
    option = "--output" if option == "-o" else option
    assert f"{out}, at {option}: cannot be written (No space left on device)" in result.stderr
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_graph_of_a_problem_named_dot_is_not_overwritten(tmp_path):
    """The reported case: a problem saved as p.dot, drawn with -o p.dot."""
    problem = tmp_path / "p.dot"
    problem.write_text(SINGLE)
    result = run_cli("graph", str(problem), "-o", str(problem), "--force")
    assert result.exit_code == 2 and "is one of this command's inputs" in result.stderr
    assert problem.read_text() == SINGLE
