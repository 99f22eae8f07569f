"""export gradescope: the autograder zip, installed offline from its own wheel and run in a
temporary folder laid out like Gradescope's /autograder (HWSOLVE_AUTOGRADER_ROOT)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import run_cli
from grading_fixtures import Q3A_NUMBERS, q3a, submission_yaml

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    base = tmp_path_factory.mktemp("gs")
    out = base / "autograder.zip"
    result = run_cli("export", "gradescope", "q3a", "--hide-key", "-o", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    root = base / "autograder"
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert all("/" not in n for n in names)          # at the root of the zip
        archive.extractall(root / "source")
        mode = archive.getinfo("run_autograder").external_attr >> 16
        assert mode & 0o111
    wheel = next((root / "source").glob("hwsolve-*.whl"))
    site = base / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                           "--quiet", "--target", str(site), str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root, site


def _run(root: Path, site: Path, name: str, text: str) -> dict:
    submission = root / "submission"
    if submission.exists():
        for p in submission.iterdir():
            p.unlink()
    submission.mkdir(exist_ok=True)
    (submission / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "HWSOLVE_AUTOGRADER_ROOT": str(root), "PYTHONPATH": str(site)}
    env.pop("HWSOLVE_DEBUG", None)
    done = subprocess.run([sys.executable, str(root / "source" / "run_autograder")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    doc = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_grades_yaml_csv_and_a_broken_file(autograder):
    root, site = autograder
    right = _run(root, site, "answers.yaml", submission_yaml(q3a(Q3A_NUMBERS)))
    assert right["tests"] and all(t["status"] == "passed" for t in right["tests"])
    assert right["score"] == len(right["tests"])
    wrong = _run(root, site, "answers.yaml", submission_yaml(q3a(Q3A_NUMBERS, "sigma_prime")))
    assert any(t["status"] == "failed" for t in wrong["tests"])
    assert any("σ′" in t["output"] or "sigma" in t["output"].lower() for t in wrong["tests"])
    header = ",".join(["student", "Yhat", "L"])
    one_row = _run(root, site, "answers.csv", f"{header}\nann,0.5,0.7\n")
    assert len(one_row["tests"]) == len(right["tests"]) and one_row["score"] < right["score"]
    broken = _run(root, site, "answers.yaml", "Yhat: 0.69\nL: abc\n")
    assert broken["score"] == 0 and "could not be graded" in broken["output"]
    # the installed hwsolve was the wheel's, not the worktree's
    assert (site / "hwsolve" / "__init__.py").is_file()
