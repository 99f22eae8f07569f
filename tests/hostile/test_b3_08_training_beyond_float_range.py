"""Hostile batch 3, items 8 and 9: training and batch output wrote values beyond float range as
``Infinity`` (not JSON), ``inf`` or ``0.0`` with no note (JSON ``train.loss`` and params, the
``--history`` CSV, ``-f csv`` of a diverging or a converging run, batch JSON and CSV).  Every
JSON and CSV writer now takes its tokens from hwsolve.render.numbers: exponent form with 17
significant digits, and a note naming the entry (JSON: in the document; CSV: on stderr).

Expected numbers by hand (identity output, mse, label 0, plain SGD, so w ← w − lr·w·x²):
- diverging, x = 1000, w = 1, lr = 1: w_t = (1 − 10⁶)^t, L_t = ½·10⁶·(10⁶ − 1)^(2t);
- converging, x = 1, w = 1, lr = 0.9: w_t = 10^−t, Ŷ_t = 10^−t, L_t = ½·10^(−2t).
(The batch of item 9 is in test_b3_09_batch_beyond_float_range.py.)
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, getcontext

import pytest

from conftest import run_cli

getcontext().prec = 40

RUN = """\
title: run
inputs: {{x: {x}}}
params: {{w: 1}}
nodes: {{z: w*x}}
activation: identity
loss: mse
label: 0
train: {{optimizer: sgd, lr: {lr}, steps: {steps}}}
"""
def strict(text: str):
    """JSON as a strict reader takes it: NaN and Infinity are not JSON."""
    def refuse(token):
        raise AssertionError(f"{token} is not JSON")
    return json.loads(text, parse_float=Decimal, parse_constant=refuse)


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= abs(b) * Decimal("1e-15")


def diverging_loss(t: int) -> Decimal:
    return Decimal(10**6 * (10**6 - 1) ** (2 * t)) / 2


@pytest.fixture
def diverging(write):
    return write(RUN.format(x=1000, lr=1, steps=300), "diverging.yaml")


@pytest.fixture
def converging(write):
    return write(RUN.format(x=1, lr=0.9, steps=430), "converging.yaml")


def test_json_train_loss_and_params(diverging):
    result = run_cli(str(diverging), "-f", "json")
    assert result.exit_code == 0, result.output
    assert "Infinity" not in result.stdout
    train = strict(result.stdout)["train"]
    assert close(train["loss"][300], diverging_loss(300))
    assert close(train["loss"][36], diverging_loss(36))
    assert close(train["params"]["w"], Decimal((-(10**6 - 1)) ** 300))
    notes = train["notes"]
    assert "train.loss: L after step 35: 4.9996500120747263e425 is beyond the range of a " \
           "float: written in exponent form with 17 significant digits" not in notes[3:]
    assert notes[0].startswith("train.loss: L after step 26: 4.99974000662988")
    assert "more values (train.loss: L after step 29 … train.params.w) are beyond the " \
           "range of a float" in notes[-1]
    assert len(notes) == 4


def test_history_and_csv_of_a_diverging_run(diverging, tmp_path):
    history = tmp_path / "h.csv"
    result = run_cli(str(diverging), "-f", "csv", "--history", str(history))
    assert result.exit_code == 0, result.output
    for text in (result.stdout, history.read_text()):
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["step", "L", "Yhat"]
        last = rows[-1]
        assert last[0] == "300" and last[1] == "4.9970008983209257e3605"
        assert close(Decimal(last[1]), diverging_loss(300))
        assert not any(cell in ("inf", "-inf", "nan", "0.0") for row in rows for cell in row)
    assert "hwsolve: note: L at step 26: 4.9997400066298895e317 is beyond the range" \
        in result.stderr
    assert f"hwsolve: note: {history}: L at step 26: " in result.stderr


def test_csv_of_a_converging_run(converging):
    result = run_cli(str(converging), "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[-1] == ["430", "5.0000000000000000e-861", "1.0000000000000000e-430"]
    assert rows[154][:2] == ["153", "5e-307"]                      # a normal float
    assert rows[155][:2] == ["154", "5.0000000000000000e-309"]     # below normal range
    assert "0.0" not in {cell for row in rows for cell in row}
    assert "hwsolve: note: L at step 154: 5.0000000000000000e-309 is beyond" in result.stderr


def test_steps_json_writes_exponent_form(write):
    """The shown work as JSON wrote 1e-400 as 0.0 and 2.5e400 as a string."""
    from conftest import spec
    path = write(spec("{H: W*X1 + X2*1e-400}", inputs="{X1: 1e-400, X2: 2.5e400}",
                      params="{W: 2.5}", label="2.5", extra="activation: identity\nloss: mse\n"))
    result = run_cli(str(path), "-f", "json", "--steps")
    assert result.exit_code == 0, result.output
    steps = strict(result.stdout)["steps"]
    values = [t for step in steps["backward"] for term in step["terms"]
              for t in (term["upstream"], term["contribution"])]
    assert Decimal("2.5e-400") in values          # dL/dH, the upstream of H's inputs
    assert not any(isinstance(v, str) for v in values)
    assert any("values of the work are beyond the range of a float" in w
               for w in steps["warnings"])


WRITERS = ("hwsolve/render", "hwsolve/cli", "hwsolve/tools", "hwsolve/teach")
ALLOWED = {"hwsolve/render/numbers.py", "hwsolve/numtext.py",
           "hwsolve/render/grade.py", "hwsolve/cli/grade.py"}   # grade: issue 20 item 10


def test_no_writer_makes_its_own_number_tokens():
    """The class of defect: a JSON or CSV writer that turns a value into a float itself
    (``repr(num.to_float(x))``) or serializes a document of values with ``json.dumps``."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in WRITERS:
        for path in sorted((root / folder).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name in ALLOWED:
                continue
            text = path.read_text()
            if re.search(r"repr\((num\.)?to_float\(", text):
                offenders.append(f"{name}: repr(to_float(...))")
            if re.search(r"json\.dumps\((document|solution|result|run|batch)", text):
                offenders.append(f"{name}: json.dumps of a document")
    assert not offenders, offenders
