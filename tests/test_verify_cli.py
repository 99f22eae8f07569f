"""hwsolve NAME --verify: every entry beside PyTorch's, and a clear error without PyTorch."""

import sys

import pytest

from conftest import network_problems, run_cli, single_problems


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


# --------------------------------------------------------------------------- format v2
import math  # noqa: E402
import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from hwsolve.api import solve_file  # noqa: E402
from hwsolve.ops.registry import REGISTRY  # noqa: E402

PROBLEMS = Path(__file__).resolve().parent.parent / "problems"


def _verify(path, **choices):
    from hwsolve.tools.verify import verify_entries

    return verify_entries(solve_file(path, **choices))


def _shipped():
    for path in single_problems(network_problems()):
        for variant in [None, *(yaml.safe_load(path.read_text()).get("variants") or {})]:
            yield pytest.param(path, variant, id=f"{path.stem}-{variant or 'base'}")


@pytest.mark.parametrize("path,variant", list(_shipped()))
def test_verify_passes_on_every_shipped_problem(path, variant):
    pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")
    rows = _verify(path, variant=variant)
    assert rows and all(row[-1] for row in rows), [r for r in rows if not r[-1]]


# Problems that between them use every op of the registry, every activation and every loss,
# at smooth points and at kinks and ties (a relu at 0, a 2-way element-wise max tie, a hinge
# margin of exactly 0), with matrices, indexing, literals and a variant overriding values.
V2_CASES = {
    "matrix-ops": """\
        title: every tensor op
        inputs: {X: [[1, 2, 0.5], [0, -1, 3], [2, 1, -2]], u: [0.5, -1.5]}
        params:
          K: [[0.5, -1], [0.25, 2]]
          W: [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]
          a: 0.75
        constants: {c: 2}
        nodes:
          C: conv2d(X, K)
          P: conv2d(X, K, 2, 1)
          T: transpose(W) @ W + outer(u, u) / c + trace(K)
          E: exp(T / 4) - log(1 + T ** 2) + sqrt(1 + T * T) + abs(T - 0.5)
          S: sigmoid(C) * tanh(C) + softplus(C - 1) + relu(C - C[1, 1]) + leaky_relu(C, 0.1)
             + step(C - 0.3) * C
          M: max(C, 0.5 * C, C[2, 2]) - min(E, 1)
          v: softmax(W @ u) + log_softmax([a, -a, 2 * a]) + W[2] @ transpose(W) / 3
          s: sum(M) + mean(S) + dot(v, [1, 2, 3]) + max(v) - min(P) + sum(E) - a ** a
        activation: identity
        loss: mse
        label: 1.5
        variants:
          other-values:
            params: {a: 1.25, W: [[1, 0], [0, 1], [1, 1]]}
            constants: {c: 4}
            label: -2
        """,
    "softmax-ce-prob": """\
        title: softmax, cross-entropy with a probability label, tanh hidden layer
        inputs: {x: [1, -2]}
        params: {W1: [[0.5, -0.25], [1, 0.75]], W2: [[1, -1], [0.5, 0.5], [-2, 1]]}
        nodes:
          h: tanh(W1 @ x)
          z: W2 @ h
        activation: softmax
        loss: cross_entropy
        label: [0.25, 0.5, 0.25]
        variants:
          class-three: {label: 3}
        """,
    "hinge-kink": """\
        title: multiclass hinge with a margin of exactly 0
        inputs: {x: [1, 2]}
        params: {W: [[1, 0], [0, 1], [0.5, 0.25]], b: [0, 0, 0.5]}
        nodes:
          s: W @ x + b
        activation: identity
        loss: hinge
        label: 2
        """,
    "hinge-binary": """\
        title: one score, hinge with label -1
        inputs: {x: [1, -2]}
        params: {w: [0.25, 0.5]}
        nodes:
          s: dot(w, x)
        activation: identity
        loss: hinge
        label: -1
        """,
    "bce-vector": """\
        title: two sigmoid outputs with bce, a relu at 0 and a max tie
        inputs: {x: [1, 1]}
        params: {W: [[1, -1], [0.5, 0.25]], v: [0.25, -0.5]}
        nodes:
          h: relu(W @ x)
          m: max(h, [0, 0.75])
          o: m * v + mean(m)
        label: [1, 0]
        variants:
          tanh-mse: {activation: tanh, loss: mse}
        """,
    "none-output-grad": """\
        title: loss none, vector output, upstream gradient
        params: {a: [2, 3], B: [[1, 2], [3, 4]]}
        nodes:
          q: B @ a ** 2 - a
        activation: identity
        loss: none
        output_grad: [0.5, -1]
        variants:
          sigmoid-head: {activation: sigmoid, output_grad: [1, 2]}
        """,
    "none-scalar": """\
        title: a gate circuit, loss none
        inputs: {x: -2, y: 5}
        params: {z: -4}
        nodes:
          q: x + y
          f: q * z
        activation: identity
        loss: none
        """,
    "loss-expression": """\
        title: cross-entropy plus L2, and mse plus a label term
        inputs: {x: [1, 2]}
        params: {W: [[0.2, -0.5], [-0.3, 0.7], [0.5, -0.2]]}
        nodes:
          z: W @ x
        activation: softmax
        loss: "cross_entropy + 0.001 * sum(W ** 2) + 0 * sum(Yhat)"
        label: 2
        variants:
          hinge-and-label:
            activation: identity
            loss: "hinge + mean((Yhat - Y) ** 2)"
            label: 3
        """,
    "attention-causal": """\
        title: causal self-attention, a vector broadcast over rows, a column against a row
        inputs: {X: [[1, 0, 2], [0, 1, -1], [1, 1, 0]]}
        params:
          Wq: [[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]]
          Wk: [[0.3, 0.1], [-0.2, 0.4], [0.2, -0.1]]
          Wv: [[1, 0], [0, 1], [0.5, -0.5]]
          b: [0.1, -0.1]
          c: [[1], [2], [0.5]]
        constants: {M: [[1, 0, 0], [1, 1, 0], [1, 1, 1]]}
        nodes:
          Q: X @ Wq + b
          K: X @ Wk
          V: X @ Wv
          P: softmax(Q @ transpose(K) / sqrt(2), M)
          O: P @ V + c * [[1, -1]]
          R: log_softmax(O) + softmax(O)
          f: sum(R * R)
        activation: identity
        loss: none
        """,
    "norms-gelu-dropout": """\
        title: layer norm, batch norm, var, GELU, dropout, concat
        inputs: {X: [[1, 2, 3], [4, 0, -1], [0.5, 0.5, 2]]}
        params: {g: [1, 2, 0.5], b: [0, 0.1, -0.2], w: [0.3, -0.2, 0.5, 1, -1]}
        constants: {D: [[1, 0, 1], [1, 1, 0], [0, 1, 1]]}
        nodes:
          LN: layer_norm(X, g, b)
          BN: batch_norm(X, g, b, 0.001)
          G: gelu(LN) + gelu_tanh(BN)
          Dr: dropout(G, D, 0.25)
          h: concat(var(Dr), [1, 2])
          y: dot(w, h)
        activation: sigmoid
        loss: bce
        label: 1
        """,
    "channels-pools": """\
        title: a 2-in 3-out convolution, max-pool with a tie, average pool
        inputs:
          X: [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 2, 1, 0], [1, 0, 1, 2]],
              [[0, 1, 1, 0], [2, 0, 1, 1], [1, 1, 0, 2], [0, 2, 1, 1]]]
        params:
          K: [[[[1, 0], [0, -1]], [[0.5, 0.5], [0, 0]]],
              [[[0, 1], [1, 0]], [[-1, 0], [0, 1]]],
              [[[0.2, 0.1], [0.1, 0.2]], [[0, 0], [1, 0]]]]
        nodes:
          C: conv2d(X, K, 1, 1)
          P: max_pool2d(C, 2)
          A: avg_pool2d(X[1], 2, 1)
          f: sum(P * P) + sum(A) + sum(max_pool2d(X[2], 2, 2))
        activation: identity
        loss: none
        """,
    "huber-l1": """\
        title: Huber with delta 0.5 (a residual on each side of delta and one of 0), and L1
        inputs: {x: [1, 2]}
        params: {W: [[0.5, -1], [2, 0.25], [1, 1]], c: [0.1, 0, 0]}
        nodes:
          z: W @ x + c
        activation: identity
        loss: huber
        delta: 0.5
        label: [-1.4, 1, 3]
        variants:
          l1: {loss: l1, label: [0, 2, 1]}
          tanh-huber: {activation: tanh, label: [1, -1, 0.5]}
        """,
    "smooth-l1": """\
        title: smooth L1 with beta 2, sigmoid outputs
        inputs: {x: [1, -2]}
        params: {W: [[0.5, -1], [2, 0.25]]}
        nodes:
          z: W @ x
        activation: sigmoid
        loss: smooth_l1
        beta: 2
        label: [0, 1]
        """,
    "mse-pytorch": """\
        title: mse under the pytorch convention (the mean)
        inputs: {x: [1, 2]}
        params: {W: [[0.5, -1], [2, 0.25], [1, 1]]}
        nodes:
          z: W @ x
        activation: tanh
        loss: mse
        conventions: pytorch
        label: [0, 1, -1]
        """,
    "mse-cs231n": """\
        title: mse under the cs231n convention (the squared L2 norm), in a loss expression
        inputs: {x: [1, 2]}
        params: {W: [[0.5, -1], [2, 0.25]]}
        nodes:
          z: W @ x
        activation: identity
        loss: "mse + 0.1 * sum(W ** 2)"
        conventions: cs231n
        label: [0, 1]
        """,
}


