"""Answer keys of mini-batches and training runs (``hwsolve check``).

For a batch, ``answers.L`` is the batch loss, ``answers.grad`` the params' gradients of it and
``answers.values`` the params and constants; ``answers.train`` keys the run of the spec's
``train`` block: ``L`` after the last step, ``loss`` (L before step 1, after step 1, ...) and
``params`` after the last step (whole, or by entry ``W[1, 2]``).
"""

from __future__ import annotations

from hwsolve.engine.batch import Batch
from hwsolve.engine.solve import resolve_setup
from hwsolve.engine.train import TrainConfig, train
from hwsolve.errors import HwsolveError
from hwsolve.spec.load import Key
from hwsolve.spec.shapes import flatten, indices, label
from hwsolve.tools.check import Comparison, _lookup


def compare_problem(problem) -> list:
    answers = problem.answers
    if answers is None:
        return []
    if problem.variants:
        raise HwsolveError("variants are not supported with examples or train", file=problem.file,
                           where="variants", line=problem.lines.get("variants"))
    if answers.yhat is not None and problem.examples:
        raise HwsolveError("a batch has one Ŷ per example: key them under answers.examples "
                           "([{Yhat: ..., L: ...}, ...]), or key L, grad and answers.train",
                           file=problem.file, where="answers.Yhat", line=answers.yhat.line)
    batch = Batch(problem, resolve_setup(problem))
    found: list = []
    needs_train = answers.train is not None
    if needs_train and problem.train is None:
        raise HwsolveError("answers.train needs a train block", file=problem.file,
                           where="answers.train", line=answers.train.line)
    listed = len(answers.train.losses or ()) if needs_train else 0
    run = train(batch, problem.train, keep_first=listed) if needs_train else None
    solution = run.first if run else batch.solve()
    values = {**{n: solution.runs[0].value_of(n) for n in problem.constants}, **solution.params}
    if answers.yhat is not None:
        _add(found, "Yhat", answers.yhat, solution.runs[0].value_of("Yhat"))
    if answers.loss is not None:
        _add(found, "L", answers.loss, solution.loss)
    for k, keys in enumerate(answers.examples or (), start=1):
        run_k = solution.runs[k - 1]
        if "Yhat" in keys:
            _add_yhat(found, k, keys["Yhat"], run_k.value_of("Yhat"), problem)
        if "L" in keys:
            _add(found, f"L@{k}", keys["L"], run_k.loss)
    for prefix, table, keys in (("∇", solution.grad, answers.grad),
                                ("value ", values, answers.values)):
        for name, key in keys.items():
            if name.split("[")[0] not in table:
                raise HwsolveError(f"{name} is keyed, but a batch keys only params (and "
                                   "constants' values)", file=problem.file,
                                   where=f"answers.{'grad' if prefix == '∇' else 'values'}."
                                   f"{name}", line=_first(key).line)
            _add(found, f"{prefix}{name}", key, _lookup(table, name))
    if run is not None:
        keys = answers.train
        if keys.loss is not None:
            _add(found, f"L after step {run.config.steps}", keys.loss, run.losses[-1])
        if keys.losses is not None:
            if len(keys.losses) > len(run.losses):
                raise HwsolveError(f"the key lists {len(keys.losses)} losses but the run has "
                                   f"{len(run.losses)} (before step 1 and after each step)",
                                   file=problem.file, where="answers.train.loss",
                                   line=keys.losses[0].line)
            for step, key in enumerate(keys.losses):
                _add(found, f"L after step {step}", key, run.losses[step])
        for name, key in keys.params.items():
            _add(found, f"{name} after step {run.config.steps}", key, _lookup(run.params, name))
    return found


def _add(found: list, entry: str, key, value) -> None:
    if isinstance(key, Key):
        found.append(Comparison(None, entry, key.text, value, key.line, key.exact))
        return
    flat_keys = flatten(key)
    shape = (len(key),) if not isinstance(key[0], tuple) else (len(key), len(key[0]))
    for index, k, v in zip(indices(shape), flat_keys, flatten(value)):
        found.append(Comparison(None, label(entry, index), k.text, v, k.line, k.exact))


def _add_yhat(found: list, k: int, key, value, problem) -> None:
    """Example k's Ŷ: its shape is known only now; a wrong one is an error at the key's line."""
    from hwsolve.spec.load import key_shape_problem
    from hwsolve.spec.shapes import shape_of
    why = key_shape_problem(key, shape_of(value), None, "Yhat")
    if why:
        raise HwsolveError(why, file=problem.file, where=f"answers.examples[{k}].Yhat",
                           line=_first(key).line)
    _add(found, f"Yhat@{k}", key, value)


def _first(key):
    while isinstance(key, tuple):
        key = key[0]
    return key


__all__ = ["compare_problem", "TrainConfig"]
