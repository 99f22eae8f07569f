"""Hostile batch 3, item 24: --train-steps accepted up to 10,000,000 and kept every step's L and
Ŷ in memory (gigabytes).  Now a run keeps every step only while that is a bounded number of
numbers (hwsolve.engine.train.HISTORY_NUMBERS); a longer run keeps a thinned record that JSON
labels (loss_steps and a note), --history and -f csv still get every step, written as it is
computed, and a terminal sees the progress on stderr.  The budget is shrunk here so that a
3,000-step run is "long"."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import run_cli
from hwsolve.engine import train as training

PROBLEM = "problems/mazur_2_2_2.yaml"


@pytest.fixture
def small_budget(monkeypatch):
    monkeypatch.setattr(training, "HISTORY_NUMBERS", 300)
    monkeypatch.setattr(training, "KEEP_FIRST", 50)


def test_json_of_a_long_run_is_thinned_and_says_so(small_budget, tmp_path):
    history = tmp_path / "h.csv"
    result = run_cli(PROBLEM, "--lr", "0.5", "--train-steps", "3000", "-f", "json",
                     "--history", str(history))
    assert result.exit_code == 0, result.output
    train = json.loads(result.output)["train"]
    assert len(train["loss"]) == len(train["loss_steps"]) < 300
    assert train["loss_steps"][0] == 0 and train["loss_steps"][-1] == 3000
    assert any("loss lists L at" in n and "--history" in n for n in train["notes"])
    rows = list(csv.reader(history.read_text().splitlines()))
    assert rows[0][:2] == ["step", "L"] and len(rows) == 3002
    assert [int(r[0]) for r in rows[1:]] == list(range(3001))
    # the thinned JSON agrees with the streamed rows at the kept steps
    by_step = {int(r[0]): float(r[1]) for r in rows[1:]}
    for step, loss in zip(train["loss_steps"], train["loss"]):
        assert loss == by_step[step]


def test_csv_of_a_long_run_has_every_step(small_budget):
    result = run_cli(PROBLEM, "--lr", "0.5", "--train-steps", "2000", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert len(rows) == 2002 and rows[-1][0] == "2000"


def test_the_table_of_a_long_run_shows_its_steps(small_budget):
    result = run_cli(PROBLEM, "--lr", "0.5", "--train-steps", "3000")
    assert result.exit_code == 0, result.output
    assert "│ 3000 │" in result.output and "│ 2700 │" in result.output
    assert "params after step 3000" in result.output


def test_progress_goes_to_a_terminal_only(monkeypatch):
    from hwsolve.cli import train_stream

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(train_stream, "PROGRESS_AFTER", 0.0)
    screen = Terminal()
    sink = train_stream.StepSink(1000, progress=screen)
    for step in range(0, 1001):
        sink(step, 0.5, [0.5])
    sink.close()
    assert "training: step" in screen.getvalue() and "of 1,000" in screen.getvalue()
    assert train_stream._terminal(io.StringIO()) is None


def test_the_step_limit_is_stated():
    result = run_cli(PROBLEM, "--train-steps", "10000001")
    assert result.exit_code == 2
    assert "10000000" in result.output
