"""``hwsolve check`` (answer keys against the solver) and ``hwsolve key`` (write a key).

Registered on the click group by :mod:`hwsolve.cli.app`; heavy modules are imported inside the
commands, as everywhere on the command line.
"""

from __future__ import annotations

import sys

import click

from hwsolve.errors import HwsolveError

EXIT_DIFFERENCE = 1
EXIT_ERROR = 2


def _complete(ctx, param, incomplete):
    """Problem names for shell completion (the app's completer, imported when asked)."""
    from hwsolve.cli.app import complete_problem
    return complete_problem(ctx, param, incomplete)


def _rule(text: str | None, option: str = "--tolerance"):
    if text is None:
        return None
    from hwsolve.teach.tolerance import parse_option
    try:
        return parse_option(text)
    except ValueError as exc:
        raise HwsolveError(str(exc), where=option) from None


@click.command()
@click.argument("problems", nargs=-1, shell_complete=_complete)
@click.option("--all", "show_all", is_flag=True, help="List every key entry, not only the "
              "differences.")
@click.option("-q", "--quiet", is_flag=True, help="Print only what failed (no summary).")
@click.option("-d", "--digits", type=click.IntRange(1, 60), help="Significant figures of "
              "computed values (default: the key's own plus two, at least 6).")
@click.option("--width", type=click.IntRange(40, 1000), help="Terminal width (rows wider "
              "than it wrap; nothing is cut).")
@click.option("--tolerance", help="Matching rule for every key: places, sigfigs:N, rel:R, "
              "abs:A or rel_abs:R,A (default: the problem's tolerance:, else the course's, "
              "else places).")
@click.option("--demos", is_flag=True, help="Check the problems shipped with hwsolve.")
def check(problems, show_all, quiet, digits, width, tolerance, demos):
    """Check answer keys: solve each problem and variant and compare every key entry.

    With no PROBLEMS: the course's problems folder (problems = ... in hwsolve.toml, default
    ./problems).  Batches, training runs and variants are judged under the same rule.  Exit 1
    when a key differs, 2 when a problem cannot be solved.

    \b
      hwsolve check
      hwsolve check q3a q3b --all
      hwsolve check keys/ --tolerance rel:1e-3
    """
    from hwsolve.render import check_report
    from hwsolve.teach import course
    from hwsolve.tools.check import check_file
    from pathlib import Path

    if show_all and quiet:
        raise click.UsageError("--all and --quiet ask for opposite things; give one")
    if demos and problems:
        raise click.UsageError("--demos checks the shipped problems; give it without PROBLEMS")
    rule = _rule(tolerance)
    settings = course.load()
    default = settings.rule()
    if problems:
        from hwsolve.spec.problems import files_for
        files = files_for(list(problems))
    else:
        from hwsolve.tools.check import course_files
        files = course_files(demos)
    from hwsolve.cli.console import progress
    results = []
    with progress(len(files), "checking") as bar:   # on a terminal, past a second
        for p in files:
            results.append(check_file(Path(p), rule, default))
            bar.advance()
    from hwsolve.cli.console import make
    console = make(width, soft_wrap=True)
    for line in check_report.lines(results, show_all, digits, quiet):
        console.print(line, soft_wrap=True)
    for result in results:  # the report stays on stdout; errors go to stderr
        if result.error is not None:
            from hwsolve.spec.problems import shown_path
            result.error.file = shown_path(result.error.file)
            click.echo(f"hwsolve: error: {result.error}", err=True)
    if any(r.error is not None for r in results):
        sys.exit(EXIT_ERROR)
    if any(r.failures for r in results):
        sys.exit(EXIT_DIFFERENCE)


@click.command()
@click.argument("file", shell_complete=_complete)
@click.option("-d", "--digits", type=click.IntRange(1, 30), help="Significant figures of each "
              "key (default: the course's digits, else 4).")
@click.option("--dry-run", is_flag=True, help="Print the new answers block; write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing about what changed or was "
              "written.")
def key(file, digits, dry_run, quiet):
    """Write or refresh the answers: block of FILE from its solution.

    Only that block changes; every other byte of FILE (comments, order, quoting) is kept.  The
    new key is checked before FILE is replaced (atomically), and a summary of what changed is
    printed.  Exit 2 when the key would not pass `hwsolve check` (raise --digits).

    \b
      hwsolve key hw1.yaml --dry-run
      hwsolve key hw1.yaml
    """
    import os
    import tempfile
    from pathlib import Path

    from hwsolve import fileio
    from hwsolve.teach import course
    from hwsolve.tools import keywriter
    from hwsolve.tools.check import check_file

    from hwsolve.spec.problems import find
    file = find(file)
    settings = course.load()
    digits = digits or settings.digits or 4
    edit = keywriter.build(file, digits)
    with tempfile.TemporaryDirectory() as folder:  # the new text must pass check first
        trial = Path(folder) / Path(file).name
        trial.write_text(edit.text, encoding="utf-8", newline="")
        result = check_file(trial, None, settings.rule())
    if result.error is not None or result.failures:
        why = str(result.error.message) if result.error is not None else ", ".join(
            f"{c.entry} ({c.key})" for c in result.failures[:5])
        left = (f"; the answers of {', '.join(edit.skipped)} are in flow style and were left "
                "as written" if edit.skipped else "")
        raise HwsolveError(f"the new key would not pass hwsolve check ({why}){left}; try more "
                           "--digits, or a looser tolerance", file=file)
    lines = lines_all = keywriter.summary(edit)
    if edit.skipped:
        lines.append(f"left as written (flow style): the answers of {', '.join(edit.skipped)}")
    if quiet:
        lines = []
    if dry_run:
        click.echo(edit.block, nl=False)
        for line in lines:
            click.echo(line, err=True)
        return
    if not edit.changed:
        if not quiet:
            click.echo(f"{file}: the answers block is up to date ({lines_all[-1]})")
        return
    # A link is followed: the file it names is edited (replacing the link would leave the
    # real file unchanged).
    fileio.write_file(os.path.realpath(file), edit.text.encode("utf-8"), force=True)
    for line in lines:
        click.echo(line)
    if not quiet:
        click.echo(f"wrote the answers block of {os.fspath(file)}", err=True)
