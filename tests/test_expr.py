from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsolve.spec import expr as E

SHAPES = {"X1": None, "X2": None, "W": 2, "H1": None}


def test_numbers_are_taken_from_their_text():
    tree = E.parse("0.1 + 0.2", SHAPES)
    assert tree == E.Apply("add", (E.Num(Fraction(1, 10), "0.1"), E.Num(Fraction(1, 5), "0.2")))


def test_operators_and_functions():
    tree = E.parse("W[1] * (X1 + X2) / H1 - leaky_relu(X1)", SHAPES)
    assert tree.op == "sub"
    product, leaky = tree.args
    assert product == E.Apply("div", (E.Apply("mul", (E.Item("W", 1), E.Apply(
        "add", (E.Name("X1"), E.Name("X2"))))), E.Name("H1")))
    assert leaky == E.Apply("leaky_relu", (E.Name("X1"), E.Num(Fraction(1, 100), "0.01")))
    assert E.parse("dot(W, [X1, X2])", SHAPES).args[0] == E.VectorName("W", 2)
    assert E.parse("max(W)", SHAPES).op == "max"
    assert E.parse("-X1 ** 2", SHAPES) == E.Apply("neg", (E.Apply("pow", (
        E.Name("X1"), E.Num(Fraction(2), "2"))),))


def test_long_sums_are_flat_not_deep():
    tree = E.parse(" + ".join(["X1"] * 500), SHAPES)
    assert tree.op == "add" and len(tree.args) == 500


@pytest.mark.parametrize("text, message", [
    ("X1.real", "attribute access"),
    ("(lambda: 1)()", "only the functions"),
    ("__import__('os').system('true')", "only the functions|__"),
    ("'a'", "strings"),
    ("f'{X1}'", "strings"),
    ("X1 < X2", "comparisons"),
    ("X1 and X2", "'and'"),
    ("X1 ^ 2", r"\*\*"),
    ("X1 // 2", "floor division"),
    ("X1 % 2", "'%'"),
    ("X1 if X2 else H1", "if"),
    ("(X1, X2)", "tuples"),
    ("[X1 for X1 in W]", "comprehensions"),
    ("(y := 2)", ":="),
    ("__builtins__", "__"),
    ("print(X1)", "unknown function 'print'"),
    ("exp(x=1)", "keyword"),
    ("exp(X1, X2)", "exactly one"),
    ("max(X1)", "needs a vector"),
    ("max()", "two or more"),
    ("dot(W, [X1])", "equal length"),
    ("sum(X1)", "scalar"),
    ("W + 1", "is a vector of 2; a scalar is needed"),
    ("W[0]", "out of range"),
    ("W[3]", "out of range"),
    ("W[X1]", "whole number"),
    ("X1[1]", "cannot be indexed"),
    ("Q", "not defined"),
    ("[X1, X2]", "is a vector of 2; a scalar is needed"),
    ("True", "bool values"),
    ("1j", "complex values"),
    ("0x10", "hexadecimal"),
    ("exp", "is a function"),
    ("", "not a valid expression"),
    ("X1 +", "not a valid expression"),
    ("(" * 150 + "X1" + ")" * 150, "nested more than"),
    ("-" * 5000 + "X1", "too long or too deeply nested"),
])
def test_forbidden_syntax_is_refused_with_a_reason(text, message):
    with pytest.raises(E.ExprError, match=message):
        E.parse(text, SHAPES)


def test_self_reference_and_later_nodes_have_their_own_messages():
    with pytest.raises(E.ExprError, match="refers to itself"):
        E.parse("H2 + 1", SHAPES, node="H2")
    with pytest.raises(E.ExprError, match="defined below"):
        E.parse("H3 + 1", SHAPES, node="H2", later=frozenset({"H3"}))


ATOMS = st.sampled_from(["X1", "W", "W[1]", "H1", "1", "0.5", "exp", "max", "dot", "__class__",
                         "lambda", "os", "'s'", "[", "]", "(", ")", ",", "+", "-", "*", "/",
                         "**", "^", ".", ":", "=", "if", "for", " ", "1e999", "\\", "@", "#"])


@settings(max_examples=400, deadline=None)
@given(st.lists(ATOMS, max_size=25).map("".join))
def test_random_expression_text_never_escapes_the_error_type(text):
    try:
        E.parse(text, SHAPES)
    except E.ExprError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_escapes_the_error_type(text):
    try:
        E.parse(text, SHAPES)
    except E.ExprError:
        pass
