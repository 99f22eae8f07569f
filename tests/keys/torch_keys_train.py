#!/usr/bin/env python3
"""Independent PyTorch float64 keys for the batch and training problems (issue 9).

Each model is written by hand with torch.nn.functional and torch.optim; it shares NO code with
hwsolve and does not read the YAML expressions: the numbers are transcribed a second time.
``--check`` confirms that the YAML holds the same params, examples and train settings, then
compares every key of ``answers`` (L and grad of the batch before training, and
``answers.examples``: each example's own Ŷ and L, and ``answers.train``: L after the last
step, the loss list, the params after the last step).

Key rule (the README's): a key matches when the torch value, rounded to the decimal places
written in the key, equals it.

Usage (/work/venv/bin/python has torch):
  torch_keys_train.py [NAME ...]          every torch number, 10 significant digits
  torch_keys_train.py --check [NAME ...]  compare the keys; exit 1 on a difference
"""
from __future__ import annotations

import argparse
import sys
import warnings
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import yaml  # noqa: E402

DT = torch.float64
PROBLEMS = Path(__file__).resolve().parents[2] / "problems"
XOR = [([0., 0.], 0.), ([0., 1.], 1.), ([1., 0.], 1.), ([1., 1.], 0.)]
REGRESSION = [([1., 2.], 1.5), ([-1., .5], -.5), ([2., -1.], 2.)]
SOFTMAX = [([1., .5], 0), ([-.5, 1.], 2), ([.2, -1.], 1)]   # 0-based classes


def t(v):
    return torch.tensor(v, dtype=DT, requires_grad=True)


def mazur(p, _):
    x = torch.tensor([.05, .10], dtype=DT)
    h = torch.sigmoid(p["W1"] @ x + .35)
    o = torch.sigmoid(p["W2"] @ h + .60)
    loss = 0.5 * ((o - torch.tensor([.01, .99], dtype=DT)) ** 2).sum()
    return loss, [(o, loss)]


def xor(p, reduction):
    per = []
    for x, y in XOR:
        h = torch.tanh(p["W1"] @ torch.tensor(x, dtype=DT) + p["b1"])
        z = p["w2"] @ h + p["b2"]
        per.append((torch.sigmoid(z),
                    F.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=DT))))
    total = torch.stack([loss for _, loss in per]).sum()
    return (total / len(per) if reduction == "mean" else total), per


def regression(p, reduction):
    per = []
    for x, y in REGRESSION:
        yhat = p["w"] @ torch.tensor(x, dtype=DT) + p["b"]
        per.append((yhat, 0.5 * (yhat - y) ** 2))
    total = torch.stack([loss for _, loss in per]).sum()
    return (total / len(per) if reduction == "mean" else total), per


def softmax(p, _):
    X = torch.tensor([x for x, _ in SOFTMAX], dtype=DT)
    y = torch.tensor([c for _, c in SOFTMAX])
    scores = X @ p["W"].T + p["b"]
    own = F.cross_entropy(scores, y, reduction="none")
    per = list(zip(torch.softmax(scores, dim=1), own))
    return F.cross_entropy(scores, y, reduction="mean"), per


XOR_P = {"W1": [[.5, -.4], [.3, .8]], "b1": [.1, -.1], "w2": [.7, -.6], "b2": .05}
REG_P = {"w": [.2, -.3], "b": .1}
MODELS = {
    "mazur_2_2_2_train": (mazur, {"W1": [[.15, .20], [.25, .30]], "W2": [[.40, .45], [.50, .55]]},
                          "mean", lambda ps: torch.optim.SGD(ps, lr=.5), 1),
    "batch_xor_momentum": (xor, XOR_P, "mean",
                           lambda ps: torch.optim.SGD(ps, lr=.5, momentum=.9), 5),
    "batch_xor_nesterov_sum": (xor, XOR_P, "sum",
                               lambda ps: torch.optim.SGD(ps, lr=.1, momentum=.8,
                                                          nesterov=True), 5),
    "regression_rmsprop": (regression, REG_P, "mean",
                           lambda ps: torch.optim.RMSprop(ps, lr=.01), 10),
    "regression_adagrad_sum": (regression, REG_P, "sum",
                               lambda ps: torch.optim.Adagrad(ps, lr=.1, weight_decay=.01), 10),
    "softmax_adam": (softmax, {"W": [[.1, -.2], [.05, .3], [-.1, .2]], "b": [0., .1, -.1]},
                     "mean", lambda ps: torch.optim.Adam(ps, lr=.1, weight_decay=.001), 10),
}


