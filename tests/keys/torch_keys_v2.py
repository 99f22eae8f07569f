#!/usr/bin/env python3
"""Independent PyTorch float64 keys for the v2 problems (issue 8, "Tests and keys").

Every problem below is a hand-written PyTorch model of one published worked example. It shares
NO code with hwsolve and does not read the YAML expressions: the numbers of each example are
transcribed here a second time (from the source), and ``--check`` first confirms that the YAML
file holds the same inputs, params, constants, label and output_grad, then compares every
entry of its ``answers`` (base and every variant) with the torch values.

Key rule (the README's): a decimal key matches when the torch value, rounded to the decimal
places written in the key, equals it (a value exactly half-way matches either rounding);
``'0.690'`` asks for three places, ``-4`` for none. An exact fraction written as a string,
``'8/3'``, matches when the torch value is within 1e-12 relative of it. A key entry names a
whole quantity (``W1``: a nested list) or one entry of it (``'W1[1, 2]'``, 1-based).

Usage (with /work/venv/bin/python, which has torch):
  torch_keys_v2.py [NAME ...]          every torch value and gradient, 10 significant digits
  torch_keys_v2.py --check [NAME ...]  compare the keys in problems/NAME.yaml; one line per
                                       entry; exit 1 on any difference, 2 on a bad file
"""
from __future__ import annotations

import argparse
import re
import sys
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
import torch  # noqa: E402
import yaml  # noqa: E402

DT = torch.float64
PROBLEMS = Path(__file__).resolve().parents[2] / "problems"


# --------------------------------------------------------------------------- helpers
def leaf(v):
    return torch.tensor(v, dtype=DT, requires_grad=True)


def const(v):
    return torch.tensor(v, dtype=DT)


def keep(**nodes):
    for t in nodes.values():
        if t.requires_grad:
            t.retain_grad()
    return nodes


def result(yhat, loss, named, data):
    """Values and gradients (None -> zeros) of every named tensor, as nested lists."""
    grad = {n: (t.grad if t.grad is not None else torch.zeros_like(t)).tolist()
            for n, t in named.items() if t.requires_grad}
    out = {"Yhat": yhat.tolist(), "values": {n: t.tolist() for n, t in named.items()},
           "grad": grad, "data": data}
    if loss is not None:
        out["L"] = loss.item()
    return out


# --------------------------------------------------------------------------- the models
def gate_circuit(variant):
    """CS231n notes, Backpropagation, Intuitions: f = (x + y) z at x=-2, y=5, z=-4."""
    data = {"inputs": {"x": -2, "y": 5, "z": -4}}
    x, y, z = (leaf(v) for v in data["inputs"].values())
    n = keep(q=x + y)
    n.update(keep(f=n["q"] * z))
    n["f"].backward()
    return result(n["f"], None, {"x": x, "y": y, "z": z, **n}, data)


def micrograd_readme(variant):
    """The README example of micrograd (A. Karpathy), unrolled into single assignments."""
    data = {"inputs": {"a": -4, "b": 2}}
    a, b = leaf(-4.0), leaf(2.0)
    c1 = a + b
    d1 = a * b + b ** 3
    c2 = c1 + (c1 + 1)
    c3 = c2 + (1 + c2 + (-a))
    d2 = d1 + (d1 * 2 + torch.relu(b + a))
    d3 = d2 + (3 * d2 + torch.relu(b - a))
    e = c3 - d3
    f = e ** 2
    g = f / 2 + 10 / f
    n = keep(c1=c1, d1=d1, c2=c2, c3=c3, d2=d2, d3=d3, e=e, f=f, g=g)
    g.backward()
    return result(g, None, {"a": a, "b": b, **n}, data)


def mazur_2_2_2(variant):
    """M. Mazur, A Step by Step Backpropagation Example: 2-2-2 sigmoid net, E = sum 1/2 (t-o)^2."""
    data = {"inputs": {"x": [0.05, 0.10]},
            "params": {"W1": [[0.15, 0.20], [0.25, 0.30]], "W2": [[0.40, 0.45], [0.50, 0.55]]},
            "constants": {"b1": 0.35, "b2": 0.60}, "label": [0.01, 0.99]}
    x = leaf(data["inputs"]["x"])
    W1, W2 = leaf(data["params"]["W1"]), leaf(data["params"]["W2"])
    b1, b2 = const(0.35), const(0.60)
    n = keep(net_h=torch.mv(W1, x) + b1)
    n.update(keep(h=torch.sigmoid(n["net_h"])))
    n.update(keep(net_o=torch.mv(W2, n["h"]) + b2))
    yhat = torch.sigmoid(n["net_o"])
    yhat.retain_grad()
    loss = 0.5 * ((yhat - const(data["label"])) ** 2).sum()
    loss.backward()
    return result(yhat, loss, {"x": x, "W1": W1, "W2": W2, **n}, data)


