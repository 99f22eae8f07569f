"""Hostile and broken input: only HwsolveError may come out, quickly, and nothing runs."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwsolve import api
from hwsolve.errors import HwsolveError
from conftest import run_cli

SECONDS_PER_INPUT = 2.0

FORBIDDEN_PYTHON = [
    "X1.real", "X1.__class__", "(1).__class__.__bases__", "exp(1)(2)", "max(W)[0]",
    "lambda: 1", "[x for x in W]", "{'a': 1}", "'text'", "f'{X1}'", "(y := 1)", "X1 if X2 else 1",
    "__import__('os').system('echo pwned')", "globals()", "eval('1')", "X1 < 2", "not X1",
    "~X1", "X1 @ X2", "X1 // 2", "X1 % 2", "X1 ^ 2", "X1 << 1", "*W", "W[1:2]", "W[-1]",
    "b'x'", "...", "None", "True", "1j", "0b11", "1_0", "await X1", "yield X1", "X1; X2",
    "X1\nX2", "\\x00", "\0", "exp(x=1)", "dot(*W)", "sum([])", "min()", "Ŷ + 1", "é",
]

EXPRESSION_ATOMS = st.sampled_from(
    ["X1", "X2", "W", "W[1]", "W[2]", "H", "1", "0.5", "1e-3", "2", "exp", "log", "sqrt",
     "max", "min", "dot", "sum", "relu", "leaky_relu", "sigmoid", "tanh", "abs", "(", ")",
     "[", "]", ",", "+", "-", "*", "/", "**", " "] + FORBIDDEN_PYTHON)

VALID_HEAD = {"title": "fuzz", "inputs": {"X1": 2, "X2": -1}, "params": {"W": [1.5, -0.5]},
              "label": 1}


def assert_contained(call):
    """``call`` either returns or raises HwsolveError, within the time bound."""
    start = time.perf_counter()
    try:
        call()
    except HwsolveError as exc:
        assert str(exc)
    assert time.perf_counter() - start < SECONDS_PER_INPUT


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EXPRESSION_ATOMS, min_size=1, max_size=20).map("".join),
       st.sampled_from(["sigmoid", "tanh", "identity"]), st.sampled_from(["bce", "mse"]))
def test_random_expressions_in_a_valid_spec(expression, activation, loss):
    text = yaml.safe_dump({**VALID_HEAD, "nodes": {"H": "X1 * W[1]", "z": expression},
                           "activation": activation, "loss": loss})
    assert_contained(lambda: api.solve_text(text, name="fuzz"))


SCALARS = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=12),
                    st.booleans(), st.none(), st.sampled_from(["yes", "1:30", "010", ".inf",
                                                               "0x1F", "~", "X1 + 1", "-"]))
KEYS = st.one_of(st.sampled_from(["title", "inputs", "params", "constants", "nodes", "output",
                                  "activation", "loss", "label", "columns", "answers",
                                  "variants", "grad", "values", "Yhat", "L", "X1", "W"]),
                 st.text(max_size=8))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=6)), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_random_yaml_documents(document):
    text = yaml.safe_dump(document, allow_unicode=True)
    assert_contained(lambda: api.solve_text(text, name="fuzz"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_random_text_files(text):
    assert_contained(lambda: api.solve_text(text, name="fuzz"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EXPRESSION_ATOMS, min_size=1, max_size=12).map("".join))
def test_cli_exits_0_or_2_and_never_shows_a_traceback(expression):
    text = yaml.safe_dump({**VALID_HEAD, "nodes": {"z": expression}, "loss": "mse"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text)
        result = run_cli(str(path))
    assert result.exit_code in (0, 2)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith(f"hwsolve: error: {path}")
    else:
        assert "Ŷ" in result.stdout


@pytest.mark.parametrize("expression", FORBIDDEN_PYTHON)
def test_every_forbidden_construct_is_an_error(expression):
    text = yaml.safe_dump({**VALID_HEAD, "nodes": {"H": "X1", "z": expression}})
    with pytest.raises(HwsolveError):
        api.solve_text(text, name="fuzz")


def test_huge_files_are_refused_fast_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.yaml"
    line = b"  n%d: X1 * 2\n"
    with path.open("wb") as handle:
        handle.write(b"title: huge\ninputs: {X1: 1}\nlabel: 1\nnodes:\n")
        i = 0
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(b"".join(line % (i + k) for k in range(10_000)))
            i += 10_000
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(HwsolveError, match="larger than"):
        api.solve_file(path)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 1.0 and peak < 20 * 1024 * 1024


def test_alias_bomb_is_refused_fast(tmp_path):
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 30)]
    start = time.perf_counter()
    with pytest.raises(HwsolveError, match="aliases"):
        api.solve_text("\n".join(rows), name="bomb")
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("text", [
    "title: t\ninputs: {X1: 1}\nnodes:\n  z: 'X1 * 2'\nlabel: 1\nanswers: {Yhat: .nan}\n",
    "title: t\ninputs: {X1: .inf}\nnodes:\n  z: X1\nlabel: 1\n",
    "title: t\ninputs: {X1: 1e400}\nnodes:\n  z: X1\nlabel: 1\n",
    "title: t\ninputs: {X1: 1}\nnodes:\n  z: 'X1 * 1e99999'\nlabel: 1\n",
])
def test_nan_inf_and_absurd_numbers_are_errors(text):
    with pytest.raises(HwsolveError):
        api.solve_text(text, name="nan")


def test_exponential_towers_and_squaring_chains_stay_bounded():
    nodes = "\n".join(f"  n{i}: n{i - 1} * n{i - 1}" for i in range(1, 60))
    text = f"title: t\ninputs: {{X1: 1.0001}}\nnodes:\n  n0: X1\n{nodes}\nloss: mse\nlabel: 1\n" \
           "activation: identity\n"
    start = time.perf_counter()
    solution = api.solve_text(text, name="squares")  # 1.0001 ** (2 ** 59): huge but finite
    assert solution.values["n59"] > 10 ** 1000
    assert time.perf_counter() - start < 5
    tower = "title: t\ninputs: {X1: 3}\nnodes:\n  a: exp(X1)\n  b: exp(a)\n  c: exp(b)\n" \
            "  d: exp(c)\nlabel: 1\n"
    with pytest.raises(HwsolveError, match="too large"):
        api.solve_text(tower, name="tower")
