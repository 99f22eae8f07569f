"""Answer keys of mini-batches and training runs (``hwsolve check``), under the same rule as a
single problem (the ``--tolerance`` option, the spec's ``tolerance:``, the course's default).

For a batch, ``answers.L`` is the batch loss, ``answers.grad`` the gradients of it (params; any
node or input when there is one example) and ``answers.values`` the values (params, constants;
any node when there is one example); ``answers.examples[k]`` keys example k's own Ŷ, L and node
values.  ``answers.train`` keys the run of the ``train`` block (see :mod:`hwsolve.spec.trainkeys`).
Every variant with answers is checked too, with its own head, params and constants.
"""

from __future__ import annotations

from hwsolve.engine.batch import Batch
from hwsolve.engine.solve import resolve_setup
from hwsolve.engine.train import TrainConfig, train
from hwsolve.errors import HwsolveError
from hwsolve.spec.load import Key, key_shape_problem
from hwsolve.spec.shapes import entry_name, flatten, indices, label, shape_of
from hwsolve.tools.check import Comparison, _lookup

# engine/train.py's short state names -> torch.optim's names, per optimizer.
_TORCH_STATE = {"b": "momentum_buffer", "s": "sum", "m": "exp_avg"}


def torch_state_name(optimizer: str, short: str) -> str:
    if short == "v":
        return "square_avg" if optimizer == "rmsprop" else "exp_avg_sq"
    return _TORCH_STATE.get(short, short)


def refuse_ignored(problem, variant: str | None = None, label_option=None) -> None:
    """A variant's inputs, or ``--label``, that a batch's examples would silently override are
    an error (issue 20, items 3 and 4)."""
    if not problem.examples:
        return
    if variant is not None and variant in problem.variants:
        given = [n for n in problem.variants[variant].values if n in problem.inputs]
        if given:
            raise HwsolveError(
                f"variant {variant!r} sets the input {given[0]}, but every example of this "
                "mini-batch gives its own inputs, so the variant's would be ignored; change "
                "the examples (or make a separate problem) instead",
                file=problem.file, where=f"variants.{variant}.inputs.{given[0]}",
                line=problem.lines.get(f"variants.{variant}.inputs.{given[0]}",
                                       problem.lines.get(f"variants.{variant}")))
    labelled = any(ex.label is not None for ex in problem.examples)
    if variant is not None and variant in problem.variants and labelled and \
            problem.variants[variant].head.label != problem.head.label:
        raise HwsolveError(
            f"variant {variant!r} sets a label, but the examples of this mini-batch carry "
            "their own labels, so the variant's would be ignored; change the examples' "
            "labels instead", file=problem.file, where=f"variants.{variant}.label",
            line=problem.lines.get(f"variants.{variant}.label",
                                   problem.lines.get(f"variants.{variant}")))
    if label_option is not None and labelled:
        raise HwsolveError(
            "--label would replace one label, but the examples of this mini-batch carry their "
            "own labels; edit the examples' labels instead", file=problem.file,
            where="--label")


def compare_problem(problem, rule=None) -> list:
    found: list = []
    runs = [(None, problem.answers)] + [(name, v.answers)
                                        for name, v in problem.variants.items()]
    for variant, answers in runs:
        if answers is not None:
            refuse_ignored(problem, variant)
            found += _compare(problem, answers, variant, rule)
    return found


class _Adder:
    def __init__(self, problem, variant, rule, found):
        self.problem, self.variant, self.rule, self.found = problem, variant, rule, found
        self.prefix = f"variants.{variant}.answers" if variant else "answers"

    def __call__(self, entry: str, key, value, where: str | None = None) -> None:
        if isinstance(key, Key):
            if isinstance(value, (list, tuple)):
                self.fail(f"{entry} is {len(value)} numbers; give a list", where, key.line)
            self.found.append(Comparison(self.variant, entry, key.text, value, key.line,
                                         key.exact, rule=self.rule))
            return
        why = key_shape_problem(key, shape_of(value), None, entry)
        if why:
            self.fail(why, where, _first(key).line)
        for index, k, v in zip(indices(shape_of(value)), flatten(key), flatten(value)):
            self.found.append(Comparison(self.variant, label(entry, index), k.text, v, k.line,
                                         k.exact, rule=self.rule))

    def fail(self, message: str, where: str | None, line: int):
        raise HwsolveError(message, file=self.problem.file,
                           where=f"{self.prefix}.{where}" if where else self.prefix, line=line)

    def named(self, prefix: str, keys: dict, lookup, section: str, suffix: str = "") -> None:
        for name, key in keys.items():
            base, index = entry_name(name)
            value = lookup(base)
            if value is None:
                self.fail(self.missing(base, section), f"{section}.{name}", _first(key).line)
            if index is not None:
                value = _lookup({base: value}, name)
            self(f"{prefix}{name}{suffix}", key, value, f"{section}.{name}")

    def missing(self, base: str, section: str) -> str:
        if self.problem.examples:
            return (f"{base} differs from example to example; key it under "
                    f"answers.examples[k].values (a batch's {section} key only params and "
                    "constants)")
        return f"{base} has no value here"