def softmax_3x2(variant):
    """Softmax classifier, 2 features -> 3 classes, cross-entropy, true class 2 (1-based)."""
    data = {"inputs": {"x": [1.0, 2.0]},
            "params": {"W": [[0.2, -0.5], [-0.3, 0.7], [0.5, -0.2]]}, "label": 2}
    x, W = leaf(data["inputs"]["x"]), leaf(data["params"]["W"])
    n = keep(z=torch.mv(W, x))
    logp = torch.log_softmax(n["z"], dim=0)
    loss = -logp[data["label"] - 1]
    yhat = torch.softmax(n["z"], dim=0)
    loss.backward()
    return result(yhat, loss, {"x": x, "W": W, **n}, data)


def cs231n_svm_softmax(variant):
    """CS231n notes, Linear classification: the SVM-vs-softmax figure, true class 3 (1-based)."""
    data = {"inputs": {"x": [-15, 22, -44, 56]},
            "params": {"W": [[0.01, -0.05, 0.1, 0.05], [0.7, 0.2, 0.05, 0.16],
                             [0.0, -0.45, -0.2, 0.03]], "b": [0.0, 0.2, -0.3]},
            "label": 3}
    x = leaf([float(v) for v in data["inputs"]["x"]])
    W, b = leaf(data["params"]["W"]), leaf(data["params"]["b"])
    n = keep(s=torch.mv(W, x) + b)
    s, y = n["s"], data["label"] - 1
    if variant is None:          # multiclass SVM: sum over j != y of max(0, s_j - s_y + 1)
        margins = torch.clamp(s - s[y] + 1, min=0)
        loss = margins.sum() - margins[y]
        yhat = s
    elif variant == "softmax":   # cross-entropy on softmax(s)
        loss = -torch.log_softmax(s, dim=0)[y]
        yhat = torch.softmax(s, dim=0)
    else:
        raise KeyError(variant)
    loss.backward()
    return result(yhat, loss, {"x": x, "W": W, "b": b, **n}, data)


def ridge_l2(variant):
    """Ridge regression slide example: loss = mean((Xw - y)^2) + 0.1 * sum(w^2), two samples."""
    w0 = {None: [5.0, -3.0], "small-weights": [1.0, 1.0]}[variant]
    data = {"inputs": {"X": [[1, 2], [2, 3]]}, "params": {"w": w0},
            "constants": {"lam": 0.1}, "label": [3, 5]}
    X, w = leaf([[1.0, 2.0], [2.0, 3.0]]), leaf(w0)
    n = keep(yhat=torch.mv(X, w), penalty=0.1 * (w ** 2).sum())
    yhat = n["yhat"]
    loss = ((yhat - const([3.0, 5.0])) ** 2).mean() + n["penalty"]
    loss.backward()
    return result(yhat, loss, {"X": X, "w": w, **n}, data)


def autograd_vector_q(variant):
    """PyTorch tutorial, A Gentle Introduction to torch.autograd: Q = 3a^3 - b^2, vector Q."""
    v = {None: [1.0, 1.0], "weighted": [0.1, 1.0]}[variant]
    data = {"params": {"a": [2.0, 3.0], "b": [6.0, 4.0]}, "output_grad": v}
    a, b = leaf([2.0, 3.0]), leaf([6.0, 4.0])
    n = keep(Q=3 * a ** 3 - b ** 2)
    n["Q"].backward(gradient=const(v))
    return result(n["Q"], None, {"a": a, "b": b, **n}, data)


def bptt_tanh_rnn(variant):
    """BPTT walkthrough: h_t = tanh(Wx x_t + Wh h_(t-1) + b), y_t = Wy h_t, L = sum 1/2 (y-t)^2."""
    data = {"inputs": {"x1": 1.0, "x2": 2.0}, "constants": {"h0": 0.0},
            "params": {"Wx": 0.5, "Wh": 0.1, "b": 0.0, "Wy": 2.0}, "label": [1.0, 2.0]}
    x1, x2 = leaf(1.0), leaf(2.0)
    Wx, Wh, b, Wy = (leaf(v) for v in data["params"].values())
    h0 = const(0.0)
    n = keep(a1=Wx * x1 + Wh * h0 + b)
    n.update(keep(h1=torch.tanh(n["a1"])))
    n.update(keep(a2=Wx * x2 + Wh * n["h1"] + b))
    n.update(keep(h2=torch.tanh(n["a2"])))
    n.update(keep(y=Wy * torch.stack([n["h1"], n["h2"]])))
    loss = 0.5 * ((n["y"] - const(data["label"])) ** 2).sum()
    loss.backward()
    return result(n["y"], loss, {"x1": x1, "x2": x2, "Wx": Wx, "Wh": Wh, "b": b, "Wy": Wy,
                                 **n}, data)


