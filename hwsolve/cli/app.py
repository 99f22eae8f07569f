"""The command line: parse options, call the library, pick a renderer, map errors to exit codes.

Exit codes follow grep: 0 done, 1 a check found a difference, 2 an error.  Heavy modules are
imported inside the commands so that ``hwsolve --help`` and ``hwsolve list`` start instantly.
"""

from __future__ import annotations

import json
import sys

import click

from hwsolve import __version__
from hwsolve.errors import HwsolveError
from hwsolve.spec.vocab import ACTIVATIONS, FORMATS, LOSSES

EXIT_DIFFERENCE = 1
EXIT_ERROR = 2


class _Cli(click.Group):
    """``hwsolve NAME ...`` is short for ``hwsolve solve NAME ...``; every error the user can
    cause is one paragraph on stderr and exit code 2, never a traceback."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["solve", *args]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except HwsolveError as exc:
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
            _fail(f"internal error ({type(exc).__name__}: {exc}); this is a bug in hwsolve, "
                  "please report it with the problem file")


def _fail(message: str) -> None:
    click.echo(f"hwsolve: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _console(width: int | None):
    from rich.console import Console
    return Console(width=width, highlight=False, soft_wrap=False)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hwsolve")
def cli():
    """Solve neural-network homework exactly: forward pass, loss, every gradient.

    \b
      hwsolve q3a                      the answer table of problems/q3a.yaml
      hwsolve q3b --act tanh --loss mse
      hwsolve FILE.yaml --format json  every value and gradient, full precision
      hwsolve check                    verify every answer key (exit 1 on a difference)
      hwsolve list                     the problems and their titles

    Exit codes: 0 done, 1 a check found a difference, 2 an error.
    """


@cli.command()
@click.argument("problem")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="Output format.")
@click.option("-d", "--digits", type=click.IntRange(1, 30), default=3, show_default=True,
              help="Significant figures in tables, steps, markdown and latex.")
@click.option("--act", "--activation", "activation", type=click.Choice(ACTIVATIONS),
              help="Override the output activation.")
@click.option("--loss", type=click.Choice(LOSSES), help="Override the loss.")
@click.option("--label", help="Override the label Y (a plain decimal).")
@click.option("--variant", help="Use one of the problem's variants.")
@click.option("--values", "show_values", is_flag=True,
              help="Also print every forward value with its exact form and gradient.")
@click.option("--width", type=click.IntRange(40, 1000),
              help="Terminal width for tables (default: the terminal's, or 80).")
@click.option("--steps", "show_steps", is_flag=True,
              help="Show the work: every forward step and every chain-rule sum.")
@click.option("--exact", is_flag=True, help="Show closed forms of irrational values.")
@click.option("--standalone", is_flag=True,
              help="With --format latex: a whole document for pdflatex.")
@click.option("--verify", is_flag=True,
              help="Compare every value and gradient with PyTorch float64 autograd (needs the "
              "verify extra); exit 1 on a disagreement.")
def solve(problem, fmt, digits, activation, loss, label, variant, show_values, width,
          show_steps, exact, standalone, verify):
    """Solve PROBLEM (a name from 'hwsolve list' or a path to a .yaml file)."""
    from hwsolve import api
    from hwsolve.render import common as render

    _check_work_options(fmt, show_steps, exact, standalone)
    solution = api.solve_file(api.find(problem), activation=activation, loss=loss,
                              label=label, variant=variant)
    if verify:
        _verify(solution, width)
        return
    steps = _work(solution, show_steps, exact)
    if fmt == "json":
        document = render.to_json(solution)
        if steps is not None:
            from hwsolve.render import steps as render_steps
            document["closed_forms"] = render_steps.closed_forms_json(steps)
            if show_steps:
                document["steps"] = render_steps.to_json(steps, digits)
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render.markdown(solution, digits), nl=False)
        if steps is not None:
            from hwsolve.render import steps as render_steps
            click.echo(render_steps.markdown(steps, digits, work=show_steps), nl=False)
    elif fmt == "latex" and steps is None:
        from hwsolve.render import latex as render_latex  # the table alone: no SymPy, no rich
        click.echo(render_latex.answer(solution, digits, standalone), nl=False)
    elif fmt == "latex":
        from hwsolve.render import steps as render_steps
        click.echo(render_steps.latex(solution, steps, digits, standalone, work=show_steps),
                   nl=False)
    elif fmt == "csv":
        click.echo(render.csv_text(solution), nl=False)
    else:
        from hwsolve.render import table as tables

        console = _console(width)
        console.print(tables.answer_table(solution, digits, console.width))
        if show_values:
            console.print(tables.values_table(solution, digits))
        if steps is not None:
            from hwsolve.render import steps as render_steps
            console.print(render_steps.terminal(steps, digits, console.width) if show_steps
                          else render_steps.closed_forms_table(steps, digits))


def _verify(solution, width: int | None) -> None:
    from hwsolve.render import table as tables
    from hwsolve.tools.verify import verify_entries

    rows = verify_entries(solution)
    _console(width).print(tables.verify_report(solution, rows))
    if not all(row[-1] for row in rows):
        sys.exit(EXIT_DIFFERENCE)


def _check_work_options(fmt: str, show_steps: bool, exact: bool, standalone: bool) -> None:
    if standalone and fmt != "latex":
        raise click.UsageError("--standalone only applies to --format latex")
    if (show_steps or exact) and fmt == "csv":
        raise click.UsageError("--steps and --exact need --format table, markdown, latex or "
                               "json")


def _work(solution, show_steps: bool, exact: bool):
    """The derivation, built only when asked for (it loads SymPy)."""
    if not (show_steps or exact):
        return None
    from hwsolve.work import steps
    return steps.build(solution, exact=exact)


@cli.command()
@click.argument("problems", nargs=-1)
@click.option("--all", "show_all", is_flag=True, help="List every key entry, not only the "
              "differences.")
@click.option("--width", type=click.IntRange(40, 1000), help="Terminal width.")
def check(problems, show_all, width):
    """Check answer keys: solve each problem and variant and compare every key entry.

    Default: every problem in ./problems/ and the packaged problems.  Exit 1 when a key
    differs, 2 when a problem cannot be solved.
    """
    from hwsolve import api
    from hwsolve.render import table as tables

    results = api.check(list(problems))
    _console(width).print(tables.check_report(results, show_all))
    if any(r.error is not None for r in results):
        sys.exit(EXIT_ERROR)
    if any(r.failures for r in results):
        sys.exit(EXIT_DIFFERENCE)


@cli.command()
@click.argument("problem")
@click.option("-o", "--output", required=True, help="The file to write: .dot (always), or "
              ".svg, .png or .pdf (with Graphviz's dot).")
@click.option("--edges", is_flag=True, help="Label each edge with its local derivative.")
@click.option("-d", "--digits", type=click.IntRange(1, 30), default=3, show_default=True,
              help="Significant figures of the values and gradients.")
@click.option("--variant", help="Use one of the problem's variants.")
def graph(problem, output, edges, digits, variant):
    """Draw PROBLEM's computational graph with every value and gradient."""
    from hwsolve import api
    from hwsolve.render import graphviz

    solution = api.solve_file(api.find(problem), variant=variant)
    graphviz.write(solution, output, edges=edges, digits=digits)
    click.echo(f"wrote {output}")


@cli.command()
@click.argument("nodes", type=click.IntRange(1, 100_000))
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--kinks", is_flag=True, help="Plant exact kinks: relu/abs at 0, min/max ties.")
@click.option("--act", "--activation", "activation", type=click.Choice(ACTIVATIONS),
              help="Fix the output activation.")
@click.option("--loss", type=click.Choice(LOSSES), help="Fix the loss.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: standard output).")
def generate(nodes, seed, kinks, activation, loss, output):
    """Write a random practice problem of NODES nodes (deterministic for a seed)."""
    from hwsolve.tools.generate import generate_problem

    try:
        text = generate_problem(nodes, seed, kinks=kinks, activation=activation, loss=loss)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


@cli.command(name="list")
def list_problems():
    """List every problem with its title."""
    from hwsolve.spec.problems import titles_text

    click.echo(titles_text(), nl=False)


def main() -> None:
    cli(prog_name="hwsolve")
