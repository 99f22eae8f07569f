"""Issue 19 as a student writes it: broadcasting, row-wise and masked softmax, norms, channels
and pooling, the new losses, and the objectives without a loss (forward-only, f = θ² trained,
``loss: Yhat``).  Expected numbers are worked out by hand in the comments (or by PyTorch in
test_verify_cli.py's cases); errors must name the shapes and exit 2."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import run_cli


def _doc(write, text, *args):
    result = run_cli(str(write(textwrap.dedent(text))), "--format", "json", *args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.output)


def _error(write, text):
    result = run_cli(str(write(textwrap.dedent(text))))
    assert result.exit_code == 2, result.output
    return result.stderr


def test_a_vector_is_added_to_each_row_and_a_column_meets_a_row(write):
    doc = _doc(write, """\
        title: broadcasting
        inputs: {X: [[1, 2, 3], [4, 5, 6]], b: [10, 20, 30], c: [[1], [2]], r: [[1, 2, 3]]}
        nodes:
          H: X + b
          G: c * r
          f: sum(H) + sum(G)
        activation: identity
        loss: none
        """)
    assert doc["values"]["H"] == [[11, 22, 33], [14, 25, 36]]
    assert doc["values"]["G"] == [[1, 2, 3], [2, 4, 6]]
    assert doc["grad"]["b"] == [2, 2, 2]          # b is read by both rows
    assert doc["grad"]["c"] == [[6], [6]]         # Σ r
    assert doc["grad"]["r"] == [[3, 3, 3]]        # Σ c


def test_a_shape_error_names_both_shapes(write):
    err = _error(write, """\
        title: bad
        inputs: {X: [[1, 2, 3], [4, 5, 6]], b: [1, 2]}
        nodes: {H: X + b}
        activation: identity
        loss: none
        """)
    assert "a 2×3 matrix" in err and "a vector of 2" in err and "nodes.H" in err


def test_masked_softmax_gives_zero_where_masked_and_refuses_an_all_zero_row(write):
    doc = _doc(write, """\
        title: causal
        inputs: {S: [[1, 5, 7], [2, 2, 9]]}
        constants: {M: [[1, 0, 0], [1, 1, 0]]}
        nodes:
          P: softmax(S, M)
          f: sum(P)
        activation: identity
        loss: none
        """)
    assert doc["values"]["P"] == [[1, 0, 0], [0.5, 0.5, 0]]  # exact: equal kept scores
    err = _error(write, """\
        title: causal
        inputs: {S: [[1, 5, 7], [2, 2, 9]]}
        constants: {M: [[1, 0, 0], [0, 0, 0]]}
        nodes:
          P: softmax(S, M)
          f: sum(P)
        activation: identity
        loss: none
        """)
    assert "all 0" in err or "every entry of a row of the softmax mask is 0" in err
    assert "P[2, 1]" in err


def test_var_and_norms_are_exact_where_rational(write):
    doc = _doc(write, """\
        title: norms
        inputs: {X: [[1, 3], [5, 7]]}
        params: {g: [1, 1], b: [0, 0]}
        nodes:
          v: var(X)
          N: layer_norm(X, g, b, 0)
          B: batch_norm(X, g, b, 0)
          f: sum(N) + sum(B) + sum(v)
        activation: identity
        loss: none
        """)
    assert doc["values"]["v"] == [1, 1]                   # (1 − 2)² and (3 − 2)², over 2
    assert doc["values"]["N"] == [[-1, 1], [-1, 1]]       # ±1/√1
    assert doc["values"]["B"] == [[-1, -1], [1, 1]]       # column means 3 and 5, σ² = 4


def test_a_max_pool_tie_goes_to_the_first_entry_with_a_note(write):
    result = run_cli(str(write(textwrap.dedent("""\
        title: tie
        inputs: {X: [[1, 3], [3, 0]]}
        nodes:
          m: max_pool2d(X, 2)
          f: sum(m)
        activation: identity
        loss: none
        """))), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["grad"]["X"] == [[0, 1], [0, 0]]
    assert any("first maximal entry" in w for w in doc["warnings"])


def test_huber_mean_and_its_delta(write):
    doc = _doc(write, """\
        title: huber
        inputs: {x: [1, 2]}
        params: {W: [[0.5, -1], [2, 0.25], [1, 1]]}
        nodes: {z: W @ x}
        activation: identity
        loss: huber
        delta: 1.5
        label: [0, 1, 3]
        """)
    # r = [-1.5, 1.5, 0]: |r| ≤ δ, so L = (½·2.25 + ½·2.25 + 0)/3 = 0.75
    assert doc["values"]["L"] == 0.75


def test_forward_only_prints_values_and_no_gradients(write):
    text = """\
        title: forward
        inputs: {x: [1, 2]}
        params: {W: [[1, 2], [3, 4]]}
        nodes: {z: W @ x}
        activation: identity
        loss: none
        """
    doc = _doc(write, text)
    assert doc["values"]["z"] == [5, 11] and doc["grad"] == {}
    result = run_cli(str(write(textwrap.dedent(text))), "--width", "200")
    assert result.exit_code == 0 and "forward only" in result.output and "∇" not in \
        result.output


def test_loss_none_with_train_minimises_the_output_and_loss_yhat_is_accepted(write):
    doc = _doc(write, """\
        title: f = theta^2
        params: {theta: 3}
        nodes: {f: theta ** 2}
        activation: identity
        loss: none
        train: {optimizer: sgd, lr: 0.1, steps: 3}
        """)
    # θ ← θ − 0.1·2θ = 0.8θ: 3, 2.4, 1.92, 1.536
    assert doc["train"]["params"]["theta"] == pytest.approx(1.536, rel=1e-15)
    doc = _doc(write, """\
        title: f
        params: {theta: 3}
        nodes: {f: theta ** 2}
        activation: identity
        loss: Yhat
        """)
    assert doc["values"]["L"] == 9 and doc["grad"]["theta"] == 6


def test_pytorch_keywords_are_accepted_and_a_wrong_one_is_named(write):
    doc = _doc(write, """\
        title: keywords
        inputs: {X: [[1, 2, 0], [0, 1, 3], [2, 2, 1]]}
        params: {K: [[1, 0], [0, -1]], g: [1, 1, 1], b: [0, 0, 0]}
        nodes:
          C: conv2d(X, K, padding=1)
          P: max_pool2d(C, kernel_size=2, stride=2)
          N: layer_norm(X, g, b, eps=0)
          S: softmax(X, dim=1)
          f: sum(P) + sum(N * S)
        activation: identity
        loss: none
        """)
    # C = X padded by 1, cross-correlated with [[1, 0], [0, -1]]: C[i, j] = P[i, j] - P[i+1, j+1]
    # = [[-1, -2, 0, 0], [0, 0, -1, 0], [-2, -2, 0, 3], [0, 2, 2, 1]]; its 2×2 maxima:
    assert doc["values"]["P"] == [[0, 0], [2, 3]]
    err = _error(write, """\
        title: keywords
        inputs: {X: [[1, 2], [0, 1]]}
        nodes:
          S: softmax(X, dim=0)
          f: sum(S)
        activation: identity
        loss: none
        """)
    assert "last axis" in err and "dim=0" in err
