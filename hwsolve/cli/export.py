"""``hwsolve export TARGET PROBLEM``: quizzes and question folders for the course platforms.

Thin click commands: each parses its options, calls :mod:`hwsolve.api`, writes through
:mod:`hwsolve.fileio` (never over an existing file without ``--force``) and reports on stderr
every tolerance window that a diagnosed mistake's value falls into.  Exit 0: written, every
window separates; 1: written, but some windows hold a mistake's value (each named); 2: error.
"""

from __future__ import annotations

import sys

import click


@click.group()
def export():
    """Export quizzes and questions for the course platforms."""


def _common(command):
    command = click.option("--force", is_flag=True, help="Replace an existing output.")(command)
    command = click.option("--keep-collisions", "keep", is_flag=True,
                           help="Keep a variant in which a mistake's value falls inside a "
                           "tolerance window (default: redraw it).")(command)
    command = click.option("--tolerance", help="The rule: sigfigs:N, rel:R, abs:A, "
                           "rel_abs:R,A or places (default: the problem's, else the course "
                           "file's, else sigfigs:3).")(command)
    command = click.option("--seed", type=click.IntRange(0, 2 ** 63 - 1), default=0,
                           show_default=True, help="The seed of the variants (as vary's).")(
        command)
    command = click.option("--count", type=click.IntRange(1, 1000), default=10,
                           show_default=True, help="How many variants.")(command)
    return command


def _report(built) -> int:
    for number, texts in built.redrawn:
        click.echo(f"note: variant {number} redrawn: {texts[0]}" +
                   (f" (and {len(texts) - 1} more)" if len(texts) > 1 else ""), err=True)
    collisions = built.collision_texts()
    for text in collisions:
        click.echo(f"collision: {text}", err=True)
    return 1 if collisions else 0


@export.command()
@click.argument("problem")
@_common
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The Moodle XML file to write (quiz.xml).")
@click.option("--no-work", "no_work", is_flag=True,
              help="Leave the worked steps out of the general feedback (faster).")
def moodle(problem, count, seed, tolerance, keep, force, output, no_work):
    """Moodle XML: a category per PROBLEM, a subcategory per asked entry, one numerical
    question per variant with an absolute tolerance, the worked steps as feedback, and the
    values of typical mistakes as 0-credit answers with their explanation."""
    from hwsolve import api, fileio

    fileio.check_writable(output, force=force, option="--output")
    text, built = api.export_moodle(problem, count=count, seed=seed, tolerance=tolerance,
                                    work=not no_work, redraw=not keep)
    fileio.write_file(output, text, force=force, option="--output")
    good = sum(e.separates for v in built.variants for e in v.entries)
    click.echo(f"wrote {len(built.variants)} variant(s) x {len(built.variants[0].entries)} "
               f"entries to {output} ({good}/{built.windows} windows separate)", err=True)
    sys.exit(_report(built))
