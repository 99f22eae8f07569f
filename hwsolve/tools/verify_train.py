"""``--verify`` for batches and training: every step beside ``torch.optim`` in float64.

PyTorch re-reads the problem file on its own (:func:`hwsolve.tools.verify.plain_spec` and
``yaml.safe_load`` for ``examples``); its autograd gives each example's gradient
(:func:`hwsolve.tools.verify.torch_evaluate`), the batch gradient is their mean (sum), and the
update is ``torch.optim``'s own ``step()`` on float64 tensors whose ``.grad`` holds that
gradient.  Nothing of hwsolve's solver or optimizer is used on the PyTorch side.
"""

from __future__ import annotations

from pathlib import Path

from hwsolve.tools.verify import _torch, plain_spec, torch_evaluate

REL = 1e-9
ABS = 1e-12


def torch_optimizer(torch, name: str, tensors: list, config):
    """``torch.optim`` for hwsolve's optimizer name and resolved settings."""
    f = float
    lr = f(config.lr)
    wd = f(config.weight_decay)
    if name == "sgd":
        return torch.optim.SGD(tensors, lr=lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(tensors, lr=lr, momentum=f(config.momentum), weight_decay=wd,
                               nesterov=name == "nesterov")
    if name == "rmsprop":
        return torch.optim.RMSprop(tensors, lr=lr, alpha=f(config.alpha), eps=f(config.eps),
                                   momentum=f(config.momentum), weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(tensors, lr=lr, eps=f(config.eps), weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(tensors, lr=lr, betas=tuple(f(b) for b in config.betas),
                                 eps=f(config.eps), weight_decay=wd)
    return torch.optim.Adam(tensors, lr=lr, betas=tuple(f(b) for b in config.betas),
                            eps=f(config.eps), weight_decay=wd)


def torch_training(text: str, setup, config, steps: int) -> list:
    """[(L, {param: value}, {param: gradient of L})] before step 1 and after each step,
    computed by PyTorch."""
    import yaml

    torch = _torch()
    doc = yaml.safe_load(text)
    examples = doc.get("examples") or [None]
    reduction = doc.get("reduction", "mean")
    specs = []
    for example in examples:
        label = None
        if example is not None and example.get("label") is not None:
            label = _floats(example["label"])
        elif setup.label_given is not None:
            label = _floats(setup.label_given)
        body = dict(doc)
        body.pop("examples", None)
        if example is not None:
            body["inputs"] = example["inputs"]
            body["label"] = label
        # sort_keys=False: the nodes keep their order (a node reads only earlier ones)
        spec = plain_spec(yaml.safe_dump(body, sort_keys=False), activation=setup.activation,
                          loss="Yhat" if setup.loss == "none" else setup.loss,  # f itself
                          label=label)
        specs.append(spec)
    names = list(specs[0]["params"])
    tensors = {n: torch.tensor(specs[0]["params"][n], dtype=torch.float64) for n in names}
    optimizer = torch_optimizer(torch, config.optimizer, list(tensors.values()), config)
    scale = 1.0 / len(specs) if reduction == "mean" else 1.0
    history = []
    for step in range(steps + 1):
        loss = 0.0
        grads = {n: torch.zeros_like(t) for n, t in tensors.items()}
        for spec in specs:
            spec["params"] = {n: t.tolist() for n, t in tensors.items()}
            result = torch_evaluate(spec)
            loss += result["values"]["L"]
            for n in names:
                grads[n] += torch.tensor(result["grad"][n], dtype=torch.float64)
        history.append((loss * scale, {n: t.tolist() for n, t in tensors.items()},
                        {n: (g * scale).tolist() for n, g in grads.items()}))
        if step == steps:
            break
        for n, t in tensors.items():
            t.grad = grads[n] * scale
        optimizer.step()
    return history


def verify_report(problem, setup, solution, train_run) -> tuple:
    """(report text, every entry agrees) for a batch or a training run."""
    from hwsolve.engine.train import TrainConfig
    from hwsolve.render.common import fmt

    text = problem.source or Path(problem.file).read_text(encoding="utf-8")
    config = train_run.config if train_run else TrainConfig("sgd", lr=0).resolved()
    steps = config.steps if train_run else 0
    reference = torch_training(text, setup, config, steps)
    ours = list(train_run.losses.items()) if train_run else [(0, solution.loss)]
    lines = [f"{problem.title}: {config.optimizer if train_run else 'batch'} beside "
             f"torch.optim float64, {steps} step{'s' * (steps != 1)}"]
    ok = True
    worst = 0.0
    for step, loss in ours:
        their_loss = reference[step][0]
        good, rel = _agree(loss, their_loss)
        worst = max(worst, rel)
        ok &= good
        if not good or step in (0, 1, steps):
            lines.append(f"  L after step {step}: {fmt(loss, 12)}  torch {their_loss:.12g}  "
                         f"{'ok' if good else 'DIFFERS'}")
    from hwsolve.spec.shapes import flatten
    checks = [("gradient of L before step 1", solution.grad, reference[0][2])]
    if train_run:
        checks.append(("after the last step", train_run.params, reference[-1][1]))
    for what, table, other in checks:
        for name, value in table.items():
            theirs = _flat(other[name])
            ours_flat = flatten(value)
            if len(theirs) != len(ours_flat):
                ok = False
                lines.append(f"  {name} {what}: {len(ours_flat)} entries, torch has "
                             f"{len(theirs)}  DIFFERS")
                continue
            for i, (a, b) in enumerate(zip(ours_flat, theirs), start=1):
                good, rel = _agree(a, b)
                worst = max(worst, rel)
                ok &= good
                if not good:
                    lines.append(f"  {name} entry {i} {what}: {fmt(a, 12)}  "
                                 f"torch {b:.12g}  DIFFERS")
    if not ok:  # what the float64 reference did
        from hwsolve.tools.verify.explain import explain_run
        lines += [f"why: {line}" for line in
                  explain_run(solution, ours, [loss for loss, _, _ in reference])]
    lines.append(f"{'every entry agrees' if ok else 'DISAGREEMENT'} (worst relative "
                 f"difference {worst:.2g}; tolerance {REL:g} relative or {ABS:g} absolute)")
    return "\n".join(lines) + "\n", ok


def _floats(value):
    """A label (a number, or nested lists / tuples of numbers) as floats."""
    if isinstance(value, (list, tuple)):
        return [_floats(v) for v in value]
    return float(value)


def _flat(value) -> list:
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]


def _agree(a, b) -> tuple:
    a = float(a)
    difference = abs(a - b)
    relative = difference / abs(a) if a else difference
    return difference <= REL * abs(a) or difference <= ABS, relative
