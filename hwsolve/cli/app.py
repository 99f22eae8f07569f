"""The command line: parse options, call the library, pick a renderer, map errors to exit codes.

Exit codes follow grep: 0 done, 1 a check found a difference, 2 an error.  Heavy modules are
imported inside the commands so that ``hwsolve --help`` and ``hwsolve list`` start instantly.
"""

from __future__ import annotations

import functools
import os
import sys

import click

from hwsolve import __version__
from hwsolve.cli import train as train_cli
from hwsolve.errors import HwsolveError
from hwsolve.spec.vocab import ACTIVATIONS, CONVENTIONS, FORMATS, LOSSES

EXIT_DIFFERENCE = 1
EXIT_ERROR = 2


class _Cli(click.Group):
    """``hwsolve NAME ...`` is short for ``hwsolve solve NAME ...``; every error the user can
    cause is one paragraph on stderr and exit code 2, never a traceback."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            _no_command_typo(args[0], list(self.commands))
            # hwsolve q2a --plot q2a.svg: a curves problem takes the curves options
            args = ["curves" if _is_curves(args[0]) else "solve", *args]
        return super().resolve_command(ctx, args)

    def shell_complete(self, ctx, incomplete):
        """``hwsolve q<TAB>``: the commands, and the problem names (short for solve NAME)."""
        items = super().shell_complete(ctx, incomplete)
        if not incomplete.startswith("-"):
            items += [item for item in complete_problem(ctx, None, incomplete)
                      if not (items and item.type == "file")]  # 'list' is not a file
        return items

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except HwsolveError as exc:
            from hwsolve.spec.problems import shown_path
            exc.file = shown_path(exc.file)
            _fail(f"error: {exc}")
        except RecursionError:
            _fail("error: the input is nested too deeply to process")
        except MemoryError:
            _fail("error: the input needs more memory than is available")
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"error: {where}{exc.strerror or exc}")
        except Exception as exc:  # a bug: still one paragraph, never a traceback
            if os.environ.get("HWSOLVE_DEBUG", "") not in ("", "0"):
                raise  # HWSOLVE_DEBUG=1: the traceback, for a bug report or a test
            _fail(f"internal error ({type(exc).__name__}: {exc}); this is a bug in hwsolve, "
                  "please report it with the problem file")


def _no_command_typo(word: str, commands: list) -> None:
    """``hwsolve chek q3a``: a word that is no problem but is close to a command name is a
    typo of the command, not a problem name (which would end in 'unexpected extra argument')."""
    import difflib

    from hwsolve.spec.problems import find

    close = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.6)
    if not close:
        return
    try:
        find(word)
    except HwsolveError:
        raise click.UsageError(f"no command or problem named {word!r}; did you mean the "
                               f"command '{close[0]}'? ('hwsolve --help' lists the commands)")


def _names_the_problem(command):
    """Out of memory or recursion while working on one PROBLEM: the message names it."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except MemoryError:
            raise HwsolveError("the problem needs more memory than is available; make it "
                               "smaller", file=kwargs.get("problem")) from None
        except RecursionError:
            raise HwsolveError("the problem is nested too deeply to process",
                               file=kwargs.get("problem")) from None
    return run


def _is_curves(name: str) -> bool:
    from hwsolve import api
    from hwsolve.teach.kinds import kind_of
    try:
        return kind_of(api.find(name)) == "curves"
    except (HwsolveError, OSError, ValueError):
        return False  # solve reports an unknown name


def complete_problem(ctx, param, incomplete: str) -> list:
    """Shell completion of a PROBLEM: the names 'hwsolve list' shows; a path completes as a
    file (also when no name matches)."""
    from click.shell_completion import CompletionItem
    from hwsolve.spec.problems import all_problems

    names = sorted({os.path.splitext(os.path.basename(path))[0] for path in all_problems()})
    items = [CompletionItem(name) for name in names if name.startswith(incomplete)]
    if not items or os.sep in incomplete or incomplete.startswith("."):
        items.append(CompletionItem(incomplete, type="file"))
    return items


