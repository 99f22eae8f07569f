"""Hostile batch 3, item 39: `vary` of a problem with nothing to vary (no inputs, no params)
wrote a "variant 1" identical to the problem.  It is refused with the reason."""

from __future__ import annotations

from tests.conftest import run_cli


def test_a_problem_with_only_constants_is_refused(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("title: constants only\nconstants: {c: 2}\nnodes:\n  z: c * c\nlabel: 1\n")
    result = run_cli("vary", str(path))
    assert result.exit_code == 2
    assert "no inputs or params" in result.output
    assert "variant 1" not in result.output
