from fractions import Fraction

import pytest

from hwsolve.errors import HwsolveError
from hwsolve.spec.load import load_problem, load_problem_text
from conftest import PROBLEMS, spec


def test_q3a_spec_is_exact():
    problem = load_problem(PROBLEMS / "q3a.yaml")
    assert problem.params["W2"] == (Fraction(-1), Fraction(1, 2))
    assert problem.constants["alpha"] == Fraction(1, 10)
    assert problem.output == "z3"  # default: the last node
    assert problem.head.activation == "sigmoid" and problem.head.loss == "bce"
    assert problem.columns[:3] == ["Yhat", "L", "W3"]
    assert problem.answers.yhat.text == "0.69"
    assert [k.text for k in problem.answers.grad["W3"]] == ["-0.138", "1.38"]
    assert problem.variants["tanh-mse"].head.activation == "tanh"


def test_default_columns_are_params_then_inputs():
    problem = load_problem_text(spec("{a: W * X1 + X2}"))
    assert problem.columns == ["Yhat", "L", "W", "X1", "X2"]


def test_key_text_is_kept_as_written():
    problem = load_problem_text(spec("{a: W * X1}", extra="answers: {L: 0.690, grad: {W: 2.50}}\n"))
    assert problem.answers.loss.text == "0.690"
    assert problem.answers.grad["W"].text == "2.50"


@pytest.mark.parametrize("text, where, message", [
    (spec("{a: X1}") + "colour: red\n", "colour", "unknown key 'colour'"),
    ("inputs: {X: 1}\nnodes: {a: X}\n", None, "'nodes' is missing".replace("nodes", "title")),
    ("inputs: {X: 1}\nnodes: {a: X}\nlabel: 1\n", None, "'title' is missing"),
    (spec("{a: X1}", inputs="{X1: '2'}"), "inputs.X1", "quoted text"),
    (spec("{a: X1}", inputs="{X1: abc}"), "inputs.X1", "plain decimal"),
    (spec("{a: X1}", inputs="{X1: }"), "inputs.X1", "empty"),
    (spec("{a: X1}", inputs="{X1: []}"), "inputs.X1", "at least one entry"),
    (spec("{a: X1}", inputs="{X1: [[[[[1]]]]]}"), "inputs.X1[1, 1, 1]", "not nested deeper"),
    (spec("{a: X1}", inputs="{X1: [[1, 2], [3]]}"), "inputs.X1[2]", "ragged: row 2 has 1"),
    (spec("{a: X1}", inputs="{X1: [[1, 2], 3]}"), "inputs.X1[2]", "row 2 of the matrix"),
    (spec("{a: X1}", params="{X1: 1}"), "params.X1", "already defined in inputs"),
    (spec("{a: X1}", params="{Yhat: 1}"), "params.Yhat", "reserved"),
    (spec("{a: X1}", params="{exp: 1}"), "params.exp", "reserved"),
    (spec("{a: X1}", params="{__class__: 1}"), "params.__class__", "__"),
    (spec("{a: X1}", params="{2x: 1}"), "params.2x", "not a valid name"),
    (spec("{a: X1}", extra="output: b\n"), "output", "not a node"),
    (spec("{a: X1}", extra="activation: relu\n"), "activation", "not one of"),
    (spec("{a: X1}", extra="loss: hinj\n"), "loss", "unknown loss 'hinj'"),
    (spec("{a: X1}", label="'1'"), "label", "quoted"),
    (spec("{a: X1}", extra="columns: [Yhat, Q]\n"), "columns[2]", "not Yhat, L"),
    (spec("{a: X1}", extra="constants: {c: 1}\ncolumns: [c]\n"), "columns[1]", "constant"),
    (spec("{a: X1}", params="{W: [1, 2]}", extra="answers: {grad: {W: [1]}}\n"),
     "answers.grad.W", "has 2 entries"),
    (spec("{a: X1}", extra="answers: {grad: {W: [1, 2]}}\n"), "answers.grad.W", "scalar"),
    (spec("{a: X1}", extra="answers: {grad: {Z: 1}}\n"), "answers.grad.Z", "not an input"),
    (spec("{a: X1}", extra="answers: {Yhat: high}\n"), "answers.Yhat", "plain decimal"),
    (spec("{a: X1}", extra="variants: {v: {act: tanh}}\n"), "variants.v.act", "unknown key"),
    (spec("[X1]"), "nodes", "not a list"),
    (spec("{a: [X1]}"), "nodes.a", "one expression"),
])
def test_bad_specs_name_file_key_and_reason(text, where, message):
    with pytest.raises(HwsolveError, match=message) as info:
        load_problem_text(text, "bad.yaml")
    assert info.value.file == "bad.yaml"
    assert info.value.where == where
    assert "bad.yaml" in str(info.value)


@pytest.mark.parametrize("name", ["lambda", "None", "class", "if"])
def test_a_keyword_as_a_name_is_refused_as_a_keyword(name):
    """`lambda` follows the letters-digits-underscore rule; the reason is that it is a
    keyword, and the message says so (it used to repeat the rule it follows)."""
    with pytest.raises(HwsolveError, match=f"'{name}' is a Python keyword") as info:
        load_problem_text(spec("{a: W * X1}", params=f"{{{name}: 1}}"), "bad.yaml")
    assert info.value.where == f"params.{name}"
    assert "letters, digits" not in str(info.value)