def _cases():
    for name, text in V2_CASES.items():
        doc = yaml.safe_load(textwrap.dedent(text))
        for variant in [None, *(doc.get("variants") or {})]:
            yield pytest.param(name, variant, id=f"{name}-{variant or 'base'}")


@pytest.mark.parametrize("name,variant", list(_cases()))
def test_verify_agrees_on_every_op_activation_and_loss(write, name, variant):
    pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")
    path = write(textwrap.dedent(V2_CASES[name]), f"{name}.yaml")
    rows = _verify(path, variant=variant)
    assert len(rows) > 5 and all(row[-1] for row in rows), [r for r in rows if not r[-1]]


def test_the_cases_use_every_op_and_loss():
    text = "\n".join(V2_CASES.values())
    for op in REGISTRY:
        word = {"add": "+", "sub": " - ", "neg": "-a", "mul": "*", "div": "/", "pow": "**",
                "identity": "identity", "loss_mse": "loss: mse", "loss_bce": "label: [1, 0]",
                "loss_cross_entropy": "cross_entropy", "loss_hinge": "hinge",
                "masked_softmax": "sqrt(2), M)", "max_pool": "max_pool2d(",
                "loss_huber": "loss: huber", "loss_l1": "loss: l1",
                "loss_smooth_l1": "loss: smooth_l1",
                "loss_mse_mean": "conventions: pytorch",
                "loss_sse": "conventions: cs231n"}.get(op, op + "(")
        assert word in text, op
    for head in ("activation: softmax", "activation: tanh", "activation: sigmoid",
                 "loss: none", "output_grad", "label: [0.25"):
        assert head in text, head


