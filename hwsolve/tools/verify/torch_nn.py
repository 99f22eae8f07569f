"""The PyTorch side of issue 19's calls for ``--verify``: whole-tensor float64 equivalents
(softmax over the last axis, ``masked_fill`` + softmax for a mask, ``F.layer_norm``,
``F.batch_norm`` in training mode, ``F.gelu``, inverted dropout, ``torch.cat``, ``F.conv2d``
without the batch axis, ``F.max_pool2d`` / ``F.avg_pool2d``).  Nothing of hwsolve's parser or
engine is used: the ``ast`` nodes of the call are read here."""

from __future__ import annotations

import ast

from hwsolve.ops.registry import torch_equivalent
from hwsolve.tools.verify.errors import error

CALLS = ("softmax", "log_softmax", "var", "layer_norm", "batch_norm", "gelu", "gelu_tanh",
         "dropout", "concat", "conv2d", "max_pool2d", "avg_pool2d")


_PLACES = {"layer_norm": {"eps": 3}, "batch_norm": {"eps": 3}, "dropout": {"p": 2},
           "softmax": {"mask": 1}, "conv2d": {"stride": 2, "padding": 3},
           "max_pool2d": {"kernel_size": 1, "stride": 2},
           "avg_pool2d": {"kernel_size": 1, "stride": 2}}


def positional(node) -> list:
    """The call's arguments with PyTorch's keywords put in their places (dim=-1 dropped)."""
    fn, args = node.func.id, list(node.args)
    for kw in node.keywords:
        if kw.arg == "dim" and fn in ("softmax", "log_softmax"):
            continue
        at = _PLACES.get(fn, {}).get(kw.arg)
        if at is None:
            raise error(f"{fn} has no keyword {kw.arg!r}: {ast.unparse(node)}")
        if fn == "conv2d" and at == 3 and len(args) == 2:
            args.append(ast.Constant(1))  # padding= alone: stride 1
        if len(args) != at:
            raise error(f"{fn}: cannot place {kw.arg}=: {ast.unparse(node)}")
        args.append(kw.value)
    return args


def _whole(node, what: str) -> int:
    if not (isinstance(node, ast.Constant) and type(node.value) is int):
        raise error(f"the {what} must be a whole number literal")
    return node.value


def call(ev, fn: str, nodes: list, node):
    torch = ev.torch
    F = torch.nn.functional
    text = ast.unparse(node)
    if fn in ("conv2d", "max_pool2d", "avg_pool2d"):
        return _windows(ev, fn, nodes, text)
    if fn in ("layer_norm", "batch_norm"):
        if len(nodes) not in (3, 4):
            raise error(f"{fn} takes 3 or 4 arguments: {text}")
        x, g, b = (ev.ev(a) for a in nodes[:3])
        eps = ev.ev(nodes[3]) if len(nodes) == 4 else ev.const(1e-5)
        if eps.dim():
            raise error(f"the eps of {fn} must be a scalar: {text}")
        width = x.shape[-1]
        g = g.expand(width) if g.dim() == 0 else g
        b = b.expand(width) if b.dim() == 0 else b
        return torch_equivalent(fn)(x, g, b, eps)
    values = [ev.ev(a) for a in nodes]
    n = len(values)
    if fn in ("softmax", "log_softmax"):
        if n == 2 and fn == "softmax":
            s, m = values
            return torch_equivalent("masked_softmax")(s, m.expand_as(s))
        if n != 1 or values[0].dim() == 0:
            raise error(f"{fn} needs one tensor: {text}")
        return getattr(torch, fn)(values[0], -1)
    if fn == "var":
        if n != 1 or values[0].dim() not in (1, 2):
            raise error(f"var needs one vector or matrix: {text}")
        return torch_equivalent("var")(values[0])
    if fn in ("gelu", "gelu_tanh"):
        if n != 1:
            raise error(f"{fn} takes one argument: {text}")
        return torch_equivalent(fn)(values[0])
    if fn == "dropout":
        if n != 3 or values[2].dim():
            raise error(f"dropout takes x, mask and a scalar p: {text}")
        x, m, p = ev.same_shape(values, node)
        return torch_equivalent("dropout")(x, m, p)
    if fn == "concat":
        if n < 2 or any(v.dim() > 1 for v in values):
            raise error(f"concat joins vectors: {text}")
        return torch.cat([v.reshape(-1) for v in values])
    raise error(f"unknown function {fn!r}")


def _windows(ev, fn: str, nodes: list, text: str):
    F = ev.torch.nn.functional
    if fn == "conv2d":
        if len(nodes) not in (2, 3, 4):
            raise error(f"conv2d takes 2 to 4 arguments: {text}")
        x, k = (ev.ev(a) for a in nodes[:2])
        stride = _whole(nodes[2], "stride of conv2d") if len(nodes) > 2 else 1
        padding = _whole(nodes[3], "padding of conv2d") if len(nodes) > 3 else 0
        squeeze = k.dim() < 4
        while k.dim() < 4:
            k = k[None]
        x = x[None] if x.dim() == 2 else x
        out = F.conv2d(x[None], k, stride=stride, padding=padding)[0]
        return out[0] if squeeze else out
    if len(nodes) not in (2, 3):
        raise error(f"{fn} takes 2 or 3 arguments: {text}")
    x = ev.ev(nodes[0])
    k = _whole(nodes[1], f"window of {fn}")
    stride = _whole(nodes[2], f"stride of {fn}") if len(nodes) == 3 else k
    pool = F.max_pool2d if fn == "max_pool2d" else F.avg_pool2d
    if x.dim() == 2:
        return pool(x[None, None], k, stride)[0, 0]
    return pool(x[None], k, stride)[0]


# the mse of each course convention, written out here again (not read from hwsolve's table)
_MSE = {"textbook": "loss_mse", "pytorch": "loss_mse_mean", "cmu11785": "loss_mse_mean",
        "cs231n": "loss_sse"}


def preset(spec: dict, name: str, class_number) -> tuple:
    """(the registry's loss op, the payload's third entry) of the preset ``name``."""
    if name == "mse":
        if spec.get("conventions", "textbook") not in _MSE:
            raise error(f"unknown conventions {spec.get('conventions')!r}")
        return _MSE[spec.get("conventions", "textbook")], None
    if name in ("huber", "smooth_l1"):
        return f"loss_{name}", spec.get("delta" if name == "huber" else "beta", 1.0)
    return f"loss_{name}", class_number