def run(name):
    model, start, reduction, make, steps = MODELS[name]
    p = {k: t(v) for k, v in start.items()}
    optimizer = make(list(p.values()))
    losses, grad, examples = [], None, None
    for step in range(steps + 1):
        optimizer.zero_grad()
        loss, per = model(p, reduction)
        loss.backward()
        losses.append(loss.item())
        if step == 0:
            grad = {k: v.grad.tolist() for k, v in p.items()}
            examples = [{"Yhat": y.tolist(), "L": l.item()} for y, l in per]
        if step < steps:
            optimizer.step()
    return {"L": losses[0], "grad": grad, "loss": losses, "examples": examples,
            "params": {k: v.detach().tolist() for k, v in p.items()}, "start": start,
            "reduction": reduction, "steps": steps}


def matches(key, value) -> bool:
    text = str(key)
    places = len(text.split(".")[1]) if "." in text else 0
    q = Decimal(1).scaleb(-places)
    return Decimal(repr(value)).quantize(q, ROUND_HALF_EVEN) == Decimal(text).quantize(q) or \
        abs(Decimal(repr(value)) - Decimal(text)) == q / 2


def lookup(table, name):
    if "[" not in name:
        return table[name]
    base, rest = name.split("[")
    idx = [int(i) - 1 for i in rest.rstrip("]").split(",")]
    value = table[base]
    for i in idx:
        value = value[i]
    return value


def pairs(key, value):
    if isinstance(key, list):
        for k, v in zip(key, value):
            yield from pairs(k, v)
    else:
        yield key, value


def check(name) -> int:
    doc = yaml.safe_load((PROBLEMS / f"{name}.yaml").read_text())
    ours = run(name)
    bad = 0
    for k, v in ours["start"].items():
        assert doc["params"][k] == v, f"{name}: params.{k} differs from the model"
    assert doc.get("reduction", "mean") == ours["reduction"]
    assert doc["train"]["steps"] == ours["steps"]
    answers = doc.get("answers") or {}
    entries = []
    if "L" in answers:
        entries.append(("L", answers["L"], ours["L"]))
    for k, key in (answers.get("grad") or {}).items():
        entries += [(f"∇{k}", a, b) for a, b in pairs(key, lookup(ours["grad"], k))]
    for k, keys in enumerate(answers.get("examples") or [], start=1):
        own = ours["examples"][k - 1]
        if "Yhat" in keys:
            entries += [(f"Yhat@{k}", a, b) for a, b in pairs(keys["Yhat"], own["Yhat"])]
        if "L" in keys:
            entries.append((f"L@{k}", keys["L"], own["L"]))
    train = answers.get("train") or {}
    if "L" in train:
        entries.append(("L after the last step", train["L"], ours["loss"][-1]))
    for i, key in enumerate(train.get("loss") or []):
        entries.append((f"L after step {i}", key, ours["loss"][i]))
    for k, key in (train.get("params") or {}).items():
        entries += [(f"{k} after", a, b) for a, b in pairs(key, lookup(ours["params"], k))]
    for label, key, value in entries:
        ok = matches(key, value)
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {name}: {label} key {key} torch {value!r}")
    if not entries:
        print(f"BAD {name}: no keys")
        bad += 1
    return bad


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    names = args.names or list(MODELS)
    if args.check:
        return 1 if sum(check(n) for n in names) else 0
    for n in names:
        r = run(n)
        print(n, {k: r[k] for k in ("L", "grad", "loss", "params", "examples")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
