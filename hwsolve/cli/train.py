"""``hwsolve solve``'s options for mini-batches and training, and the run that uses them.

A problem with ``examples`` is a batch; a ``train`` block, or any training option on the
command line, adds the update step (one step unless told otherwise).  The command line wins
over the spec's ``train`` block, key by key.
"""

from __future__ import annotations

import sys

import click

from hwsolve.spec.vocab import OPTIMIZERS as OPTIMIZER_NAMES
_TRAIN_OPTIONS = ("optimizer", "lr", "momentum", "weight_decay", "betas", "eps", "alpha",
                  "train_steps")


def options(command):
    """Add the batch and training options to ``command`` (their values arrive as keywords)."""
    decorators = [
        click.option("--optimizer", type=click.Choice(OPTIMIZER_NAMES),
                     help="Train with this torch.optim rule (default sgd)."),
        click.option("--lr", help="Learning rate η (a plain decimal); trains one step."),
        click.option("--momentum", help="Momentum μ (momentum, nesterov, rmsprop)."),
        click.option("--weight-decay", "weight_decay",
                     help="Weight decay λ: g ← g + λ·p (adamw: p ← p·(1 − η·λ))."),
        click.option("--betas", help="β₁,β₂ of adam and adamw, e.g. 0.9,0.999."),
        click.option("--eps", help="ε of rmsprop, adagrad, adam and adamw."),
        click.option("--alpha", help="rmsprop's smoothing constant α (default 0.99)."),
        click.option("--train-steps", "train_steps", type=click.IntRange(0, 10_000_000),
                     help="Train this many steps: L per step, final params, the curve."),
        click.option("--history", type=click.Path(dir_okay=False),
                     help="Write step,L,Ŷ per step to this CSV (read by 'hwsolve curves')."),
        click.option("--plot", "plot_file", type=click.Path(dir_okay=False),
                     help="Draw L against the step into FILE.png|svg|pdf (needs matplotlib)."),
        click.option("--example", "example", type=click.IntRange(1, None),
                     help="In a batch: show example K's own table (and --steps)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def applies(problem, training: dict) -> bool:
    given = any(training.get(key) is not None for key in _TRAIN_OPTIONS)
    return bool(problem.examples) or problem.train is not None or given \
        or training.get("history") is not None or training.get("plot_file") is not None


def config_of(problem, training: dict):
    """The spec's train block with the command line's settings on top."""
    from hwsolve import num
    from hwsolve.spec.trainconfig import TrainConfig, check_config
    from hwsolve.errors import HwsolveError

    base = problem.train or TrainConfig()
    config = TrainConfig(base.optimizer, base.lr, base.momentum, base.weight_decay, base.betas,
                         base.eps, base.alpha, base.steps)

    def number(option: str, text: str):
        try:
            return num.parse_decimal(text)
        except ValueError as exc:
            raise HwsolveError(str(exc), where=option) from None

    given: dict = {}  # setting -> the option that gave it
    if training.get("optimizer"):
        config.optimizer = training["optimizer"]
        given["optimizer"] = "--optimizer"
        if base.optimizer != config.optimizer:  # the spec's settings were for another rule
            for key in ("momentum", "betas", "eps", "alpha"):
                setattr(config, key, None)
    for key in ("lr", "momentum", "weight_decay", "eps", "alpha"):
        if training.get(key) is not None:
            option = "--" + key.replace("_", "-")
            setattr(config, key, number(option, training[key]))
            given[key] = option
    if training.get("betas") is not None:
        parts = training["betas"].split(",")
        if len(parts) != 2:
            raise HwsolveError("give two numbers, like 0.9,0.999", where="--betas")
        config.betas = tuple(number("--betas", p) for p in parts)
        given["betas"] = "--betas"
    if training.get("train_steps") is not None:
        config.steps = training["train_steps"]

    def fail(message, key):
        if key in given:  # a command-line option: name it, not the file
            return HwsolveError(message, where=given[key])
        return HwsolveError(message, file=problem.file, where=f"train.{key}",
                            line=problem.lines.get(f"train.{key}"))
    check_config(config, fail)
    return config


def run(problem, setup, fmt: str, digits: int, width, show_steps: bool, verify: bool,
        training: dict, console) -> int:
    """Solve the batch (and train when asked); print in ``fmt``; return the exit code."""
    from hwsolve.engine.batch import Batch
    from hwsolve.errors import HwsolveError
    from hwsolve.cli import train_view
    from hwsolve.render import numbers, train_text

    train_view.check(problem, training.get("example"), fmt)  # --values, --exact
    batch = Batch(problem, setup)
    wants_training = problem.train is not None or any(
        training.get(key) is not None for key in _TRAIN_OPTIONS) \
        or training.get("history") or training.get("plot_file")
    example = training.get("example")
    if example is not None and example > len(batch.examples):
        raise HwsolveError(f"there are {len(batch.examples)} examples", where="--example")
    train_run = None
    if wants_training:
        from hwsolve.engine.train import train
        if not problem.params:
            from hwsolve.engine.train import no_params
            raise no_params(problem)
        from hwsolve.cli.train_stream import StepSink
        config = config_of(problem, training)
        streamed = fmt == "csv" and config.steps > 1 and not verify
        sink = StepSink(config.steps, None if verify else training.get("history"), streamed)
        try:
            train_run = train(batch, config, on_step=sink if sink.active else None)
        finally:
            sink.close(done=train_run is not None)
        row_notes = numbers.summarized(sink.notes)   # every step's, not the thinned record's
        solution = train_run.first
    else:
        solution = batch.solve()
    if verify:
        from hwsolve.tools.verify_train import verify_report
        text, ok = verify_report(problem, setup, solution, train_run)
        click.echo(text, nl=False)
        return 0 if ok else 1
    if training.get("plot_file") and train_run is not None:
        from hwsolve.render.plot import write_file
        from hwsolve.render.train_table import loss_panels
        write_file(loss_panels(train_run), training["plot_file"], title=problem.title,
                   force=bool(training.get("force")), inputs=(problem.file,))
    single = not problem.examples
    notes: list = []   # values beyond float range in CSV output: on stderr
    if fmt == "json":
        if single or example is not None:
            document = train_view.json_document(solution.example(example or 1), show_steps,
                                                digits)
        else:
            document = train_text.batch_json(solution)
        if train_run is not None:
            document["train"] = train_text.train_json(train_run)
        click.echo(numbers.dumps(document))
    elif fmt == "csv":
        if train_run is not None and train_run.config.steps > 1:
            notes += row_notes  # written row by row while training (StepSink)
        elif single or example is not None:
            from hwsolve.render.common import csv_text
            click.echo(csv_text(solution.example(example or 1), notes), nl=False)
        else:
            click.echo(train_text.batch_csv(solution, notes), nl=False)
        notes = numbers.summarized(notes)
    elif fmt == "latex":
        from hwsolve.render import train_latex
        click.echo(train_latex.render(problem, solution, train_run, example, digits,
                                      bool(show_steps), bool(training.get("standalone"))),
                   nl=False)
    elif fmt == "markdown":
        if single or example is not None:
            click.echo(train_view.markdown(solution.example(example or 1), show_steps, digits),
                       nl=False)
        else:
            click.echo(train_text.batch_markdown(solution, digits), nl=False)
        if train_run is not None:
            click.echo(train_text.train_markdown(train_run, digits), nl=False)
    else:
        _terminal(problem, solution, train_run, example, digits, show_steps, console)
    if training.get("history") and train_run is not None:
        notes += [f"{training['history']}: {note}" for note in row_notes]
    for note in notes:
        click.echo(f"hwsolve: note: {note}", err=True)
    if training.get("history") and train_run is not None and fmt == "table":
        click.echo(f"wrote {training['history']}", err=True)
    if training.get("plot_file") and train_run is not None and fmt == "table":
        click.echo(f"wrote {training['plot_file']}", err=True)
    return 0


def _terminal(problem, solution, train_run, example, digits, show_steps, console) -> None:
    from hwsolve.render import train_table

    if not problem.examples or example is not None:
        from hwsolve.cli import train_view
        train_view.terminal(solution.example(example or 1), console, digits, show_steps)
    else:
        console.print(train_table.batch_table(solution, digits))
        if show_steps:
            console.print(train_table.batch_work(solution, digits))
    if train_run is not None:
        console.print(train_table.update_table(train_run, digits, show_steps))
        if train_run.config.steps > 1:
            console.print(train_table.loss_plot(train_run, console.width))


def graph_solution(problem, variant, example) -> tuple:
    """(the solution to draw, a note for its title): a batch draws one example's graph (the
    first, or ``--example K``), values and gradients of that example's own loss."""
    from hwsolve import api
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.errors import HwsolveError

    if not problem.examples:
        if example is not None:
            raise HwsolveError("--example needs a problem with examples (a mini-batch)",
                               file=problem.file, where="--example")
        return api.solve_problem(problem, variant=variant), None
    from hwsolve.engine.batch import Batch
    batch = Batch(problem, resolve_setup(problem, variant=variant))
    n = len(batch.examples)
    k = example or 1
    if k > n:
        raise HwsolveError(f"there are {n} examples", file=problem.file, where="--example")
    what = "mean" if batch.reduction == "mean" else "sum"
    note = (f"example {k} of {n}; values and gradients of its own loss L@{k}; the batch "
            f"loss is the {what} of the {n} examples' losses")
    return batch.solve().example(k), note


def main_hook(problem, setup, fmt, digits, width, show_steps, verify, training, console):
    code = run(problem, setup, fmt, digits, width, show_steps, verify, training, console)
    if code:
        sys.exit(code)
