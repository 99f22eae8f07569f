"""The commands of the rest of the problem set: ``info`` (Q1), ``curves`` (Q2), ``prove``
(EC.a), and the output of ``kind: curves`` / ``kind: identity`` problems for ``solve``."""

from __future__ import annotations

import json
import sys

import click

from hwsolve.spec.vocab import ACTIVATIONS, LOSSES

EXIT_DIFFERENCE = 1


@click.command()
@click.argument("problem")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "markdown", "json")),
              default="table", show_default=True, help="Output format.")
@click.option("--act", "--activation", "activation", type=click.Choice(ACTIVATIONS),
              help="Override the output activation.")
@click.option("--loss", type=click.Choice(LOSSES), help="Override the loss.")
@click.option("--variant", help="Use one of the problem's variants.")
@click.option("--width", type=click.IntRange(40, 1000), help="Terminal width.")
def info(problem, fmt, activation, loss, variant, width):
    """Which quantities of PROBLEM are parameters, hyper-parameters, inputs and constants.

    \b
      hwsolve info q3a
      hwsolve info q3a --format json
    """
    from hwsolve import api
    from hwsolve.errors import HwsolveError
    from hwsolve.render import teach as render
    from hwsolve.teach.kinds import kind_of

    kind = kind_of(api.find(problem))
    if kind is not None:  # not "unknown key 'kind'" from the network loader
        use = "hwsolve curves" if kind == "curves" else "hwsolve solve"
        raise HwsolveError(f"is a kind: {kind} problem; info lists the parameters of a network "
                           f"problem; use '{use} {problem}'", file=str(api.find(problem)))
    result = api.info(problem, activation=activation, loss=loss, variant=variant)
    if fmt == "json":
        click.echo(json.dumps(render.info_json(result), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render.info_markdown(result), nl=False)
    else:
        _console(width).print(render.info_table(result))


@click.command()
@click.argument("file")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "markdown", "json")),
              default="table", show_default=True, help="Output format.")
@click.option("--smooth", "window", type=click.IntRange(1, 99),
              help="Moving-average window in points (default: about a tenth of the run, odd).")
@click.option("--patience", type=click.IntRange(1, 10_000),
              help="Points a trend must last (default: a tenth of the run, at least 2).")
@click.option("--plot", "plot_file", help="Also write the curves to FILE.png, .svg or .pdf "
              "(needs the plot extra).")
@click.option("--no-plot", is_flag=True, help="No plot in the terminal.")
@click.option("--column", "columns", multiple=True, metavar="NAME=METRIC",
              help="Read column NAME as METRIC (epoch, step, train_loss, val_loss, "
              "train_accuracy, val_accuracy, or ignore); repeatable.")
@click.option("--force", is_flag=True, help="Let --plot replace an existing file.")
@click.option("--width", type=click.IntRange(40, 1000), help="Terminal width.")
def curves(file, fmt, window, patience, plot_file, no_plot, columns, force, width):
    """Diagnose learning curves: overfitting, underfitting, a good fit or a diverging run.

    FILE is a CSV with a column epoch (or step) and any of train_loss (or L), val_loss,
    train_accuracy, val_accuracy (a Keras CSVLogger file, a Lightning metrics.csv or a
    TensorBoard CSV export is read as it is); or a problem of kind: curves.

    \b
      hwsolve curves q2a --plot q2a.svg
      hwsolve curves training.log --column acc=train_accuracy
      hwsolve curves history.csv
    """
    from hwsolve import api

    if plot_file:
        from hwsolve.render import plot
        plot.check_file(plot_file, force=force, inputs=(file,))
    diagnosis = api.curves(file, window=window, patience=patience, columns=columns)
    show_diagnosis(diagnosis, fmt, plot_file, no_plot, width, force)