def conv2d_5x5_3x3(variant):
    """5x5 input 1..25, 3x3 kernel rows [1 0 -1], valid cross-correlation C, objective sum(C)."""
    X0 = [[5 * r + c + 1 for c in range(5)] for r in range(5)]
    K0 = [[1, 0, -1]] * 3
    data = {"inputs": {"X": X0}, "params": {"W": K0}}
    X = leaf([[float(v) for v in row] for row in X0])
    W = leaf([[float(v) for v in row] for row in K0])
    C = torch.nn.functional.conv2d(X[None, None], W[None, None])[0, 0]
    n = keep(C=C)
    n.update(keep(S=C.sum()))
    n["S"].backward()
    return result(n["S"], None, {"X": X, "W": W, **n}, data)


MODELS = {
    "cs231n_gate_circuit": gate_circuit,
    "micrograd_readme": micrograd_readme,
    "mazur_2_2_2": mazur_2_2_2,
    "softmax_3x2": softmax_3x2,
    "cs231n_svm_hinge": cs231n_svm_softmax,
    "ridge_l2": ridge_l2,
    "autograd_vector_q": autograd_vector_q,
    "bptt_tanh_rnn": bptt_tanh_rnn,
    "conv2d_3x3_kernel": conv2d_5x5_3x3,
}


# --------------------------------------------------------------------------- key matching
ENTRY = re.compile(r"^([A-Za-z_]\w*)(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?$")


class BadFile(Exception):
    """A problem file the checker cannot read as a v2 problem with keys."""


def matches(text: str, x: float) -> bool:
    """The key rule: decimal places written, or an exact fraction string to 1e-12 relative."""
    text = text.strip()
    if "/" in text:
        f = Fraction(text)
        return abs(x - float(f)) <= 1e-12 * max(abs(float(f)), 1e-300) if f else abs(x) <= 1e-12
    d = Decimal(text)
    unit = Decimal(1).scaleb(d.as_tuple().exponent)
    return abs(Decimal(x) - d) <= unit / 2


def number(text: str, where: str) -> float:
    try:
        return float(Fraction(text.strip())) if "/" in text else float(Decimal(text.strip()))
    except Exception as exc:  # noqa: BLE001 - any unreadable key is reported, not raised
        raise BadFile(f"{where}: {text!r} is not a number or a fraction string") from exc


