"""PrairieLearn export: info.json validates against PrairieLearn's own schema (vendored), and
server.py runs under a harness that calls generate() and grade() with the data dict that
PrairieLearn documents (docs/question/server.md); grade() agrees with ``hwsolve grade``."""

from __future__ import annotations

import csv
import importlib.util
import json
import time
from pathlib import Path

import jsonschema
import pytest

from hwsolve import api, num
from hwsolve.teach import worlds as building
from hwsolve.tools.export import pl_runtime
from conftest import run_cli

SCHEMA = json.loads((Path(__file__).parent / "vendor" / "prairielearn_infoQuestion.json")
                    .read_text(encoding="utf-8"))


def _load_server(path: Path):
    spec = importlib.util.spec_from_file_location(f"server_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(seed: int) -> dict:
    """The data dict PrairieLearn passes to generate() (docs/question/server.md)."""
    return {"params": {}, "correct_answers": {}, "variant_seed": seed, "options": {}}


def _grade_data(generated: dict, raw: dict) -> dict:
    """The dict PrairieLearn passes to grade(): elements have parsed and graded already."""
    return {**generated, "submitted_answers": dict(raw), "raw_submitted_answers": dict(raw),
            "format_errors": {}, "partial_scores": {}, "score": 0, "feedback": {}}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("pl")
    result = run_cli("export", "prairielearn", "q3b", "--count", "20", "-o", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    return out, _load_server(out / "hwsolve_q3b" / "server.py")


def test_info_validates_and_uuid_is_stable(exported, tmp_path):
    out, _ = exported
    info = json.loads((out / "hwsolve_q3b" / "info.json").read_text(encoding="utf-8"))
    jsonschema.validate(info, SCHEMA)
    again = tmp_path / "again"
    assert run_cli("export", "prairielearn", "q3b", "--count", "20", "-o",
                   str(again)).exit_code == 0
    assert json.loads((again / "hwsolve_q3b" / "info.json").read_text())["uuid"] == info["uuid"]
    other = tmp_path / "other"
    run_cli("export", "prairielearn", "q3b", "--count", "20", "--seed", "1", "-o", str(other))
    assert json.loads((other / "hwsolve_q3b" / "info.json").read_text())["uuid"] != info["uuid"]
    html = (out / "hwsolve_q3b" / "question.html").read_text(encoding="utf-8")
    assert html.count("<pl-number-input") == 13 and 'comparison="sigfig" digits="3"' in html
    assert (out / "HWSOLVE_INSTALL.md").read_text().count("serverFilesCourse") >= 2


def test_generate_is_deterministic(exported):
    _, server = exported
    for seed in (0, 7, 123456789):
        a, b = _data(seed), _data(seed)
        server.generate(a)
        server.generate(b)
        assert a == b and a["correct_answers"] and a["params"]["statement"]
    seen = set()
    for seed in range(40):
        d = _data(seed)
        server.generate(d)
        seen.add(d["params"]["variant"])
    assert len(seen) == 20


def _planted(server, seeds):
    """(seed, kind, raw answers) for each diagnosis kind of the variants, 40 of each (q3b's
    worlds have 5 kinds: 200 answers)."""
    by_kind: dict = {}
    for seed in seeds:
        d = _data(seed)
        server.generate(d)
        problem, ref = pl_runtime._key(server.QUESTION, d["params"]["variant_index"])
        for world in building.build(ref):
            if len(by_kind.setdefault(world.kind, [])) >= 40:
                continue
            raw = {}
            for name, entry in server.QUESTION["entries"].items():
                value = world.value(ref, ref.target(entry, "x", None))
                raw[name] = num.fmt_sig(value, 4)
            by_kind[world.kind].append((seed, world.kind, raw))
    return by_kind


def test_grade_agrees_with_hwsolve_grade(exported, tmp_path):
    out, server = exported
    by_kind = _planted(server, range(60))
    kinds = sorted(by_kind)
    cases = [c for k in kinds for c in by_kind[k][:40]]
    assert len(kinds) >= 5 and len(cases) >= 200, kinds
    pl_runtime._CACHE.clear()   # the first call in a fresh process builds the variant
    slowest = 0.0
    for n, (seed, kind, raw) in enumerate(cases):
        d = _data(seed)
        server.generate(d)
        data = _grade_data(d, raw)
        start = time.perf_counter()
        server.grade(data)
        slowest = max(slowest, time.perf_counter() - start)
        # hwsolve grade on the same variant file and answers
        variant = server.QUESTION["variants"][d["params"]["variant_index"]]
        problem = tmp_path / f"q3b-v{variant['number']:02d}.yaml"
        problem.write_text(variant["yaml"], encoding="utf-8")
        answers = tmp_path / f"s{n}.csv"
        names = list(server.QUESTION["entries"])
        with open(answers, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student"] + [server.QUESTION["entries"][k] for k in names])
            writer.writerow([f"s{n}"] + [raw[k] for k in names])
        report = api.grade(str(problem), str(answers)).reports[0]
        by_entry = {e.entry: e for e in report.entries}
        total = 0.0
        for name, entry in server.QUESTION["entries"].items():
            e = by_entry[entry]
            expected = {"right": 1.0, "follows": 1.0}.get(e.status, 0.0)
            assert data["partial_scores"][name]["score"] == expected, (kind, entry)
            text = "" if e.status == "right" else e.text
            assert data["feedback"][name] == text
            total += expected
        assert data["score"] == pytest.approx(total / len(by_entry))
    print(f"{len(cases)} planted answers over {len(kinds)} kinds; slowest grade() "
          f"{slowest:.3f} s")
    assert slowest < 0.5


def test_fraction_key_needs_the_exact_value():
    question = {"problem": "frac", "seed": 0,
                "rule": {"kind": "sigfigs", "sigfigs": 3, "rel": None, "abs": None},
                "follow_through": "1", "entries": {"a1": "L"},
                "variants": [{"number": 1, "statement": "", "correct": {"a1": 8 / 3},
                              "fractions": {"a1": "8/3"}, "yaml": (
                                  "title: frac\ninputs: {X: 4}\nparams: {W: 1}\n"
                                  "constants: {C: 3}\nnodes:\n  H: W * X * 2 / C\n"
                                  "output: H\nactivation: identity\nloss: none\n")}]}
    question["entries"] = {"a1": "Yhat"}
    for raw, score in (("8/3", 1.0), ("2.67", 0.0), ("2.666666666667", 1.0), ("3", 0.0)):
        data = _grade_data({"params": {"variant_index": 0}, "correct_answers": {},
                            "variant_seed": 0, "options": {}}, {"a1": raw})
        pl_runtime.grade(data, question)
        assert data["partial_scores"]["a1"]["score"] == score, raw


@pytest.mark.parametrize("option, attributes", [
    ("sigfigs:4", 'comparison="sigfig" digits="4"'),
    ("places", 'comparison="decdig" digits="'),
    ("rel:0.02", 'comparison="relabs" rtol="0.02" atol="0"'),
    ("abs:0.005", 'comparison="relabs" rtol="0" atol="0.005"'),
    ("rel_abs:0.01,0.001", 'comparison="relabs" rtol="0.01" atol="0.001"'),
])
def test_tolerance_mapping(option, attributes):
    from hwsolve.tools.export import prairielearn
    quiz = api.quiz("q3b", count=2, tolerance=option)
    html = prairielearn.question_html(quiz)
    assert html.count(attributes) == 13, html[:400]
