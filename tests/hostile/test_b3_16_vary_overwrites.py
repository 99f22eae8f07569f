"""Hostile batch 3, item 16: `vary -o DIR` overwrote existing variant files, and `--sheet`
overwrote sheet.md, sheet.tex, answers.md and answers.tex.  Every clash is refused before any
work (exit 2, the files named, nothing changed) unless --force."""

from __future__ import annotations

from tests.conftest import run_cli


def test_vary_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "exam"
    assert run_cli("vary", "q3a", "--count", "2", "-o", str(out), "--seed", "1").exit_code == 0
    before = (out / "q3a-v1.yaml").read_bytes()
    result = run_cli("vary", "q3a", "--count", "2", "-o", str(out), "--seed", "2")
    assert result.exit_code == 2
    assert "already holds q3a-v1.yaml, q3a-v2.yaml" in result.output
    assert "--force" in result.output
    assert (out / "q3a-v1.yaml").read_bytes() == before
    result = run_cli("vary", "q3a", "--count", "2", "-o", str(out), "--seed", "2", "--force")
    assert result.exit_code == 0
    assert (out / "q3a-v1.yaml").read_bytes() != before


def test_sheet_refuses_to_overwrite_a_sheet(tmp_path):
    out = tmp_path / "exam"
    out.mkdir()
    (out / "sheet.md").write_text("my own notes\n")
    result = run_cli("vary", "q3a", "-o", str(out), "--sheet")
    assert result.exit_code == 2
    assert "sheet.md" in result.output
    assert (out / "sheet.md").read_text() == "my own notes\n"
    assert not (out / "q3a-v1.yaml").exists()  # refused before anything was written


def test_vary_never_writes_over_its_input(tmp_path):
    roster = tmp_path / "roster.csv"  # vary --roster writes roster.csv into the folder
    roster.write_text("student\nada\n")
    result = run_cli("vary", "q3a", "--roster", str(roster), "-o", str(tmp_path), "--force")
    assert result.exit_code == 2
    assert "inputs" in result.output
    assert roster.read_text() == "student\nada\n"