_ALL_STEPS = "\0all"   # --steps without a name: all the work


def _fail(message: str) -> None:
    click.echo(f"hwsolve: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _console(width: int | None):
    from hwsolve.cli.console import make
    return make(width)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True)
@click.version_option(__version__, "-V", "--version", prog_name="hwsolve")
@click.pass_context
def cli(ctx):
    """Solve neural-network homework exactly: forward pass, loss, every gradient.

    \b
      hwsolve q3a                      the answer table of problems/q3a.yaml
      hwsolve q3b --act tanh --loss mse
      hwsolve FILE.yaml --format json  every value and gradient, full precision
      hwsolve check                    verify every answer key (exit 1 on a difference)
      hwsolve list                     the problems and their titles

    Exit codes: 0 done, 1 a check found a difference, 2 an error.
    """
    if ctx.invoked_subcommand is None:  # `hwsolve` alone: the help, and success
        click.echo(ctx.get_help())


@cli.command(name="help")
@click.argument("command", required=False)
@click.pass_context
def help_command(ctx, command):
    """Show the help of hwsolve, or of COMMAND.

    \b
      hwsolve help           the commands
      hwsolve help grade     the options of grade
    """
    group = ctx.parent.command
    if command is None:
        click.echo(group.get_help(ctx.parent))
        return
    sub = group.get_command(ctx.parent, command)
    if sub is None:
        import difflib

        close = difflib.get_close_matches(command, list(group.commands), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise click.UsageError(f"no command named {command!r}{hint}")
    with click.Context(sub, info_name=command, parent=ctx.parent) as sub_ctx:
        click.echo(sub.get_help(sub_ctx))


@cli.command()
@click.argument("problem", shell_complete=complete_problem)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="Output format.")
@click.option("-d", "--digits", type=click.IntRange(1, 30), default=3, show_default=True,
              help="Significant figures in tables, steps, markdown and latex.")
@click.option("--act", "--activation", "activation", type=click.Choice(ACTIVATIONS),
              help="Override the output activation.")
@click.option("--loss", type=click.Choice(LOSSES), help="Override the loss.")
@click.option("--label", help="Override the label Y: a plain decimal, or a vector as 0,1,0 "
              "or \"[0, 1, 0]\".")
@click.option("--variant", help="Use one of the problem's variants.")
@click.option("--conventions", type=click.Choice(CONVENTIONS),
              help="A course's conventions (mse reduction, ties, norms); default: the spec's, "
              "else textbook.")
@click.option("--values", "show_values", is_flag=True,
              help="Also print every forward value with its exact form and gradient.")
@click.option("--width", type=click.IntRange(40, 1000),
              help="Terminal width for tables (default: the terminal's, or 80).")
@click.option("--steps", "show_steps", is_flag=False, flag_value=_ALL_STEPS, default=None,
              metavar="[NAME]",
              help="Show the work: every forward step and every chain-rule sum; with NAME "
              "(W1, or one entry 'W2[1, 1]') only the work that NAME's gradient needs.")
@click.option("--exact", is_flag=True, help="Show closed forms of irrational values.")
@click.option("--standalone", is_flag=True,
              help="With --format latex: a whole document for pdflatex.")
@click.option("--verify", is_flag=True,
              help="Compare every value and gradient with PyTorch float64 autograd (needs the "
              "verify extra); exit 1 on a disagreement.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the output to this file instead of standard output.")
@click.option("--force", is_flag=True,
              help="Let -o, --history and --plot replace an existing file.")