def plain(node):
    """The composed YAML tree with every scalar kept as the text written in the file."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [plain(e) for e in node.value]
    return {k.value: plain(v) for k, v in node.value}


def pick(value, idx, where):
    for i in idx:
        if not isinstance(value, list) or not 1 <= i <= len(value):
            raise BadFile(f"{where}: index {i} is out of range")
        value = value[i - 1]
    return value


def walk(text, got, label, lines):
    """Compare a key (text, possibly nested lists) with a torch value; append one line each."""
    if isinstance(text, list):
        if not isinstance(got, list) or len(got) != len(text):
            size = len(got) if isinstance(got, list) else "a scalar"
            lines.append((False, f"{label}: key has {len(text)} entries, torch {size}"))
            return
        for i, (t, g) in enumerate(zip(text, got), 1):
            walk(t, g, f"{label}[{i}]" if "[" not in label else f"{label[:-1]}, {i}]", lines)
        return
    if isinstance(got, list):
        lines.append((False, f"{label}: key is a scalar, torch has {len(got)} entries"))
        return
    number(text, label)
    ok = matches(text, got)
    lines.append((ok, f"{label}: key {text}  torch {got:.12g}"))


def merged_data(doc, variant):
    """inputs, params, constants, label, output_grad of the base, overridden by the variant."""
    out = {k: doc.get(k) for k in ("inputs", "params", "constants", "label", "output_grad")}
    if variant is not None:
        v = doc["variants"][variant] or {}
        for k in out:
            if k in v:
                out[k] = ({**(out[k] or {}), **v[k]} if isinstance(v[k], dict) else v[k])
    return out


def as_float(v):
    if isinstance(v, list):
        return [as_float(e) for e in v]
    if isinstance(v, bool) or v is None:
        return v
    return float(v)


def data_lines(doc, variant, data, tag):
    """The problem file must hold the numbers transcribed in the model."""
    lines, have = [], merged_data(doc, variant)
    for key in ("inputs", "params", "constants", "label", "output_grad"):
        mine = data.get(key)
        theirs = have.get(key)
        if isinstance(mine, dict) or isinstance(theirs, dict):
            mine, theirs = mine or {}, theirs or {}
            if set(mine) != set(theirs):
                lines.append((False, f"[{tag}] {key}: names {sorted(theirs)} in the file, "
                                     f"{sorted(mine)} in the model"))
                continue
            bad = [n for n in mine if as_float(theirs[n]) != as_float(mine[n])]
            lines += [(False, f"[{tag}] {key}.{n}: file {theirs[n]!r}, model {mine[n]!r}")
                      for n in bad]
        elif as_float(mine) != as_float(theirs):
            lines.append((False, f"[{tag}] {key}: file {theirs!r}, model {mine!r}"))
    return lines


def check(name: str, folder: Path = PROBLEMS) -> tuple[int, int]:
    """(entries checked, differences) for FOLDER/NAME.yaml; prints one line per entry."""
    path = Path(folder) / f"{name}.yaml"
    text = path.read_text()
    doc = yaml.safe_load(text)
    raw = plain(yaml.compose(text))
    model = MODELS[name]
    blocks = [(None, raw.get("answers"))]
    blocks += [(vn, (v or {}).get("answers")) for vn, v in (raw.get("variants") or {}).items()]
    n = bad = 0
    for variant, answers in blocks:
        tag = variant or "base"
        if not answers:
            raise BadFile(f"{path.name} [{tag}]: no answers to check")
        res = model(variant)
        lines = data_lines(doc, variant, res["data"], tag)
        for key in ("Yhat", "L"):
            if key in answers:
                if key not in res:
                    lines.append((False, f"{key}: keyed, but the model has no {key}"))
                else:
                    walk(answers[key], res[key], key, lines)
        for section in ("grad", "values"):
            for entry, keytext in (answers.get(section) or {}).items():
                m = ENTRY.match(entry)
                if not m or m.group(1) not in res[section]:
                    lines.append((False, f"{section}.{entry}: no such quantity in the model"))
                    continue
                idx = [int(g) for g in m.groups()[1:] if g]
                got = pick(res[section][m.group(1)], idx, f"{section}.{entry}")
                walk(keytext, got, f"{section}.{entry}", lines)
        for ok, line in lines:
            n += 1
            bad += not ok
            print(f"{'ok  ' if ok else 'DIFF'} {name} [{tag}] {line.removeprefix(f'[{tag}] ')}")
    print(f"{name}: {n} entries checked, {bad} differences")
    return n, bad


def show(name: str, folder: Path = PROBLEMS) -> None:
    path = Path(folder) / f"{name}.yaml"
    variants = (yaml.safe_load(path.read_text()).get("variants") or {}) if path.exists() else {}
    for variant in [None, *variants]:
        res = MODELS[name](variant)
        print(f"# {name} [{variant or 'base'}]  (torch {torch.__version__}, float64)")
        fmt = (lambda v: "[" + ", ".join(fmt(e) for e in v) + "]" if isinstance(v, list)
               else f"{v:.10g}")
        print(f"  Yhat = {fmt(res['Yhat'])}" + (f"   L = {res['L']:.10g}" if "L" in res else ""))
        for q, v in res["values"].items():
            g = res["grad"].get(q)
            print(f"  {q:>6} = {fmt(v)}" + ("" if g is None else f"\n  {'d' + q:>6} = {fmt(g)}"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help=f"problems (default: all): {', '.join(MODELS)}")
    ap.add_argument("--check", action="store_true", help="compare the keys in each problem file")
    ap.add_argument("--dir", type=Path, default=PROBLEMS,
                    help="folder of the problem files (default: the shipped problems/)")
    a = ap.parse_args(argv)
    names = a.names or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"no torch model for {', '.join(unknown)}; have {', '.join(MODELS)}",
              file=sys.stderr)
        return 2
    if not a.check:
        for name in names:
            show(name, a.dir)
        return 0
    total = diffs = 0
    try:
        for name in names:
            n, bad = check(name, a.dir)
            total, diffs = total + n, diffs + bad
    except (BadFile, OSError, yaml.YAMLError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"all: {total} entries checked in {len(names)} problems, {diffs} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
