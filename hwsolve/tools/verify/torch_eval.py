"""An evaluator independent of hwsolve's solver: float64 PyTorch autograd over whole tensors.

Nothing here uses hwsolve's spec reader, expression parser or engine.  Expressions are parsed
with Python's ``ast`` module and walked with this module's own whitelist (nothing is ever
``eval``-ed); every operation is the PyTorch equivalent of :mod:`hwsolve.ops.registry`, with
PyTorch's conventions at non-differentiable points: relu'(0) = 0, leaky_relu'(0) = slope,
abs'(0) = 0, a tie in min/max splits the gradient equally (``amax``/``amin`` over the stacked
arguments), and a hinge margin of exactly 0 has derivative 0.
"""

from __future__ import annotations

import ast

from hwsolve.ops.registry import torch_equivalent
from hwsolve.tools.verify import torch_nn
from hwsolve.tools.verify.errors import error, import_torch
from hwsolve.tools.verify.plain import NEW_PRESETS, PRESETS

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_ELEMENTWISE = ("abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "softplus", "step")


def _parse(text: str, where: str):
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        raise error(f"{where}: cannot parse {text!r}: {e.msg}") from None


class Evaluator:
    def __init__(self, torch, env: dict):
        self.torch = torch
        self.env = env

    def const(self, x):
        return self.torch.tensor(float(x), dtype=self.torch.float64)

    def ev(self, node):
        torch = self.torch
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise error(f"not a number: {node.value!r}")
            return self.const(node.value)
        if isinstance(node, ast.Name):
            try:
                return self.env[node.id]
            except KeyError:
                raise error(f"unknown name {node.id!r}") from None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.ev(node.operand)
            return torch_equivalent("neg")(v) if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            a, b = self.ev(node.left), self.ev(node.right)
            if a.dim() == 0 or b.dim() == 0 or a.shape[-1] != b.shape[0]:
                raise error(f"'@' of shapes {tuple(a.shape)} and {tuple(b.shape)}")
            return torch.matmul(a, b)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = self.same_shape([self.ev(node.left), self.ev(node.right)], node)
            op = _BINOPS[type(node.op)]
            if op == "pow" and not b.requires_grad and b.dim() == 0:
                return torch.pow(a, b.item())  # a fixed exponent: d/da only, as x**2 by hand
            return torch_equivalent(op)(a, b)
        if isinstance(node, ast.Subscript):
            return self.index(node)
        if isinstance(node, ast.List):
            if not node.elts:
                raise error("an empty vector literal")
            items = [self.ev(e) for e in node.elts]
            if any(i.shape != items[0].shape for i in items) or items[0].dim() > 1:
                raise error(f"a literal must be a vector or a rectangular matrix: "
                            f"{ast.unparse(node)}")
            return torch.stack(items)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise error(f"unsupported syntax: {ast.unparse(node)}")

    def same_shape(self, values: list, node) -> list:
        """Operands that broadcast as NumPy (and PyTorch) do."""
        try:
            self.torch.broadcast_shapes(*(v.shape for v in values))
        except RuntimeError:
            shapes = [tuple(v.shape) for v in values]
            raise error(f"operands of shapes {shapes} do not broadcast: "
                        f"{ast.unparse(node)}") from None
        return values

    def index(self, node):
        if not isinstance(node.value, ast.Name):
            raise error(f"only a name can be indexed: {ast.unparse(node)}")
        t = self.ev(node.value)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if len(parts) > t.dim():
            raise error(f"too many indexes: {ast.unparse(node)}")
        for part, size in zip(parts, t.shape):
            if not (isinstance(part, ast.Constant) and type(part.value) is int):
                raise error(f"an index must be a whole number: {ast.unparse(node)}")
            if not 1 <= part.value <= size:
                raise error(f"index {part.value} out of range 1..{size}: {ast.unparse(node)}")
        return t[tuple(p.value - 1 for p in parts)]

    def call(self, node):
        torch = self.torch
        if isinstance(node.func, ast.Name) and node.func.id in torch_nn.CALLS:
            # issue 19: rows, masks, norms, channels, pools (with PyTorch's keywords)
            return torch_nn.call(self, node.func.id, torch_nn.positional(node), node)
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise error(f"unsupported call: {ast.unparse(node)}")
        fn, args = node.func.id, node.args
        values = [self.ev(a) for a in args]
        n = len(values)

        def need(count, what):
            if n not in count:
                raise error(f"{fn} takes {what}: {ast.unparse(node)}")

        if fn in _ELEMENTWISE:
            need((1,), "one argument")
            return torch_equivalent(fn)(values[0])
        if fn == "leaky_relu":
            need((1, 2), "one or two arguments")
            slope = values[1] if n == 2 else self.const(0.01)
            if slope.dim():
                raise error("the slope of leaky_relu must be a scalar")
            return torch_equivalent(fn)(values[0], slope)
        if fn in ("min", "max"):
            if n == 1:
                if values[0].dim() == 0:
                    raise error(f"{fn} of one scalar")
                return torch_equivalent(fn)(*values[0].reshape(-1).unbind())
            need(range(2, 10 ** 6), "two or more arguments, or one tensor")
            return torch_equivalent(fn)(*self.same_shape(values, node))
        if fn in ("sum", "mean"):
            need((1,), "one tensor")
            if values[0].dim() == 0:
                raise error(f"{fn} of a scalar")
            return torch_equivalent(fn)(values[0])
        if fn == "dot":
            need((2,), "two vectors")
            u, v = values
            if u.dim() != 1 or u.shape != v.shape:
                raise error(f"dot of shapes {tuple(u.shape)} and {tuple(v.shape)}")
            return torch_equivalent(fn)(u, v)
        if fn in ("softmax", "log_softmax"):
            need((1,), "one vector")
            if values[0].dim() != 1:
                raise error(f"{fn} needs a vector")
            return torch_equivalent(fn)(values[0])
        if fn == "trace":  # issue 18
            need((1,), "one square matrix")
            if values[0].dim() != 2 or values[0].shape[0] != values[0].shape[1]:
                raise error("trace needs a square matrix")
            return values[0].trace()
        if fn == "transpose":
            need((1,), "one matrix")
            if values[0].dim() != 2:
                raise error("transpose needs a matrix")
            return values[0].T
        if fn == "outer":
            need((2,), "two vectors")
            if any(v.dim() != 1 for v in values):
                raise error("outer needs two vectors")
            return torch.outer(*values)
        raise error(f"unknown function {fn!r}")


def _label_tensor(torch, spec: dict, loss: str, k: int, shape: tuple):
    """(Y as compared by the preset ``loss``, the class number or None)."""
    y = spec.get("label")
    if y is None:
        raise error(f"the {loss} loss needs a label")
    if loss in ("cross_entropy", "hinge") and shape and not isinstance(y, list):
        c = int(y)
        if c != y or not 1 <= c <= k:
            raise error(f"the class number must be a whole number from 1 to {k}")
        return torch.nn.functional.one_hot(torch.tensor(c - 1), k).to(torch.float64), c
    if loss == "hinge" and shape:
        raise error("the hinge loss takes a class number as its label")
    t = torch.tensor(y, dtype=torch.float64)
    if tuple(t.shape) != shape:
        raise error(f"the label has shape {tuple(t.shape)}, the output {shape}")
    return t, None


def _names(text: str) -> set:
    return {n.id for n in ast.walk(_parse(text, "loss")) if isinstance(n, ast.Name)}


def torch_evaluate(spec: dict) -> dict:
    """Values and gradients of a problem, computed with float64 PyTorch autograd.

    ``spec`` (see :func:`hwsolve.tools.verify.plain_spec`): {"inputs", "params", "constants":
    {name: number | list | list of rows}, "nodes": {name: expression} (in order), "output",
    "activation": sigmoid | tanh | identity | softmax, "loss": bce | mse | cross_entropy |
    hinge | none | an expression, "label": the label actually used, "output_grad"}.

    Returns {"values": {...}, "grad": {...}}: values of every input, param, constant, node,
    ``Yhat``, ``L`` (not with loss none) and each preset a loss expression uses; dL/d(name) (or
    dŶ/d(name) seeded with output_grad for loss none) of every input, param, node and ``Yhat``,
    0 where there is no path.  A number is a float, a tensor a (nested) list of floats.
    """
    torch = import_torch()
    dt = torch.float64
    env, seen, leaves = {}, set(), {}
    for section, grad in (("inputs", True), ("params", True), ("constants", False)):
        for name, v in (spec.get(section) or {}).items():
            if name in env:
                raise error(f"name {name!r} defined twice")
            t = torch.tensor(v, dtype=dt)
            if grad:
                t.requires_grad_(True)
                leaves[name] = t
            env[name] = t
            seen.add(id(t))
    nodes, extra = {}, {}
    with torch.enable_grad():
        ev = Evaluator(torch, env)
        for name, text in spec["nodes"].items():
            if name in env:
                raise error(f"name {name!r} defined twice")
            v = ev.ev(_parse(str(text), f"nodes.{name}"))
            if not v.requires_grad:  # depends on constants only: still has a gradient
                v = v.detach().clone().requires_grad_(True)
            elif v.grad_fn is None or id(v) in seen or v._base is not None:
                v = v.clone()  # a bare name or a view: the node's own tensor
            v.retain_grad()
            env[name] = nodes[name] = v
            seen.add(id(v))
        out = spec.get("output") or list(nodes)[-1]
        if out not in nodes:
            raise error(f"output {out!r} is not a node")
        z = nodes[out]
        if z.dim() > 1:
            raise error("the output must be a scalar or a vector")
        act = spec.get("activation", "sigmoid")
        if act == "softmax":
            if z.dim() != 1:
                raise error("softmax needs a vector output")
            yhat = torch_equivalent("softmax")(z)
        elif act in ("sigmoid", "tanh", "identity"):
            yhat = torch_equivalent(act)(z)
        else:
            raise error(f"unknown activation {act!r}")
        yhat.retain_grad()
        shape, k = tuple(z.shape), (z.shape[0] if z.dim() else 1)
        loss = spec.get("loss", "bce")

        def preset(name):
            y, c = _label_tensor(torch, spec, name, k, shape)
            if name == "hinge" and not shape and y.item() not in (1.0, -1.0):
                raise error("one output's hinge loss needs a label of 1 or -1")
            op, extra = torch_nn.preset(spec, name, c)
            return torch_equivalent(op)(yhat, z, y, (act, k, extra))

        L = None
        forward_only = loss == "none" and spec.get("output_grad") is None and yhat.dim() > 0
        if forward_only:
            pass  # every value, and no gradient (as hwsolve's forward-only problems)
        elif loss == "none":
            g = spec.get("output_grad")
            g = torch.ones_like(yhat) if g is None else torch.tensor(g, dtype=dt)
            if g.shape != yhat.shape:
                raise error(f"output_grad has shape {tuple(g.shape)}, the output {shape}")
            yhat.backward(gradient=g)
        else:
            if loss in PRESETS or loss in NEW_PRESETS:
                L = preset(loss)
            else:
                scope = dict(env, Yhat=yhat)
                if spec.get("label") is not None:
                    scope["Y"] = torch.tensor(spec["label"], dtype=dt)
                for name in PRESETS:
                    if name in _names(loss):
                        if name in env:
                            raise error(f"the loss uses {name!r}, also a name of the problem")
                        scope[name] = extra[name] = preset(name)
                L = Evaluator(torch, scope).ev(_parse(loss, "loss"))
                if L.dim():
                    raise error("the loss must be a scalar")
            L.backward()

    out_of = lambda t: t.detach().tolist() if t.dim() else t.item()  # noqa: E731
    values = {name: out_of(t) for name, t in env.items()}
    values["Yhat"] = out_of(yhat)
    values.update({name: t.item() for name, t in extra.items()})
    if L is not None:
        values["L"] = L.item()
    grad = {}
    for name, t in [] if forward_only else \
            list(leaves.items()) + list(nodes.items()) + [("Yhat", yhat)]:
        grad[name] = out_of(t.grad if t.grad is not None else torch.zeros_like(t))
    return {"values": values, "grad": grad}
