"""``hwsolve generate --batch N --train OPTIMIZER``: a generated problem as a mini-batch and a
training run.  Works on the generator's text: the ``inputs:`` block becomes example 1 of
``examples:``, and examples 2..N give every input new seeded values of the same shapes (one
decimal place, like the generator's inputs); ``--train`` appends a ``train:`` block.
"""

from __future__ import annotations

import random

from hwsolve.spec.vocab import OPTIMIZERS

TRAIN_LR = {"sgd": "0.05", "momentum": "0.02", "nesterov": "0.02", "rmsprop": "0.005",
            "adagrad": "0.05", "adam": "0.01", "adamw": "0.05"}
# adamw's decoupled decay is large enough to tell it from adam's coupled one in 20 steps
TRAIN_DECAY = {"adamw": "0.5"}


def _value(rng: random.Random, old: str) -> str:
    def one() -> str:
        x = rng.randint(-30, 30) / 10
        return f"{x:g}" if x else "0.5"
    text = old.strip()
    if text.startswith("["):
        count = text.count(",") + 1
        return "[" + ", ".join(one() for _ in range(count)) + "]"
    return one()


def add_batch(text: str, n: int, seed: int) -> str:
    """The generator's problem with its inputs as example 1 of ``n``."""
    if n < 1:
        raise ValueError("--batch needs at least 1 example")
    lines = text.splitlines()
    try:
        start = lines.index("inputs:")
    except ValueError:
        raise ValueError("the generated problem has no inputs to make examples of") from None
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    entries = [line.strip().split(": ", 1) for line in lines[start + 1:end]]
    rng = random.Random(f"batch-{seed}")
    block = ["reduction: mean", "examples:"]
    for k in range(n):
        block.append("  - inputs:")
        for name, value in entries:
            block.append(f"      {name}: {value if k == 0 else _value(rng, value)}")
    return "\n".join(lines[:start] + block + lines[end:]) + "\n"


def add_train(text: str, optimizer: str, steps: int = 20) -> str:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; the optimizers are "
                         + ", ".join(OPTIMIZERS))
    return text + (f"train:\n  optimizer: {optimizer}\n  lr: {TRAIN_LR[optimizer]}\n"
                   f"  weight_decay: {TRAIN_DECAY.get(optimizer, '0.01')}\n  steps: {steps}\n")
