"""The README's first contact: the two set-up commands and the "Your first problem" section.

The numbers are worked by hand in the README's own sentence: z = 0.5·2 − 1 = 0, Ŷ = σ(0) = 1/2,
L = −log(1/2) = 0.693…, ∇w = (Ŷ − Y)·x = −1, ∇b = Ŷ − Y = −1/2, ∇x = (Ŷ − Y)·w = −1/4.
"""

from __future__ import annotations

import re

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_begins_with_the_two_commands_in_a_virtual_environment():
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert len(first_block) == 2
    assert "venv" in first_block[0] and first_block[0].endswith("pip install . && hwsolve q3a")
    assert "venv" in first_block[1] and first_block[1].endswith(
        "pip install '.[test]' && python -m pytest")


def test_first_problem_of_the_readme_solves_as_the_readme_says(tmp_path, monkeypatch):
    section = README.split("## Your first problem", 1)[1]
    yaml_text = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "first.yaml").write_text(yaml_text)
    result = run_cli("first", "--format", "json")
    assert result.exit_code == 0, result.output
    import json
    data = json.loads(result.output)
    assert data["values"]["Yhat"] == 0.5
    assert abs(data["values"]["L"] - 0.6931471805599453) < 1e-15
    assert {k: data["grad"][k] for k in ("w", "b", "x")} == {"w": -1, "b": -0.5, "x": -0.25}
    table = run_cli("first").output
    assert re.search(r"│\s+0\.5 │\s+0\.693 │\s+-1 │\s+-0\.5 │\s+-0\.25 │", table), table
