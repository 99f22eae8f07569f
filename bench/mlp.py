"""The one-example MLP of issue 8's target: 784 inputs, 64 sigmoid hidden units, 10 softmax
outputs with cross-entropy, about 51,000 params written as matrices.

    python bench/mlp.py problem OUT.yaml    # write the problem (seeded; 2-decimal numbers)
    python bench/mlp.py torch OUT.yaml      # the same forward/backward in PyTorch float64

The torch side is a whole process doing the same work (read the YAML, build tensors, forward,
backward, print every gradient as JSON), so that the two wall times compare like with like.
"""

from __future__ import annotations

import json
import random
import sys

SEED = 784


def problem_text(inputs: int = 784, hidden: int = 64, outputs: int = 10) -> str:
    r = random.Random(SEED)

    def number() -> str:
        return f"{r.randint(-99, 99) / 100:g}"

    def matrix(rows: int, cols: int) -> str:
        return "[" + ", ".join("[" + ", ".join(number() for _ in range(cols)) + "]"
                               for _ in range(rows)) + "]"

    x = "[" + ", ".join(f"{r.randint(0, 255) / 255:.4f}" for _ in range(inputs)) + "]"
    return (f"title: MLP {inputs}-{hidden}-{outputs}, sigmoid hidden layer, softmax output\n"
            f"inputs:\n  x: {x}\n"
            f"params:\n  W1: {matrix(hidden, inputs)}\n"
            f"  b1: [{', '.join(number() for _ in range(hidden))}]\n"
            f"  W2: {matrix(outputs, hidden)}\n"
            f"  b2: [{', '.join(number() for _ in range(outputs))}]\n"
            "nodes:\n  h: sigmoid(W1 @ x + b1)\n  z: W2 @ h + b2\n"
            "activation: softmax\nloss: cross_entropy\nlabel: 3\n"
            "columns: [Yhat, L, b2, b1]\n")


def torch_run(path: str) -> None:
    import torch
    import yaml

    with open(path) as handle:
        spec = yaml.safe_load(handle)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k in spec["params"])
         for section in ("inputs", "params") for k, v in spec[section].items()}
    h = torch.sigmoid(t["W1"] @ t["x"] + t["b1"])
    z = t["W2"] @ h + t["b2"]
    loss = torch.nn.functional.cross_entropy(z[None], torch.tensor([spec["label"] - 1]))
    loss.backward()
    json.dump({"L": loss.item(), "grad": {k: t[k].grad.tolist() for k in spec["params"]}},
              sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "problem":
        with open(sys.argv[2], "w") as out:
            out.write(problem_text())
    else:
        torch_run(sys.argv[2])
