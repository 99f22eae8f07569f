"""Every result displays itself in Jupyter and in the REPL (issue 21): a Solution, a batch, a
training run, a grade report and a gradebook; api.show has a readable plain-text display, and
api.to_json is JSON text."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import PROBLEMS, ROOT

from hwsolve import api


def test_a_solution_displays_itself():
    s = api.solve_file(PROBLEMS / "q3a.yaml")
    # Ŷ = 0.690 is the seed problem set's value (the reference solution, Q3a table)
    assert re.fullmatch(r"<Solution q3a: Ŷ=0\.69, L=[0-9.]+, \d+ gradients>", repr(s))
    html = s._repr_html_()
    assert "<table>" in html and "∇W3" in html
    markdown = s._repr_markdown_()
    assert "| Ŷ |" in markdown and "mpf" not in markdown + html + repr(s)


def test_show_has_a_plain_text_display_and_math_jupyter_renders():
    s = api.solve_file(PROBLEMS / "q3b.yaml")
    shown = api.show(s, steps=True)
    assert " at 0x" not in repr(shown) and repr(shown).startswith("<Solution q3b:")
    markdown = shown._repr_markdown_()
    assert "```math" not in markdown     # GitHub-only: Jupyter and VS Code show it raw
    assert markdown.count("$$\n\\begin{aligned}") >= 3


def test_no_loss_problem_displays_without_an_l_column():
    s = api.solve_file(PROBLEMS / "cs231n_gate_circuit.yaml")
    assert "L" not in s.values
    html = api.show(s)._repr_html_()
    assert "<th>L</th>" not in html and "<th>Ŷ</th>" in html
    assert "L=" not in repr(s)


def test_batch_and_training_results_display_themselves():
    from hwsolve.cli.train import config_of
    from hwsolve.engine.batch import Batch
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.engine.train import train

    problem = api.load(PROBLEMS / "batch_xor_momentum.yaml")
    batch = Batch(problem, resolve_setup(problem))
    solved = batch.solve()
    n = len(problem.examples)
    assert repr(solved).startswith(f"<BatchSolution batch_xor_momentum: {n} examples, L=")
    assert "| example |" in solved._repr_markdown_()
    run = train(batch, config_of(problem, {}))
    assert re.match(r"<TrainRun \w+: \d+ steps?, L [-0-9.e]+ → [-0-9.e]+>", repr(run))
    assert "### Training" in run._repr_markdown_()
    assert "mpf" not in repr(solved) + repr(run)


def test_grade_results_display_themselves(tmp_path):
    path = tmp_path / "guess.yaml"
    path.write_text("Yhat: 1\nL: 0\ngrad: {W3: [0, 0], B3: 0, W2: [0, 0], B2: 0, H2: 0, "
                    "W1: [0, 0], B1: 0, H1: 0, X1: 0, X2: 0}\n", encoding="utf-8")
    book = api.grade(PROBLEMS / "q3a.yaml", path)
    assert repr(book).startswith("<Gradebook ") and "1 graded, 0 flagged" in repr(book)
    assert "| student | score |" in book._repr_markdown_()
    report = book.reports[0]
    assert repr(report).startswith("<Report ") and "score 0/15" in repr(report)
    assert "**Score:**" in report._repr_markdown_()


def test_to_json_is_text_and_to_dict_a_dict():
    s = api.solve_file(PROBLEMS / "q3b.yaml")
    text = api.to_json(s)
    assert isinstance(text, str) and json.loads(text) == json.loads(json.dumps(api.to_dict(s)))
    assert "steps" in json.loads(api.to_json(s, steps=True))


def test_the_engine_does_not_import_a_renderer_at_import_time():
    code = ("import sys, hwsolve.engine.solve, hwsolve.engine.batch, hwsolve.engine.train, "
            "hwsolve.teach.grade, hwsolve.teach.gradebook; "
            "print(sorted(m for m in sys.modules if m.startswith('hwsolve.render')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, check=True).stdout
    assert "hwsolve.render.notebook" not in out
