"""The teaching-assistant commands: ``hwsolve grade`` and ``hwsolve vary``.

Registered on the click group by :mod:`hwsolve.cli.app`; heavy modules are imported inside the
commands, as everywhere on the command line.
"""

from __future__ import annotations

import sys

import click

from hwsolve.cli.export import platform_options   # --visibility, --hide-key, --points, ...

GRADE_FORMATS = ("table", "json", "csv", "markdown")
PLATFORM_FORMATS = ("gradescope", "canvas", "moodle")   # hwsolve.cli.export.grade_output


@click.command()
@click.argument("problem")
@click.argument("answers")
@click.option("-f", "--format", "fmt", type=click.Choice(GRADE_FORMATS + PLATFORM_FORMATS),
              default="table", show_default=True,
              help="Output format (csv: a gradebook, one row a student; gradescope: "
              "results.json; canvas, moodle: a gradebook CSV the LMS imports).")
@click.option("--tolerance", help="The grading rule: sigfigs:N, rel:R, abs:A, rel_abs:R,A or "
              "places.  Default: the problem's tolerance:, else the course file's "
              "(hwsolve.toml), else sigfigs:3 — 3 significant figures relative to the correct "
              "value, never the student's own digits.")
@click.option("--follow-through", "follow_through", type=click.Choice(("full", "half", "none")),
              help="Credit for an entry that follows correctly from a named root mistake "
              "(default: the problem's follow_through:, else the course file's, else full).")
@click.option("--variant", help="Grade against one of the problem's named variants.")
@click.option("--roster", type=click.Path(dir_okay=False),
              help="CSV with the columns student,variant: which exam variant each student sat "
              "(PROBLEM is then the folder vary -o wrote).")
@click.option("--per-student", "per_student", is_flag=True,
              help="Each student's own variant, drawn from the id and the course seed "
              "(as vary --roster draws it).")
@click.option("--seed", "course_seed", type=click.IntRange(0, 2 ** 63 - 1),
              help="The course seed for --per-student (default: seed in hwsolve.toml).")
@click.option("--width", type=click.IntRange(40, 1000), help="Terminal width.")
@platform_options
def grade(problem, answers, fmt, tolerance, follow_through, variant, roster, per_student,
          course_seed, width, **platform):
    """Grade ANSWERS (a YAML file, a folder of them, or a CSV gradebook) against PROBLEM (a
    problem file, or a folder of exam variants as vary -o writes them).

    The score is over the entries the problem asks for (its grade: list or its
    columns); an unanswered entry is
    missing.  The rule in force is named in every report.  A consistent mistake (σ′ left out at
    one unit, a wrong kink branch, tanh for sigmoid, a missed path, a sign, the ½ of mse) is
    found from the final answers, named once as a root, and the entries that follow from it
    get follow-through credit.  A submission that cannot be graded (unreadable, a non-number,
    an entry written twice, a list of the wrong length, a student twice) is flagged for review
    with 0 points, and the others are still graded.

    Exit 0: every entry right; 1: some entry not right; 3: graded, but some submissions were
    flagged (listed on stderr); 2: nothing could be graded (a bad problem, roster or file).

    \b
      hwsolve grade q3a alice.yaml
      hwsolve grade q3a submissions/ -f csv > grades.csv
      hwsolve grade exam/ submissions/ --roster class.csv
    """
    from pathlib import Path

    from hwsolve.render import grade as render

    if per_student and roster:
        raise click.UsageError("--roster names each student's variant; --per-student draws it "
                               "from the id: give one of them")
    if variant and (roster or per_student):
        raise click.UsageError("--variant grades everyone against one variant; it does not "
                               "combine with --roster or --per-student")
    from hwsolve import api
    book = api.grade(problem, answers, tolerance=tolerance, variant=variant, roster=roster,
                     per_student=per_student, seed=course_seed, follow_through=follow_through)
    single = not Path(answers).is_dir() and Path(answers).suffix != ".csv" and \
        len(book.reports) == 1 and not book.flagged
    if fmt in PLATFORM_FORMATS:   # course platforms: hwsolve/cli/export.py
        from hwsolve.cli.export import grade_output
        sys.exit(grade_output(book, fmt, single=single, inputs=(problem, answers), **platform))
    if single:
        report = book.reports[0]
        if fmt == "json":
            click.echo(render_json(render.to_json(report)))
        elif fmt == "csv":
            notes: list = []
            click.echo(render.csv_text(report, notes), nl=False)
            for note in notes:
                click.echo(f"note: {note}", err=True)
        elif fmt == "markdown":
            click.echo(render.markdown(report), nl=False)
        else:
            _print(render.table(report), width)
    else:
        if fmt == "json":
            click.echo(render_json(render.class_json(book)))
        elif fmt == "csv":
            click.echo(render.gradebook(book), nl=False)
        elif fmt == "markdown":
            click.echo(render.class_markdown(book), nl=False)
        else:
            _print(render.class_table(book), width)
    for line in render.flagged_lines(book):
        click.echo(line, err=True)
    sys.exit(book.exit_code())


def render_json(document) -> str:
    from hwsolve import num
    return num.json_dumps(document, indent=2)


def _print(renderable, width) -> None:
    from hwsolve.cli.console import make
    make(width).print(renderable)


from hwsolve.cli.vary import vary  # noqa: E402,F401  (its own module; registered by app)
