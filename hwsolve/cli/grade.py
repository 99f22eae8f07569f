"""The teaching-assistant commands: ``hwsolve grade`` and ``hwsolve vary``.

Registered on the click group by :mod:`hwsolve.cli.app`; heavy modules are imported inside the
commands, as everywhere on the command line.
"""

from __future__ import annotations

import json
import sys

import click

GRADE_FORMATS = ("table", "json", "csv", "markdown")


@click.command()
@click.argument("problem")
@click.argument("answers")
@click.option("-f", "--format", "fmt", type=click.Choice(GRADE_FORMATS), default="table",
              show_default=True, help="Output format (csv: a gradebook for many students).")
@click.option("--tolerance", help="Matching rule: places (default, or the problem's "
              "tolerance:), sigfigs:N, rel:R, abs:A or rel_abs:R,A.")
@click.option("--variant", help="Grade against one of the problem's variants.")
@click.option("--width", type=click.IntRange(40, 1000), help="Terminal width.")
def grade(problem, answers, fmt, tolerance, variant, width):
    """Grade ANSWERS (a YAML file, a folder of them, or a CSV gradebook) against PROBLEM.

    Every entry is judged under the tolerance rule, and every wrong one gets its root error:
    carried from an earlier entry, a missed or extra path, a wrong local derivative (kink
    branch, missing σ′/tanh′, sign, tanh label, ½ of mse), or the correct derivation.  Exit 0
    when every entry is right, 1 when any is not, 2 on a bad file.
    """
    from hwsolve import api
    from hwsolve.render import grade as render
    from hwsolve.teach.grade import summarize

    reports = api.grade(api.find(problem), answers, tolerance=tolerance, variant=variant)
    many = len(reports) != 1
    rule = reports[0].rule if reports else ""
    if not many:
        report = reports[0]
        if fmt == "json":
            click.echo(json.dumps(render.to_json(report), indent=2, ensure_ascii=False))
        elif fmt == "csv":
            click.echo(render.csv_text(report), nl=False)
        elif fmt == "markdown":
            click.echo(render.markdown(report), nl=False)
        else:
            _print(render.table(report), width)
    else:
        summary = summarize(reports)
        if fmt == "json":
            click.echo(json.dumps(render.class_json(summary, rule), indent=2,
                                  ensure_ascii=False))
        elif fmt == "csv":
            click.echo(render.gradebook(summary), nl=False)
        elif fmt == "markdown":
            click.echo(render.class_markdown(summary, rule), nl=False)
        else:
            _print(render.class_table(summary, rule), width)
    if not all(r.all_right for r in reports):
        sys.exit(1)


def _print(renderable, width) -> None:
    from rich.console import Console
    Console(width=width, highlight=False, soft_wrap=False).print(renderable)


from hwsolve.cli.vary import vary  # noqa: E402,F401  (its own module; registered by app)
