"""Hostile item 18: expressions accepted non-ASCII look-alikes (`𝑋1` silently meant X1
through Python's NFKC normalisation) while declared names must be ASCII.  Any non-ASCII
character in an expression is refused, and the message names it."""

import pytest

from conftest import run_cli, spec


@pytest.mark.parametrize("expression, named", [
    ("𝑋1 * W", "'𝑋' (U+1D44B MATHEMATICAL ITALIC CAPITAL X), a non-ASCII character that "
               "looks like 'X'"),
    ("X1 * Ｗ", "'Ｗ' (U+FF37 FULLWIDTH LATIN CAPITAL LETTER W), a non-ASCII character that "
               "looks like 'W'"),
    ("X１ * W", "'１' (U+FF11 FULLWIDTH DIGIT ONE)"),
    ("X1 − W", "'−' (U+2212 MINUS SIGN), a non-ASCII character;"),
    ("Ŷ + 1", "'Ŷ' (U+0176 LATIN CAPITAL LETTER Y WITH CIRCUMFLEX)"),
])
def test_a_non_ascii_character_in_an_expression_is_refused_by_name(write, expression, named):
    path = write(spec(f"{{a: '{expression}'}}"))
    result = run_cli(str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"hwsolve: error: {path}, line 4, at nodes.a: ")
    assert f"the expression contains {named}" in result.stderr
