"""Hostile batch 3, item 2: in a mini-batch a bce label outside [0, 1] in one example (2, −1)
was accepted; a single problem refuses it.  Now the example is refused, by number and key."""

from __future__ import annotations

import pytest

BATCH = """\
title: batch
params: {{w: 2}}
examples:
  - {{inputs: {{x: 0.5}}, label: 1}}
  - {{inputs: {{x: 1}}, label: {bad}}}
nodes: {{z: w*x}}
activation: sigmoid
loss: {loss}
"""


@pytest.mark.parametrize("bad", ["2", "-1"])
@pytest.mark.parametrize("loss", ["bce", '"bce + 0.1 * w ** 2"'])
def test_example_label_outside_unit_interval(write, bad, loss):
    from conftest import run_cli
    path = write(BATCH.format(bad=bad, loss=loss))
    for extra in ([], ["-f", "json"], ["--lr", "0.1"]):
        result = run_cli(str(path), *extra)
        assert result.exit_code == 2, result.output
        assert f"line 5, at examples[2].label: example 2: bce needs a label in [0, 1], not " \
               f"{bad}" in result.stderr


def test_api_batch_refuses_too(write):
    from hwsolve import api
    from hwsolve.engine.batch import Batch
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.errors import HwsolveError
    problem = api.load(str(write(BATCH.format(bad="2", loss="bce"))))
    with pytest.raises(HwsolveError, match="examples"):
        Batch(problem, resolve_setup(problem))


CLASSES = """\
title: classes
params: {{w: [1, 2]}}
examples:
  - {{inputs: {{x: 0.5}}, label: {first}}}
  - {{inputs: {{x: 1}}, label: {second}}}
nodes: {{z: w*x}}
activation: softmax
loss: cross_entropy
"""


@pytest.mark.parametrize("first, second, fragment", [
    ("1", "3", "line 5, at examples[2].label: example 2: the class number must be a whole "
               "number from 1 to 2, not 3"),
    ("[0.5, 0.25]", "1", "line 4, at examples[1].label: example 1: a probability label needs "
                         "entries of at least 0 that sum to 1"),
])
def test_any_label_error_names_its_example(write, first, second, fragment):
    from conftest import run_cli
    result = run_cli(str(write(CLASSES.format(first=first, second=second))))
    assert result.exit_code == 2
    assert fragment in result.stderr
