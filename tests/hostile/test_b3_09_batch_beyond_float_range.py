"""Hostile batch 3, item 9: batch JSON and CSV wrote 1.25e-900 as 0.0, and the warning even
said it was written in exponent form.  Both now write the exponent form the note announces.

Expected numbers by hand (identity output, mse, label 0, sum of two examples, w = 1):
x = 5e-450 and x = 0: L = ½·25e-900 = 1.25e-899, dL/dw = w·x² = 2.5e-899,
dL/dx@1 = w²·x = 5e-450.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from conftest import run_cli

BATCH = """\
title: batch
params: {w: 1}
reduction: sum
examples:
  - {inputs: {x: 5e-450}, label: 0}
  - {inputs: {x: 0}, label: 0}
nodes: {z: w*x}
activation: identity
loss: mse
"""



def strict(text: str):
    """JSON as a strict reader takes it: NaN and Infinity are not JSON."""
    def refuse(token):
        raise AssertionError(f"{token} is not JSON")
    return json.loads(text, parse_float=Decimal, parse_constant=refuse)


def test_batch_json_and_csv(write):
    path = write(BATCH)
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    document = strict(result.stdout)
    assert document["values"]["L"] == Decimal("1.25e-899")
    assert document["grad"]["w"] == Decimal("2.5e-899")
    assert document["examples"][0]["grad"]["x"] == Decimal("5e-450")
    assert "L: 1.2500000000000000e-899 is beyond the range of a float: written in exponent " \
           "form with 17 significant digits" in document["warnings"]
    assert any(w.startswith("grad x@1: 5.0000000000000000e-450") for w in document["warnings"])
    result = run_cli(str(path), "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    batch = rows[-1]
    assert batch[0] == "batch"
    assert batch[rows[0].index("L")] == "1.2500000000000000e-899"
    assert batch[rows[0].index("dL/dw")] == "2.5000000000000000e-899"
    assert rows[1][rows[0].index("dL/dx")] == "5.0000000000000000e-450"
    assert "hwsolve: note: L: 1.2500000000000000e-899 is beyond" in result.stderr
    assert "hwsolve: note: dL/dx@1: 5.0000000000000000e-450 is beyond" in result.stderr