def show_diagnosis(diagnosis, fmt: str, plot_file, no_plot: bool, width,
                   force: bool = False) -> None:
    from hwsolve.render import plot, teach as render

    if plot_file:
        plot.write_file(render.diagnosis_panels(diagnosis), plot_file, diagnosis.curves.title,
                        force=force, inputs=(diagnosis.curves.file,))
    if fmt == "json":
        click.echo(json.dumps(render.diagnosis_json(diagnosis), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render.diagnosis_markdown(diagnosis), nl=False)
    else:
        click.echo(render.diagnosis_text(diagnosis), nl=False)
        if not no_plot:
            click.echo(plot.terminal(render.diagnosis_panels(diagnosis),
                                     min(width or _width(), 100)))
    if plot_file:
        click.echo(f"wrote {plot_file}", err=True)


@click.command()
@click.argument("left")
@click.argument("right")
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "markdown", "latex", "json")),
              default="text", show_default=True, help="Output format.")
@click.option("--standalone", is_flag=True, help="With --format latex: a whole document.")
@click.option("--timeout", type=click.FloatRange(0.01, 3600), default=10, show_default=True,
              help="Seconds SymPy may take before the answer is 'undecided'.")
@click.option("--max-ops", type=click.IntRange(1, 100_000), default=400, show_default=True,
              help="Largest side (in operations) that is attempted.")
def prove(left, right, fmt, standalone, timeout, max_ops):
    """Prove LEFT = RIGHT with the steps shown; exit 0 proved, 1 different or undecided.

    \b
      hwsolve prove "tanh(x)" "2*sigmoid(2*x) - 1"
      hwsolve prove "diff(sigmoid(x), x)" "sigmoid(x)*(1 - sigmoid(x))"
    """
    from hwsolve import api

    show_proof(api.prove(left, right, timeout=timeout, max_ops=max_ops), fmt, standalone)


def show_proof(proof, fmt: str, standalone: bool = False) -> None:
    from hwsolve.render import teach as render

    if fmt == "json":
        click.echo(json.dumps(render.proof_json(proof), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render.proof_markdown(proof), nl=False)
    elif fmt == "latex":
        click.echo(render.proof_latex(proof, standalone), nl=False)
    else:
        click.echo(render.proof_text(proof), nl=False)
    if not proof.proved:
        sys.exit(EXIT_DIFFERENCE)


def solve_kind(path: str, fmt: str, width, standalone: bool, training=None) -> None:
    """``hwsolve solve q2a`` / ``hwsolve eca``: a curves or identity problem in the solve
    command.  A curves problem takes --plot (and --force); the training options do not apply
    to it, and the curves options are those of ``hwsolve curves``."""
    from hwsolve import api
    from hwsolve.errors import HwsolveError

    training = dict(training or {})
    plot_file = training.pop("plot_file", None)
    force = bool(training.pop("force", False))
    training.pop("standalone", None)
    given = [key for key, value in training.items() if value not in (None, False)]
    result = api.run(path)
    if given or (plot_file and hasattr(result, "verdict")):
        option = "--" + (given[0] if given else "plot").replace("_", "-")
        raise HwsolveError(f"{option} does not apply to a {'identity' if hasattr(result, 'verdict') else 'curves'} "
                           "problem; for curves use 'hwsolve curves PROBLEM' with --plot, "
                           "--smooth, --patience or --no-plot", file=str(path), where=option)
    if hasattr(result, "verdict"):
        show_proof(result, {"table": "text", "csv": "text"}.get(fmt, fmt), standalone)
    else:
        if plot_file:
            from hwsolve.render import plot
            plot.check_file(plot_file, force=force, inputs=(path,))
        show_diagnosis(result, fmt if fmt in ("json", "markdown") else "table", plot_file,
                       False, width, force)


def _width() -> int:
    import shutil
    return shutil.get_terminal_size((80, 24)).columns


def _console(width):
    from hwsolve.cli.console import make
    return make(width)


COMMANDS = (info, curves, prove)
