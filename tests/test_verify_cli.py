"""hwsolve NAME --verify: every entry beside PyTorch's, and a clear error without PyTorch."""

import sys

import pytest

from conftest import run_cli


def test_verify_q3b_agrees_with_pytorch_for_every_entry():
    pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")
    result = run_cli("q3b", "--verify", "--width", "120")
    assert result.exit_code == 0, result.output
    for entry in ("Yhat", "L", "∇X1", "∇W1", "∇H1", "∇H5", "∇Yhat"):
        assert f"\n  {entry} " in result.output
    assert "27 entries, all agree" in result.output


def test_verify_follows_the_chosen_head():
    pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")
    result = run_cli("q3a", "--verify", "--act", "tanh", "--loss", "mse", "--width", "120")
    assert result.exit_code == 0 and "all agree" in result.output


def test_verify_without_torch_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    result = run_cli("q3b", "--verify")
    assert result.exit_code == 2
    assert "PyTorch is not installed" in result.stderr and "hwsolve[verify]" in result.stderr
