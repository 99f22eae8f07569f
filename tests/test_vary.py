"""hwsolve vary: variants of every shipped problem are distinct, pass check, and meet the kink,
dead-unit and saturation rules; the sheets and the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PROBLEMS, network_problems, run_cli, single_problems
from hwsolve.spec.load import load_problem
from hwsolve.spec.shapes import flatten
from hwsolve.teach import vary
from hwsolve.tools.check import check_file

SHIPPED = sorted(single_problems(network_problems()))


def _assert_variants(path: Path, count: int, tmp_path: Path) -> None:
    problem = load_problem(path)
    variants = vary.vary(problem, count=count, seed=7)
    from hwsolve.engine.solve import resolve_setup, solve
    original = vary.branch_pattern(solve(problem, resolve_setup(problem)))
    assert len(variants) == count
    drawn = {tuple(sorted((k, str(v)) for k, v in x.values.items())) for x in variants}
    assert len(drawn) == count, "variants repeat"
    for v in variants:
        assert not vary.has_kink(v.solution), v.solution.warnings
        assert vary.same_branches(vary.branch_pattern(v.solution), original)
        assert not vary.saturated(v.solution)
        for value in v.values.values():  # drawn from the nice grids
            for y in flatten(value):
                assert (y * 10).denominator == 1 and y != 0
        out = tmp_path / f"{path.stem}-{v.number}.yaml"
        out.write_text(v.text, encoding="utf-8")
        result = check_file(out)
        assert result.error is None, result.error
        assert result.comparisons and not result.failures, result.failures
        assert f"(variant {v.number})" in load_problem(out).title


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_variants_of_every_problem(path, tmp_path):
    _assert_variants(path, int(os.environ.get("HWSOLVE_VARY_COUNT", "8")), tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("HWSOLVE_SLOW") != "1", reason="set HWSOLVE_SLOW=1 (CI does)")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_100_variants_of_every_problem(path, tmp_path):
    _assert_variants(path, 100, tmp_path)


def test_kinks_on_request():
    problem = load_problem(PROBLEMS / "q3b.yaml")
    for v in vary.vary(problem, count=3, seed=1, grids=["integers"], kinks=True):
        assert vary.has_kink(v.solution)


def test_seed_reproduces_and_grids_restrict():
    problem = load_problem(PROBLEMS / "q3a.yaml")
    one = vary.vary(problem, 2, seed=5)
    assert [v.text for v in one] == [v.text for v in vary.vary(problem, 2, seed=5)]
    for v in vary.vary(problem, 3, seed=5, grids=["integers"]):
        for value in v.values.values():
            for x in (value if isinstance(value, tuple) else (value,)):
                assert x.denominator == 1


def test_cli_writes_variants_and_sheets(tmp_path):
    out = tmp_path / "exam"
    result = run_cli("vary", "q3b", "--count", "3", "-o", str(out), "--sheet", "--seed", "4")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["answers.md", "answers.tex", "q3b-v1.yaml", "q3b-v2.yaml", "q3b-v3.yaml",
                     "sheet.md", "sheet.tex"]
    assert run_cli("check", str(out)).exit_code == 0
    sheet = (out / "sheet.md").read_text(encoding="utf-8")
    assert sheet.count("## Variant ") == 3 and "| Ŷ | L | ∇H5 |" in sheet
    # no answers on the problem sheet: the first variant's Ŷ is only on the answer sheet
    first = load_problem(out / "q3b-v1.yaml").answers.yhat.text
    answers = (out / "answers.md").read_text(encoding="utf-8")
    assert "\\begin{document}" in (out / "sheet.tex").read_text(encoding="utf-8")
    assert answers.count("### ") == 3
    assert first.rstrip("0")[:4] in answers


@pytest.mark.parametrize("args, words", [
    (("--count", "2"), "give -o DIR"),
    (("--grid", "quarters"), "unknown grid"),
])
def test_cli_errors(args, words):
    result = run_cli("vary", "q3b", *args)
    assert result.exit_code == 2 and words in result.output


def test_cli_prints_one_variant():
    result = run_cli("vary", "q3b", "--seed", "9")
    assert result.exit_code == 0 and "(variant 1)" in result.output and "answers:" in result.output


def test_a_batch_or_training_problem_is_refused_with_a_reason():
    result = run_cli("vary", "batch_xor_momentum")
    assert result.exit_code == 2 and "does not vary mini-batches" in result.stderr
