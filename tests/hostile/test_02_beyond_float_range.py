"""Hostile item 2: JSON and CSV printed a value beyond float range as 0.0 or inf (1e-400, a
gradient of 2.5e-400, --label 1e-400, a finite 2.5e400).  Such a value is now written as a
number in exponent form with 17 significant digits (JSON's grammar allows it; a decimal
parser reads it back), with a note.

Expected numbers by hand: identity + mse, W = 2.5, X1 = 1e-400, X2 = 2.5e400, label 2.5,
H = W*X1 + X2*1e-400 = 2.5 + 2.5e-400, residual H - Y = 2.5e-400, L = ½·residual² = 3.125e-800,
dL/dX1 = residual·W = 6.25e-400, dL/dX2 = residual·1e-400 = 2.5e-800, dL/dW = residual·X1
= 2.5e-800, dL/dH = 2.5e-400.
"""

from __future__ import annotations

import json
from decimal import Decimal

from conftest import run_cli, spec

TEXT = spec("{H: W*X1 + X2*1e-400}", inputs="{X1: 1e-400, X2: 2.5e400}", params="{W: 2.5}",
            label="2.5", extra="activation: identity\nloss: mse\n")


def test_json_writes_exponent_form_and_notes(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(TEXT)
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    assert '"X1": 1.0000000000000000e-400' in result.stdout
    document = json.loads(result.stdout, parse_float=Decimal)
    assert document["values"]["X1"] == Decimal("1e-400")
    assert document["values"]["X2"] == Decimal("2.5e400")
    assert document["values"]["L"] == Decimal("3.125e-800")
    assert document["grad"]["X1"] == Decimal("6.25e-400")
    assert document["grad"]["X2"] == Decimal("2.5e-800")
    assert document["grad"]["W"] == Decimal("2.5e-800")
    assert document["grad"]["H"] == Decimal("2.5e-400")
    assert document["values"]["H"] == Decimal("2.5")
    notes = document["warnings"]
    assert "X2: 2.5000000000000000e400 is beyond the range of a float: written in exponent " \
           "form with 17 significant digits" in notes
    assert any(n.startswith("grad X1: 6.2500000000000000e-400 is beyond") for n in notes)
    assert not any(n.startswith("H:") for n in notes)


def test_json_label_beyond_float_range(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(TEXT)
    result = run_cli(str(path), "-f", "json", "--label", "1e-400")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout, parse_float=Decimal)
    assert document["label"] == Decimal("1e-400")
    assert any(n.startswith("label: 1.0000000000000000e-400 is beyond") for n in
               document["warnings"])


def test_csv_writes_exponent_form_and_notes_on_stderr(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(TEXT)
    result = run_cli(str(path), "-f", "csv")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.strip().splitlines()
    cells = dict(zip(header.split(","), row.split(",")))
    assert cells["L"] == "3.1250000000000000e-800"
    assert cells["dL/dX1"] == "6.2500000000000000e-400"
    assert cells["dL/dW"] == "2.5000000000000000e-800"
    assert Decimal(cells["Yhat"]) == Decimal("2.5")
    assert "note: dL/dX1: 6.2500000000000000e-400 is beyond the range of a float" in \
        result.stderr