@_names_the_problem
@train_cli.options
def solve(problem, fmt, digits, activation, loss, label, variant, conventions, show_values,
          width, show_steps, exact, standalone, verify, output, force, **training):
    """Solve PROBLEM (a name from 'hwsolve list' or a path to a .yaml file)."""
    from hwsolve import api, fileio

    path = api.find(problem)
    targets = [(option, target) for option, target in (
        ("--output", output), ("--history", training.get("history")),
        ("--plot", training.get("plot_file"))) if target]
    for number, (option, target) in enumerate(targets):
        for other_option, other in targets[:number]:
            if os.path.abspath(other) == os.path.abspath(target):
                raise HwsolveError(f"is also the file of {other_option}; give each output "
                                   "its own file", file=target, where=option)
        # refused before any work, not after 10,000 training steps
        fileio.check_writable(target, force=force, inputs=(path,), option=option)
    if output:
        _to_file(output, force, path, lambda: solve.callback(
            problem=str(path), fmt=fmt, digits=digits, activation=activation, loss=loss,
            label=label, variant=variant, conventions=conventions, show_values=show_values,
            width=width, show_steps=show_steps, exact=exact, standalone=standalone,
            verify=verify, output=None, force=force, **training))
        return
    from hwsolve.teach.kinds import kind_of
    if kind_of(path):  # kind: curves / identity (hwsolve solve q2a, hwsolve eca)
        from hwsolve.cli.teach import solve_kind
        return solve_kind(path, fmt, width, standalone, {**training, "force": force})
    _check_work_options(fmt, show_steps, exact, standalone)
    loaded = api.load(path)
    if conventions:
        loaded = api.with_conventions(loaded, conventions)
    if train_cli.applies(loaded, training):  # a mini-batch, or training (hwsolve/cli/train.py)
        from hwsolve.engine.solve import resolve_setup
        from hwsolve.tools.check_train import refuse_ignored
        refuse_ignored(loaded, variant, label)  # nothing a batch's examples would override
        setup = resolve_setup(loaded, variant=variant, activation=activation, loss=loss,
                              label=label)
        train_cli.main_hook(loaded, setup, fmt, digits, width, show_steps, verify,
                            {**training, "standalone": standalone, "force": force},
                            _console(width))
        return
    solution = api.solve_problem(loaded, activation=activation, loss=loss, label=label,
                                 variant=variant)
    if verify:
        _verify(solution, width)
        return
    work = _work(solution, show_steps, exact)
    from hwsolve.render import formats
    console = _console(width) if fmt == "table" else None
    options = formats.Options(digits, console.width if console else 80, show_values,
                              bool(show_steps), standalone)
    out = formats.get(fmt).render(solution, work, options)
    if isinstance(out, str):
        click.echo(out, nl=False)
    else:
        for part in out:
            console.print(part)
    for note in options.notes:
        click.echo(f"hwsolve: note: {note}", err=True)


def _to_file(output: str, force: bool, source, run) -> None:
    """Run a command's printing into ``output`` (written whole, through fileio) instead of
    standard output; an exit code (1: a difference) is kept."""
    import contextlib
    import io

    from hwsolve import fileio

    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer):
        try:
            run()
        except SystemExit as exc:
            if exc.code not in (None, 0, EXIT_DIFFERENCE):
                raise
            code = exc.code or 0
    fileio.write_file(output, buffer.getvalue(), force=force, inputs=(source,),
                      option="--output")
    click.echo(f"wrote {output}", err=True)
    if code:
        sys.exit(code)


def _verify(solution, width: int | None) -> None:
    from hwsolve.render import table as tables
    from hwsolve.tools.verify import verify_entries

    rows = verify_entries(solution)
    _console(width).print(tables.verify_report(solution, rows))
    from hwsolve.tools.verify.explain import explain  # what the float64 reference did
    for line in explain(solution, rows):
        _console(width).print(f"why: {line}", markup=False)
    if not all(row[-1] for row in rows):
        sys.exit(EXIT_DIFFERENCE)


def _check_work_options(fmt: str, show_steps: bool, exact: bool, standalone: bool) -> None:
    if standalone and fmt != "latex":
        raise click.UsageError("--standalone only applies to --format latex")
    if (show_steps or exact) and fmt == "csv":
        raise click.UsageError("--steps and --exact need --format table, markdown, latex or "
                               "json")


def _work(solution, show_steps, exact: bool):
    """The derivation, built only when asked for (it loads SymPy); ``--steps NAME`` keeps
    the work of one gradient."""
    if not (show_steps or exact):
        return None
    from hwsolve.work import steps
    only = show_steps if isinstance(show_steps, str) and show_steps != _ALL_STEPS else None
    return steps.build(solution, exact=exact, only=only)


