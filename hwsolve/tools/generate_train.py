"""``hwsolve generate --batch N --train OPTIMIZER``: a generated problem as a mini-batch and a
training run.  Works on the generator's text: the ``inputs:`` block becomes example 1 of
``examples:``, and examples 2..N give every input new seeded values of the same shapes (one
decimal place, like the generator's inputs); ``--train`` appends a ``train:`` block.
"""

from __future__ import annotations

import random
import re

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
    text = "\n".join(lines[:start] + block + lines[end:]) + "\n"
    check_work(text, 0)
    return text


_ROOT_OF_NAME = re.compile(r"sqrt\(([A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])?)\)")
_POWER_HALF_OF_NAME = re.compile(r"(?<![A-Za-z0-9_\]])([A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])?)"
                                 r"\*\*0\.5\b")


def trainable(text: str) -> str:
    """The generator's square roots of a bare value (``sqrt(n12)``, ``w3[2]**0.5``) are safe at
    the written values only (the generator keeps the argument at least 0.05); a training step
    moves the params and can make it negative.  They become ``sqrt(abs(n12))``: the same value
    and gradient where the generator wrote them, and defined after any step."""
    text = _ROOT_OF_NAME.sub(r"sqrt(abs(\1))", text)
    return _POWER_HALF_OF_NAME.sub(r"abs(\1)**0.5", text)


def add_train(text: str, optimizer: str, steps: int = 20) -> str:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; the optimizers are "
                         + ", ".join(OPTIMIZERS))
    text = trainable(text)
    text += (f"train:\n  optimizer: {optimizer}\n  lr: {TRAIN_LR[optimizer]}\n"
             f"  weight_decay: {TRAIN_DECAY.get(optimizer, '0.01')}\n  steps: {steps}\n")
    check_work(text, steps)
    return text


def check_work(text: str, steps: int) -> None:
    """Never write a batch or a training run that the solver refuses as too long (its work
    bound, :func:`hwsolve.engine.batch.run_work`): the work is that of the first example
    (read back from the text) times the examples and the evaluations."""
    from hwsolve.engine.batch import (BATCH_WEIGHT, MAX_RUN_WORK, OPTIMIZER_WORK, Batch,
                                      run_work)
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.spec.load import load_problem_text

    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "  - inputs:"]
    n = max(1, len(starts))
    if len(starts) > 1:  # only example 1: reading 10,000 examples back takes seconds
        end = starts[1]
        while end < len(lines) and (lines[end].startswith("  ") or lines[end] == ""):
            end += 1
        lines = lines[:starts[1]] + lines[end:]
    problem = load_problem_text("\n".join(lines) + "\n", "generated")
    one = Batch(problem, resolve_setup(problem))
    tape, entries = one.sizes()
    work = run_work(n, tape, entries, steps)
    if work <= MAX_RUN_WORK:
        return
    fits = max(0, (MAX_RUN_WORK - steps * entries * OPTIMIZER_WORK)
               // (tape * (steps + 1) * BATCH_WEIGHT))
    examples = f"{n:,} example{'s' * (n != 1)}"
    what = f"{examples} and {steps} training steps" if steps else examples
    nodes = max(1, int(len(problem.nodes) * MAX_RUN_WORK / work * 0.9))
    advice = f"ask for at most about {fits:,} examples" if fits and n > 1 else \
        f"ask for at most about {nodes:,} nodes"
    raise ValueError(f"{what} make{'s' * (what == examples and n == 1)} a run of about {work:,} scalar operations, more than the "
                     f"{MAX_RUN_WORK:,} hwsolve solves; {advice}")
