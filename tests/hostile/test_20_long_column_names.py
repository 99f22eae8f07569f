"""Hostile item 20: a long column name was cut with "…" at narrow widths, so the column
could not be identified.  It wraps onto more lines instead, in the answer table and in the
--values table, and no number is cut either."""

import re

import pytest

from conftest import run_cli, spec

NAME = "a_very_long_parameter_name_that_goes_on_and_on_for_sixty_four_ch"  # 64 characters


@pytest.mark.parametrize("width", [40, 50, 60, 80])
def test_a_long_column_name_wraps_and_is_never_cut(write, width):
    assert len(NAME) == 64
    path = write(spec(f"{{a: '{NAME} * X1 + X2'}}", params=f"{{{NAME}: 1.5}}"))
    result = run_cli(str(path), "--width", str(width), "--values")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "…" not in output
    assert max(len(line) for line in output.splitlines()) <= width
    answer_table = output[:output.index("sigmoid output")]
    assert "∇" + NAME in re.sub(r"[│\s]", "", answer_table)   # the header, read down the lines
    # ∇W = X1·dL/da with a = 1.5·2 - 1 = 2: dL/da = σ(2) - 1 = -0.119, so ∇W = -0.238
    for number in ("-0.238", "-0.119", "0.881", "0.127"):
        assert number in output, number
    values = output[output.index("Forward values"):]
    first_words = "".join(line.split()[0] for line in values.splitlines() if line.strip())
    assert first_words.count(NAME) == 2   # values, then gradients: the name column, read down
