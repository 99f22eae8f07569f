"""A problem file as the plain dict of :func:`hwsolve.tools.verify.torch_evaluate`.

Read with ``yaml.safe_load`` and this module's own checks, not hwsolve's spec reader, so that the
PyTorch reference shares nothing with the solver but the file.  Applies the format's defaults
(output = the last node, activation sigmoid, loss bce) and its rules: under ``activation: tanh``
with the mse or bce loss (or an expression naming one) a label entry of 0 becomes -1, and a
variant overrides ``activation``, ``loss``, ``label`` and ``output_grad`` and merges its
``inputs``, ``params`` and ``constants``.
"""

from __future__ import annotations

import re

from hwsolve.tools.verify.errors import error

PRESETS = ("bce", "mse", "cross_entropy", "hinge")
NEW_PRESETS = ("huber", "l1", "smooth_l1")  # mean-reduced, not usable inside an expression


def number(v, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise error(f"{where}: not a number: {v!r}")
    try:
        return float(v)  # "1e-3" is a string to YAML 1.1
    except ValueError:
        raise error(f"{where}: not a number: {v!r}") from None


def value(v, where: str):
    """A number, a list of numbers, or a list of rows (rectangular), as floats."""
    if not isinstance(v, list):
        return number(v, where)
    if not v:
        raise error(f"{where}: an empty list")
    if isinstance(v[0], list):
        rows = [value(row, f"{where}[{i}]") if isinstance(row, list) else error_row(where, i)
                for i, row in enumerate(v, start=1)]
        if any(_dims(row) != _dims(rows[0]) for row in rows):
            raise error(f"{where}: a ragged matrix")
        return rows
    return [number(x, f"{where}[{i}]") for i, x in enumerate(v, start=1)]


def _dims(v) -> tuple:
    return (len(v),) + _dims(v[0]) if isinstance(v, list) else ()


def error_row(where: str, i: int):
    raise error(f"{where}: row {i} is not a list")


def _leaves(section, where: str) -> dict:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise error(f"{where} is not a mapping")
    return {str(name): value(v, f"{where}.{name}") for name, v in section.items()}


def _map(f, v):
    return [_map(f, x) for x in v] if isinstance(v, list) else f(v)


def plain_spec(text: str, *, activation=None, loss=None, label=None, variant=None) -> dict:
    """The plain dict of ``torch_evaluate`` from a problem's YAML text.

    ``activation``, ``loss`` and ``label`` (a number or a list) override the file's, as the
    command-line options do; ``variant`` picks a variant of the file.
    """
    import yaml

    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise error("the problem is not a YAML mapping")
    over = {}
    if variant is not None:
        over = (doc.get("variants") or {}).get(variant)
        if not isinstance(over, dict):
            raise error(f"no variant {variant!r}")
    spec = {}
    for section in ("inputs", "params", "constants"):
        spec[section] = _leaves(doc.get(section), section)
        for name, v in _leaves(over.get(section), f"variants.{variant}.{section}").items():
            if name not in spec[section]:
                raise error(f"variants.{variant}.{section}.{name}: not one of the {section}")
            spec[section][name] = v
    nodes = doc.get("nodes") or {}
    if not isinstance(nodes, dict) or not nodes:
        raise error("no nodes")
    spec["nodes"] = {str(k): str(v) for k, v in nodes.items()}
    spec["output"] = str(over.get("output", doc.get("output", list(spec["nodes"])[-1])))
    act = activation or over.get("activation") or doc.get("activation") or "sigmoid"
    los = str(loss or over.get("loss") or doc.get("loss") or "bce").strip()
    if label is not None:
        y = _map(float, label)
    else:
        given = over.get("label", doc.get("label"))
        y = None if given is None else value(given, "label")
    named = {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", los)}  # presets in an expression
    if act == "tanh" and named & {"mse", "bce"} and y is not None:
        y = _map(lambda e: -1.0 if e == 0 else e, y)
    grad = over.get("output_grad", doc.get("output_grad"))
    spec["activation"], spec["loss"], spec["label"] = str(act), los, y
    spec["output_grad"] = None if grad is None else value(grad, "output_grad")
    for key in ("delta", "beta"):  # huber's and smooth_l1's (default 1)
        if key in doc:
            spec[key] = number(doc[key], key)
    if doc.get("conventions"):
        spec["conventions"] = str(doc["conventions"])
    return spec
