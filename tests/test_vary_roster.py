"""vary keeps the original's branches and question text (issue 16), and gives each student of a
roster an own variant drawn from the id and the course seed, the same on every run."""

from __future__ import annotations

from conftest import PROBLEMS, run_cli
from hwsolve.spec.load import load_problem
from hwsolve.teach import vary
from hwsolve.teach.roster import variant_seed


def test_a_switched_off_unit_stays_off_and_the_description_is_kept(tmp_path):
    problem = load_problem(PROBLEMS / "mlp331.yaml")  # H3 = relu(z3) with z3 < 0
    for v in vary.vary(problem, count=6, seed=3):
        values = v.solution.values
        assert values["z3"] < 0 and values["H3"] == 0
        assert values["z1"] > 0 and values["z2"] > 0
        out = tmp_path / f"v{v.number}.yaml"
        out.write_text(v.text, encoding="utf-8")
        assert load_problem(out).description == problem.description


def test_a_max_keeps_its_winner():
    problem = load_problem(PROBLEMS / "fanout.yaml")
    from hwsolve.engine.solve import resolve_setup, solve
    original = vary.branch_pattern(solve(problem, resolve_setup(problem)))
    for v in vary.vary(problem, count=4, seed=11):
        assert vary.branch_pattern(v.solution) == original


def test_variant_seed_is_the_same_in_every_process():
    """No salted hash(): two interpreters with different PYTHONHASHSEED agree."""
    import os
    import subprocess
    import sys
    code = ("from hwsolve.teach.roster import variant_seed; "
            "print(variant_seed('s123', 2026), variant_seed('Zoë', 7))")
    outputs = set()
    for salt in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=salt, PYTHONPATH=str(PROBLEMS.parent))
        outputs.add(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   env=env, check=True).stdout)
    assert len(outputs) == 1
    assert variant_seed("s123", 2026) != variant_seed("s124", 2026)
    assert variant_seed("s123", 2026) != variant_seed("s123", 2027)
    assert 0 <= variant_seed("s123", 2026) < 2 ** 64


def test_roster_gives_each_student_an_own_variant_deterministically(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "hwsolve.toml").write_text("[course]\nseed = 2026\n")
    (tmp_path / "roster.csv").write_text("student,name\ns1,Ada\ns2,Grace\n=cmd,Eve\n")
    for out in ("a", "b"):
        result = run_cli("vary", "q3a", "--roster", "roster.csv", "-o", out, "--sheet")
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["answers.md", "answers.tex", "q3a-v1.yaml", "q3a-v2.yaml", "q3a-v3.yaml",
                     "roster.csv", "sheet.md", "sheet.tex"]
    for name in names:  # the same ids give the same variants on every run
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "roster.csv").read_text() == "student,variant\ns1,1\ns2,2\n'=cmd,3\n"
    texts = {(tmp_path / "a" / f"q3a-v{k}.yaml").read_text().split("answers:")[0]
             for k in (1, 2, 3)}
    assert len(texts) == 3
    # student s1's variant is the one drawn from variant_seed("s1", 2026)
    own = vary.vary(load_problem(PROBLEMS / "q3a.yaml"), 1, variant_seed("s1", 2026))[0]
    first = (tmp_path / "a" / "q3a-v1.yaml").read_text()
    assert first.split("nodes:")[0].split("title:")[1].split("\n", 1)[1] == \
        own.text.split("nodes:")[0].split("title:")[1].split("\n", 1)[1]
    assert run_cli("check", "a").exit_code == 0
    sheet = (tmp_path / "a" / "sheet.tex").read_text()
    assert r"ID: \texttt{s1}" in sheet and r"ID: \texttt{s2}" in sheet


def test_latex_specials_in_a_student_id_are_inert(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("student\n\\input{/etc/passwd}$x^2$\n")
    out = tmp_path / "o"
    assert run_cli("vary", "q3a", "--roster", str(roster), "-o", str(out), "--sheet").exit_code == 0
    sheet = (out / "sheet.tex").read_text()
    assert "\\input{" not in sheet and "\\textbackslash{}input\\{" in sheet


def test_a_roster_without_a_student_column_is_refused(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id\ns1\n")
    result = run_cli("vary", "q3a", "--roster", str(roster), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2 and "'student' column" in result.output
