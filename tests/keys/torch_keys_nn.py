#!/usr/bin/env python3
"""Independent PyTorch float64 keys for the problems of issue 19 (attention, norms, pooling,
channels, GELU, Huber).

Each model below is written by hand from its published source with torch.nn.functional, shares
no code with hwsolve and does not read the YAML expressions: the numbers are transcribed here a
second time, and ``--check`` first confirms that the YAML file holds the same inputs, params,
constants, label and output_grad, then compares every ``answers`` entry (base and variants)
with the torch values, by the README's key rule.  The checking machinery (key rule, YAML
reading) is torch_keys_v2.py's, in this folder.

Usage (with /work/venv/bin/python, which has torch):
  torch_keys_nn.py [NAME ...]          every torch value and gradient, 10 significant digits
  torch_keys_nn.py --check [NAME ...]  compare the keys in problems/NAME.yaml; exit 1 on a
                                       difference, 2 on a bad file
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("torch_keys_v2",
                                               Path(__file__).with_name("torch_keys_v2.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)
torch, F = base.torch, base.torch.nn.functional
leaf, const, keep, result = base.leaf, base.const, base.keep, base.result


def attention_causal(variant):
    """Raschka, LLMs from scratch, ch. 3.5.1: softmax(masked scores / sqrt(2)) by rows."""
    S0 = [[0.2899, 0, 0, 0, 0, 0], [0.4656, 0.1723, 0, 0, 0, 0],
          [0.4594, 0.1703, 0.1731, 0, 0, 0], [0.2642, 0.1024, 0.1036, 0.0186, 0, 0],
          [0.2183, 0.0874, 0.0882, 0.0177, 0.0786, 0],
          [0.3408, 0.1270, 0.1290, 0.0198, 0.1290, 0.0078]]
    M0 = [[1 if j <= i else 0 for j in range(6)] for i in range(6)]
    data = {"inputs": {"S": S0}, "constants": {"M": M0}}
    S = leaf(S0)
    scores = (S / math.sqrt(2)).masked_fill(torch.tensor(M0) == 0, float("-inf"))
    n = keep(P=torch.softmax(scores, dim=-1))
    n.update(keep(last=n["P"][5]))
    return result(n["last"], None, {"S": S, **n}, data)


def layer_norm_rows(variant):
    """Layer norm of two 5-number data points, eps 1e-5, gamma 1, beta 0."""
    X0 = [[0.5, -1.2, 3.3, 0.8, -0.5], [2.0, -0.7, 1.2, -3.5, 0.6]]
    data = {"inputs": {"X": X0}, "params": {"gamma": [1] * 5, "beta": [0] * 5}}
    X, g, b = leaf(X0), leaf([1.0] * 5), leaf([0.0] * 5)
    n = keep(mu=X.mean(dim=1), v=X.var(dim=1, unbiased=False),
             N=F.layer_norm(X, (5,), g, b, eps=1e-5))
    n.update(keep(n1=n["N"][0]))
    return result(n["n1"], None, {"X": X, "gamma": g, "beta": b, **n}, data)


def batch_norm_columns(variant):
    """F.batch_norm in training mode on a 3x2 batch and on a 4x1 batch, eps 1e-5."""
    X0, Z0 = [[1, 2], [3, 4], [5, 6]], [[1], [2], [3], [4]]
    data = {"inputs": {"X": X0, "Z": Z0}, "params": {"gamma": [1, 1], "beta": [0, 0]}}
    X, Z, g, b = leaf(X0), leaf(Z0), leaf([1.0, 1.0]), leaf([0.0, 0.0])
    n = keep(B=F.batch_norm(X, None, None, g, b, training=True, eps=1e-5),
             C=F.batch_norm(Z, None, None, const([1.0]), const([0.0]), training=True,
                            eps=1e-5))
    n.update(keep(b1=n["B"][0]))
    return result(n["b1"], None, {"X": X, "Z": Z, "gamma": g, "beta": b, **n}, data)


def maxpool_tie(variant):
    """F.max_pool2d: 3x3 with 2x2 windows at stride 1, two 2x2 channels, upstream deltas."""
    A0 = {None: [[3, 4, 2], [1, 5, 0], [8, 6, 4]], "tie": [[3, 5, 2], [1, 5, 0], [8, 6, 4]]}[
        variant]
    X0 = [[[1, 4], [3, 2]], [[2, 6], [7, 2]]]
    D0, G0 = [[-1.4, 0.8], [0.2, 0.3]], [[[1]], [[2]]]
    data = {"inputs": {"A": A0, "X": X0}, "constants": {"D": D0, "G": G0}}
    A, X = leaf(A0), leaf(X0)
    n = keep(P=F.max_pool2d(A[None, None], 2, stride=1)[0, 0],
             Q=F.max_pool2d(X[None], 2)[0])
    n.update(keep(f=(const(D0) * n["P"]).sum() + (const(G0) * n["Q"]).sum()))
    n["f"].backward()
    return result(n["f"], None, {"A": A, "X": X, **n}, data)


def conv2d_channels(variant):
    """d2l.ai: corr2d_multi_in and corr2d_multi_in_out with K, K + 1, K + 2, via F.conv2d."""
    X0 = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    K0 = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
    K30 = [[[[v + s for v in row] for row in ch] for ch in K0] for s in (0, 1, 2)]
    data = {"inputs": {"X": X0}, "params": {"K1": K0, "K3": K30}}
    X, K1, K3 = leaf(X0), leaf(K0), leaf(K30)
    n = keep(Y1=F.conv2d(X[None], K1[None])[0, 0], Y3=F.conv2d(X[None], K3)[0])
    n.update(keep(top=n["Y1"][0]))
    return result(n["top"], None, {"X": X, "K1": K1, "K3": K3, **n}, data)


def gelu_unit(variant):
    """F.gelu, exact and approximate='tanh', at 0, 1 and -1."""
    data = {"inputs": {"x": [0, 1, -1]}}
    x = leaf([0.0, 1.0, -1.0])
    n = keep(t=F.gelu(x, approximate="tanh"), e=F.gelu(x))
    n.update(keep(y=n["t"] + n["e"]))
    return result(n["y"], None, {"x": x, **n}, data)


def huber_codearena(variant):
    """F.huber_loss (mean) of [3, 5] against [2, 2], delta 1."""
    data = {"params": {"p": [3, 5]}, "label": [2, 2]}
    p = leaf([3.0, 5.0])
    n = keep(z=p * 1)
    loss = F.huber_loss(n["z"], const([2.0, 2.0]), delta=1.0)
    loss.backward()
    return result(n["z"], loss, {"p": p, **n}, data)


def huber_keras_batch(variant):
    """The Keras documentation's Huber example: the mean over a batch of 2 examples x 2."""
    data = {"params": {"P": [[0.6, 0.4], [0.4, 0.6]]}}
    P = leaf([[0.6, 0.4], [0.4, 0.6]])
    loss = F.huber_loss(P, const([[0.0, 1.0], [0.0, 0.0]]), delta=1.0)
    loss.backward()
    return result(P, loss, {"P": P}, data)


MODELS = {
    "attention_causal": attention_causal,
    "layer_norm_rows": layer_norm_rows,
    "batch_norm_columns": batch_norm_columns,
    "maxpool_tie": maxpool_tie,
    "conv2d_channels": conv2d_channels,
    "gelu_unit": gelu_unit,
    "huber_codearena": huber_codearena,
    "huber_keras_batch": huber_keras_batch,
}

if __name__ == "__main__":
    base.MODELS = MODELS
    sys.exit(base.main())