@cli.command()
@click.argument("problem", shell_complete=complete_problem)
@click.option("-o", "--output", required=True, help="The file to write: .dot (always), or "
              ".svg, .png or .pdf (with Graphviz's dot).")
@click.option("--edges", is_flag=True, help="Label each edge with its local derivative.")
@click.option("-d", "--digits", type=click.IntRange(1, 30), default=3, show_default=True,
              help="Significant figures of the values and gradients.")
@click.option("--variant", help="Use one of the problem's variants.")
@click.option("--example", type=click.IntRange(1, None),
              help="In a mini-batch: draw example K (default 1).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing about the files written.")
@_names_the_problem
def graph(problem, output, edges, digits, variant, example, force, quiet):
    """Draw PROBLEM's computational graph with every value and gradient.

    \b
      hwsolve graph q3a -o q3a.svg
      hwsolve graph q3b -o q3b.dot --edges
    """
    from hwsolve import api, fileio
    from hwsolve.render import graphviz

    path = api.find(problem)
    fileio.check_writable(output, force=force, inputs=(path,), option="--output")
    solution, note = train_cli.graph_solution(api.load(path), variant, example)
    graphviz.write(solution, output, edges=edges, digits=digits, note=note, force=force,
                   inputs=(path,))
    if not quiet:
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("nodes", type=click.IntRange(1, 100_000))
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--kinks", is_flag=True, help="Plant exact kinks: relu/abs at 0, min/max ties.")
@click.option("--tensor", is_flag=True, help="A format-v2 tensor problem: matrices, @, "
              "softmax/cross-entropy, hinge, loss none, loss expressions.")
@click.option("--act", "--activation", "activation", type=click.Choice(ACTIVATIONS),
              help="Fix the output activation.")
@click.option("--loss", type=click.Choice(LOSSES), help="Fix the loss.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write (default: standard output).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--batch", type=click.IntRange(1, 10_000),
              help="Make the inputs a mini-batch of this many examples.")
@click.option("--train", "train_with", type=click.Choice(train_cli.OPTIMIZER_NAMES),
              help="Add a train block of 20 steps with this optimizer.")
def generate(nodes, seed, kinks, tensor, activation, loss, output, batch, train_with,
             force):
    """Write a random practice problem of NODES nodes (deterministic for a seed)."""
    from hwsolve import fileio
    from hwsolve.tools.generate import generate_problem

    if output:
        fileio.check_writable(output, force=force, option="--output")

    try:
        text = generate_problem(nodes, seed, kinks=kinks, activation=activation, loss=loss,
                                tensor=tensor)
        if batch or train_with:  # hwsolve/tools/generate_train.py
            from hwsolve.tools import generate_train
            text = generate_train.add_batch(text, batch, seed) if batch else text
            text = generate_train.add_train(text, train_with) if train_with else text
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if output:
        fileio.write_file(output, text, force=force, option="--output")
    else:
        click.echo(text, nl=False)


@cli.command(name="list")
def list_problems():
    """List every problem with its title."""
    from hwsolve.spec.problems import titles_text

    click.echo(titles_text(), nl=False)


from hwsolve.cli.teach import COMMANDS as _TEACH_COMMANDS  # noqa: E402  info, curves, prove

for _command in _TEACH_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="hwsolve")


from hwsolve.cli.grade import grade as _grade, vary as _vary  # noqa: E402  (teaching assistants)

cli.add_command(_grade)
cli.add_command(_vary)

from hwsolve.cli.derive import derive as _derive  # noqa: E402  (issue 18: closed forms)
from hwsolve.cli.checking import check as _check, key as _key  # noqa: E402  (answer keys)

cli.add_command(_derive)
cli.add_command(_check)
cli.add_command(_key)
from hwsolve.cli.export import export as _export  # noqa: E402  (course platforms)

cli.add_command(_export)