def _compare(problem, answers, variant, rule) -> list:
    found: list = []
    add = _Adder(problem, variant, rule, found)
    setup = resolve_setup(problem, variant=variant)
    batch = Batch(problem, setup)
    keys = answers.train
    if keys is not None and problem.train is None:
        add.fail("answers.train needs a train block", "train", keys.line)
    if answers.yhat is not None and problem.examples:
        add.fail("a batch has one Ŷ per example: key them under answers.examples "
                 "([{Yhat: ..., L: ...}, ...]), or key L, grad and answers.train", "Yhat",
                 _first(answers.yhat).line)
    keep = max(keys.steps, default=0) if keys is not None else 0
    if keys is not None and keep > problem.train.steps:
        add.fail(f"step {keep} is keyed, but the run has {problem.train.steps} steps", "train."
                 "steps", keys.steps[keep].line)
    listed = len(keys.losses) if keys is not None and keys.losses is not None else 0
    run = train(batch, problem.train, keep_steps=keep, keep_first=listed) \
        if keys is not None else None
    solution = run.first if run else batch.solve()
    single = None if problem.examples else solution.runs[0]
    consts = {n: solution.runs[0].value_of(n) for n in problem.constants}
    values = {**consts, **solution.params}
    if answers.yhat is not None:
        add("Yhat", answers.yhat, single.value_of("Yhat"), "Yhat")
    for name, key in answers.yhat_entries.items():
        if problem.examples:
            add.fail("a batch has one Ŷ per example: key its entries under "
                     "answers.examples[k].Yhat", name, key.line)
        add(name, key, _lookup({"Yhat": single.value_of("Yhat")}, name), name)
    if answers.loss is not None:
        add("L", answers.loss, solution.loss, "L")
    for k, example in enumerate(answers.examples or (), start=1):
        run_k = solution.runs[k - 1]
        if "Yhat" in example:
            add(f"Yhat@{k}", example["Yhat"], run_k.value_of("Yhat"), f"examples[{k}].Yhat")
        if "L" in example:
            add(f"L@{k}", example["L"], run_k.loss, f"examples[{k}].L")
        add.named("value ", example.get("values", {}), _reader(run_k.value_of),
                  f"examples[{k}].values", f"@{k}")
    add.named("∇", answers.grad, _table_or(solution.grad, single, "grad_of"), "grad")
    add.named("value ", answers.values, _table_or(values, single, "value_of"), "values")
    if run is not None:
        _compare_train(add, problem, keys, run)
    return found


def _compare_train(add: _Adder, problem, keys, run) -> None:
    steps = run.config.steps
    after = f"after step {steps}"
    if keys.loss is not None:
        add(f"L {after}", keys.loss, run.losses[-1], "train.L")
    if keys.losses is not None:
        if len(keys.losses) > len(run.losses):
            add.fail(f"the key lists {len(keys.losses)} losses but the run has "
                     f"{len(run.losses)} (before step 1 and after each step)", "train.loss",
                     keys.losses[0].line)
        for step, key in enumerate(keys.losses):
            add(f"L after step {step}", key, run.losses[step], "train.loss")
    add.named("", keys.params, run.params.get, "train.params", f" {after}")
    last = run.last
    single = None if problem.examples else last.runs[0]
    if keys.yhat is not None:
        value = single.value_of("Yhat") if single else [r.value_of("Yhat") for r in last.runs]
        add(f"Yhat {after}", keys.yhat, value, "train.Yhat")
    consts = {n: last.runs[0].value_of(n) for n in problem.constants}
    add.named("value ", keys.values, _table_or({**consts, **last.params}, single, "value_of"),
              "train.values", f" {after}")
    add.named("∇", keys.grad, _table_or(last.grad, single, "grad_of"), "train.grad",
              f" at the final params")
    by_step = {s.step: s for s in run.steps}
    optimizer = run.config.optimizer
    for k, step_keys in sorted(keys.steps.items()):
        done = by_step[k]
        add.named("", step_keys.params, done.after.get, f"train.steps.{k}.params",
                  f" after step {k}")
        for written, named in step_keys.state.items():
            state_name = torch_state_name(optimizer, written) if written == "v" else written
            table = {param: _state(done.state.get(param, {}), optimizer, state_name)
                     for param in done.state}
            if not any(v is not None for v in table.values()):
                held = sorted({torch_state_name(optimizer, s) for p in done.state.values()
                               for s in p})
                add.fail(f"{optimizer} keeps no {state_name} (its state: "
                         f"{', '.join(held) or 'none'})", f"train.steps.{k}.state.{written}",
                         step_keys.state_lines[written])
            add.named(f"{state_name} of ", named, table.get,
                      f"train.steps.{k}.state.{written}", f" after step {k}")


def _state(held: dict, optimizer: str, wanted: str):
    for short, value in held.items():
        if torch_state_name(optimizer, short) == wanted:
            return value
    return None


def _reader(function):
    def read(name):
        try:
            return function(name)
        except KeyError:
            return None
    return read


def _table_or(table: dict, single, method: str):
    """Look a name up in ``table`` (params, constants), or, with one example, in its run."""
    def lookup(name):
        if name in table:
            return table[name]
        if single is not None:
            return _reader(getattr(single, method))(name)
        return None
    return lookup


def _first(key):
    while isinstance(key, tuple):
        key = key[0]
    return key


__all__ = ["compare_problem", "refuse_ignored", "torch_state_name", "TrainConfig"]
