"""Batch 3, item 10: `grade -f csv` and `-f json` wrote a correct value of 1e-400 as 0.0.  It is
written in exponent form (valid JSON), with a note."""

import json

from conftest import run_cli

TINY = ("title: t\ninputs: {X: 1e-400}\nparams: {W: 1}\nnodes: {H: W * X}\n"
        "activation: identity\nloss: mse\nlabel: 0\n")


def test_json_and_csv_write_1e_400_in_exponent_form(tmp_path):
    problem = tmp_path / "tiny.yaml"
    problem.write_text(TINY, encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("Yhat: 1e-400\n", encoding="utf-8")
    result = run_cli("grade", str(problem), str(answers), "-f", "json")
    assert result.exit_code == 1                       # L and the gradients are missing
    assert '"correct": 1.0000000000000000e-400' in result.stdout
    document = json.loads(result.stdout)
    assert document["entries"][0]["status"] == "right"
    assert "exponent form" in document["warnings"][0]
    result = run_cli("grade", str(problem), str(answers), "-f", "csv")
    assert "Yhat,1e-400,1.0000000000000000e-400,right" in result.stdout
    assert "0.0" not in result.stdout.split("\n")[2]
    assert "exponent form" in result.stderr


def test_a_class_json_keeps_it_too(tmp_path):
    problem = tmp_path / "tiny.yaml"
    problem.write_text(TINY, encoding="utf-8")
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.yaml").write_text("Yhat: 1e-400\n", encoding="utf-8")
    result = run_cli("grade", str(problem), str(tmp_path / "class"), "-f", "json")
    assert '"correct": 5.0000000000000000e-801' in result.stdout
    assert "exponent form" in json.loads(result.stdout)["warnings"][0]