def test_verify_prints_matrix_entries_and_fails_on_a_disagreement(write, monkeypatch):
    pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")
    import torch

    path = write(textwrap.dedent(V2_CASES["bce-vector"]), "kink.yaml")
    result = run_cli(str(path), "--verify", "--width", "150")
    assert result.exit_code == 0, result.output
    assert "\n  ∇W[2, 1] " in result.output and "\n  h[1] " in result.output
    # relu'(0) = 1 instead of PyTorch's 0: hwsolve's relu at 0 must now disagree
    wrong = REGISTRY["relu"].__class__(**{**REGISTRY["relu"].__dict__,
                                          "torch": lambda x: torch.where(x >= 0, x, 0 * x)})
    monkeypatch.setitem(REGISTRY, "relu", wrong)
    result = run_cli(str(path), "--verify", "--width", "150")
    assert result.exit_code == 1, result.output
    assert "disagree" in result.output and "✗" in result.output
    bad = [line for line in result.output.splitlines() if "✗" in line]
    assert any(line.strip().startswith("∇W[1, ") for line in bad), bad


def test_a_missing_entry_is_a_disagreement(write, monkeypatch):
    pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is not installed")
    from hwsolve.tools import verify

    path = write(textwrap.dedent(V2_CASES["none-scalar"]), "gate.yaml")
    real = verify.torch_evaluate

    def fewer(spec):
        out = real(spec)
        del out["grad"]["q"]
        return out

    monkeypatch.setattr(verify, "torch_evaluate", fewer)
    rows = verify.verify_entries(solve_file(path))
    assert [r[0] for r in rows if not r[-1]] == ["∇q"]
    assert math.isnan(next(r[2] for r in rows if r[0] == "∇q"))
