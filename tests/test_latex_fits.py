"""LaTeX that fits the page (issue 16): pdflatex reports 0 overfull boxes for every shipped
problem's `--format latex --standalone`, for `vary --sheet` output, and for hostile shapes (a
long vector, a wide matrix, a batch with many inputs); the sheets start each variant on a new
page with a name/ID line, carry the variant number and the question text, and list the answers
in the sheet's order."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap

import pytest

from conftest import PROBLEMS, network_problems, run_cli

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                    reason="pdflatex is not installed (.ci/run installs it)")


def overfull(tex_path) -> int:
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           tex_path.name], cwd=tex_path.parent, capture_output=True, text=True,
                          timeout=120)
    log = tex_path.with_suffix(".log").read_text(encoding="latin-1")
    assert done.returncode == 0, log[-2000:]
    return log.count("Overfull")


def _standalone(tmp_path, problem: str, *args) -> int:
    result = run_cli(problem, "-f", "latex", "--standalone", *args)
    assert result.exit_code == 0, result.output
    path = tmp_path / "doc.tex"
    path.write_text(result.output, encoding="utf-8")
    return overfull(path)


@needs_pdflatex
@pytest.mark.parametrize("path", network_problems(), ids=lambda p: p.stem)
def test_every_shipped_problem_fits_the_page(path, tmp_path):
    assert _standalone(tmp_path, str(path)) == 0


def test_no_column_is_lost():
    result = run_cli("mazur_2_2_2", "-f", "latex")
    for name in (r"\hat{Y}", "$L$", r"\nabla W_{2}", r"\nabla W_{1}", r"\nabla h"):
        assert name in result.output
    assert r"\begin{bmatrix}" in result.output  # a matrix is set as a matrix


@needs_pdflatex
@pytest.mark.parametrize("path", [p for p in network_problems()
                                  if not re.search(r"^(examples|train):", p.read_text(), re.M)],
                         ids=lambda p: p.stem)
def test_vary_sheets_fit_the_page(path, tmp_path):
    out = tmp_path / "exam"
    result = run_cli("vary", str(path), "--count", "2", "-o", str(out), "--sheet", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert overfull(out / "sheet.tex") == 0
    assert overfull(out / "answers.tex") == 0


HOSTILE = {
    "long_vector": """\
        title: a long vector
        inputs: {x: [%s]}
        params: {w: [%s]}
        nodes:
          z: dot(w, x)
        label: 1
        """ % (", ".join(["-0.123456"] * 40), ", ".join(["-0.654321"] * 40)),
    "wide_matrix": """\
        title: a wide matrix
        inputs: {x: [%s]}
        params: {W: [[%s], [%s]]}
        nodes:
          z: W @ x
          s: sum(z)
        label: 1
        """ % (", ".join(["0.5"] * 24), ", ".join(["-0.123457"] * 24),
               ", ".join(["0.765431"] * 24)),
    "batch_many_inputs": """\
        title: a batch with many inputs
        params: {w: 0.3}
        examples:
          - {inputs: {%s}, label: 1}
          - {inputs: {%s}, label: 0}
        nodes:
          z: w * (%s)
        train: {optimizer: sgd, lr: 0.1, steps: 2}
        """ % (", ".join(f"x{i}: -0.12345{i % 10}" for i in range(14)),
               ", ".join(f"x{i}: 0.76543{i % 10}" for i in range(14)),
               " + ".join(f"x{i}" for i in range(14))),
}


@needs_pdflatex
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_shapes_fit_the_page(name, tmp_path):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(HOSTILE[name]), encoding="utf-8")
    assert _standalone(tmp_path, str(path), "--digits", "6") == 0


def test_sheets_pages_headings_question_text_and_order(tmp_path):
    out = tmp_path / "exam"
    result = run_cli("vary", "mlp331", "--count", "3", "-o", str(out), "--sheet", "--seed", "2")
    assert result.exit_code == 0, result.output
    sheet = (out / "sheet.tex").read_text(encoding="utf-8")
    answers_tex = (out / "answers.tex").read_text(encoding="utf-8")
    sheet_md = (out / "sheet.md").read_text(encoding="utf-8")
    answers_md = (out / "answers.md").read_text(encoding="utf-8")
    assert sheet.count(r"\clearpage") == 2 and sheet.count("Name:") == 3
    assert sheet_md.count("Name:") == 3
    for text in (sheet, answers_tex, sheet_md, answers_md):
        found = [int(k) for k in re.findall(r"Variant (\d+):", text)]
        assert found == [1, 2, 3]  # numbered, in the sheet's order
    assert "switched off" in sheet and "switched off" in sheet_md  # the question text
    # the sheet asks for each column as the answers give it: W2 whole, a vector of 3
    assert "∇W2 (vector of 3)" in sheet_md
    assert "'W2[1]'" not in sheet_md and "∇W2[1]" not in sheet_md
