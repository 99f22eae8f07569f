"""Canvas QTI 1.2 export: the zip Canvas imports, read back.  No QTI 1.2.1 XSD is vendored
(none could be found in a public repository reachable offline), so the structure Canvas
needs is tested instead: manifest -> assessment file, a question group per entry with
selection_number 1, numerical_question items whose window is the quiz model's."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from hwsolve import api
from conftest import run_cli

Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def test_package_reads_back(tmp_path):
    data, quiz = api.export_canvas("q3b", count=3, seed=2, work=False)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    resource = manifest.find(f"{CP}resources/{CP}resource")
    assert resource.get("type") == "imsqti_xmlv1p2"
    href = resource.find(f"{CP}file").get("href")
    root = ET.fromstring(archive.read(href))
    assert root.tag == f"{Q}questestinterop"
    groups = root.findall(f"{Q}assessment/{Q}section/{Q}section")
    entries = [e.entry for e in quiz.variants[0].entries]
    assert [g.get("title") for g in groups] == entries
    for index, group in enumerate(groups):
        assert group.find(f"{Q}selection_ordering/{Q}selection/{Q}selection_number").text == "1"
        items = group.findall(f"{Q}item")
        assert len(items) == len(quiz.variants)
        for item, variant in zip(items, quiz.variants):
            fields = {f.find(f"{Q}fieldlabel").text: f.find(f"{Q}fieldentry").text
                      for f in item.iter(f"{Q}qtimetadatafield")}
            assert fields["question_type"] == "numerical_question"
            model = variant.entries[index]
            right = [c for c in item.iter(f"{Q}respcondition")
                     if c.find(f"{Q}setvar") is not None][0]
            low = Decimal(right.find(f"{Q}conditionvar/{Q}vargte").text)
            high = Decimal(right.find(f"{Q}conditionvar/{Q}varlte").text)
            assert low == Decimal(model.shown) - model.tolerance
            assert high == Decimal(model.shown) + model.tolerance
            exact = Decimal(repr(float(model.correct)))
            assert low <= exact <= high
            for w in model.wrongs:
                assert not low <= Decimal(w.shown) <= high
    # the same quiz gives the same bytes
    assert api.export_canvas("q3b", count=3, seed=2, work=False)[0] == data


def test_cli_and_escaping(tmp_path):
    problem = tmp_path / "evil.yaml"
    problem.write_text('title: "<b>x</b> & \\"y\\""\ninputs: {X1: 2, X2: -1}\n'
                       "params: {W: 1.5}\nnodes:\n  H: W * X1 + X2\noutput: H\n"
                       "activation: sigmoid\nloss: bce\nlabel: 1\n", encoding="utf-8")
    out = tmp_path / "quiz.zip"
    result = run_cli("export", "canvas", str(problem), "--count", "2", "-o", str(out))
    assert result.exit_code in (0, 1), result.output
    archive = zipfile.ZipFile(out)
    name = [n for n in archive.namelist() if n != "imsmanifest.xml"][0]
    root = ET.fromstring(archive.read(name))
    assert root.find(f"{Q}assessment").get("title").startswith('<b>x</b> & "y"')
    assert run_cli("export", "canvas", str(problem), "-o", str(out)).exit_code == 2
