"""Hostile item 16: four messages that did not say what a user needs.

A 5,000-digit exponent showed Python's "use sys.set_int_max_str_digits()" advice; running out
of memory named no file; `None` (a keyword) got the generic invalid-name text; and
`generate -o /dev/full` said "No space left on device" without the path.
"""

import os

import pytest

from conftest import run_cli, spec

HUGE = "9" * 5000


@pytest.mark.parametrize("text, where", [
    (spec("{a: W * X1}", inputs=f"{{X1: 1e{HUGE}, X2: 1}}"), "inputs.X1"),
    (spec("{a: W * X1}", label=f"1e{HUGE}"), "label"),
    (spec(f"{{a: 'X1 * 1e{HUGE}'}}"), "nodes.a"),
    (spec(f"{{a: 'X1 ** {HUGE}'}}"), "nodes.a"),
])
def test_a_5000_digit_exponent_is_refused_in_our_words(write, text, where):
    path = write(text)
    result = run_cli(str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"hwsolve: error: {path}, line ")
    assert f"at {where}: a number may have at most 1000 digits" in result.stderr
    assert "set_int_max_str_digits" not in result.stderr
    assert len(result.stderr) < 400           # the 5,000 digits are not echoed back


def test_a_long_exponent_is_out_of_range_without_echoing_it(write):
    path = write(spec("{a: W * X1}", inputs="{X1: 1e" + "9" * 60 + ", X2: 1}"))
    result = run_cli(str(path))
    assert result.exit_code == 2
    assert "is out of range: exponents are limited to ±1000" in result.stderr
    assert "9" * 30 not in result.stderr


@pytest.mark.parametrize("command", [[], ["--steps"], ["--format", "json"]])
def test_out_of_memory_names_the_problem_file(write, monkeypatch, command):
    from hwsolve.engine import solve

    def exhausted(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(solve, "evaluate", exhausted)
    path = write(spec("{a: W * X1}"))
    result = run_cli(str(path), *command)
    assert result.exit_code == 2
    assert result.stderr == (f"hwsolve: error: {path}: the problem needs more memory than is "
                             "available; make it smaller\n")


def test_out_of_memory_in_check_names_the_problem_file(write, monkeypatch):
    from hwsolve.tools import check

    def exhausted(problem):
        raise MemoryError
    monkeypatch.setattr(check, "evaluate", exhausted)
    path = write(spec("{a: W * X1}"))
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert f"hwsolve: error: {path}: the problem needs more memory" in result.stderr


def test_none_as_a_name_is_refused_as_a_keyword(write):
    path = write(spec("{a: W * X1}", params="{None: 1}"))
    result = run_cli(str(path))
    assert result.exit_code == 2
    assert "at params.None: 'None' is a Python keyword" in result.stderr
    assert "not a valid name" not in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_device_is_never_an_output_file():
    # Writes go through a temporary file that replaces the target: a device is refused even
    # with --force (as root, it would otherwise be replaced by a regular file).  The full-disk
    # message is tested in tests/test_writers.py.
    for extra in ((), ("--force",)):
        result = run_cli("generate", "5", "-o", "/dev/full", *extra)
        assert result.exit_code == 2
        assert result.stderr.startswith("hwsolve: error: /dev/full, at --output: is not a "
                                        "regular file")
