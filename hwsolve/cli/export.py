"""``hwsolve export TARGET PROBLEM``: quizzes and question folders for the course platforms.

Thin click commands: each parses its options, calls :mod:`hwsolve.api`, writes through
:mod:`hwsolve.fileio` (never over an existing file without ``--force``) and reports on stderr
every tolerance window that a diagnosed mistake's value falls into.  Exit 0: written, every
window separates; 1: written, but some windows hold a mistake's value (each named); 2: error.
"""

from __future__ import annotations

import sys

import click

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's


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


@export.command()
@click.argument("problem")
@_common
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The QTI zip to write (quiz.zip).")
@click.option("--no-work", "no_work", is_flag=True,
              help="Leave the worked steps out of the feedback (faster).")
def canvas(problem, count, seed, tolerance, keep, force, output, no_work):
    """Canvas: a QTI 1.2 zip with a question group per asked entry (one variant drawn per
    student) of numerical questions with the tolerance window of the rule."""
    from hwsolve import api, fileio

    fileio.check_writable(output, force=force, option="--output")
    data, built = api.export_canvas(problem, count=count, seed=seed, tolerance=tolerance,
                                    work=not no_work, redraw=not keep)
    fileio.write_file(output, data, force=force, option="--output")
    click.echo(f"wrote {len(built.variants)} variant(s) x {len(built.variants[0].entries)} "
               f"entries to {output}", err=True)
    sys.exit(_report(built))


@export.command()
@click.argument("problem")
@_common
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="The folder to write the question folder into (the course's questions/).")
def prairielearn(problem, count, seed, tolerance, keep, force, output):
    """PrairieLearn: a question folder (info.json, question.html with one pl-number-input
    per asked entry, server.py whose grade() runs hwsolve's grader) and HWSOLVE_INSTALL.md."""
    from pathlib import Path

    from hwsolve import api, fileio

    files, built = api.export_prairielearn(problem, count=count, seed=seed,
                                           tolerance=tolerance, redraw=not keep)
    fileio.check_folder_writable(output, files, force=force, option="--output")
    for name, text in files.items():
        target = Path(output) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        fileio.write_file(target, text, force=force, option="--output")
    click.echo(f"wrote {len(files)} files ({len(built.variants)} variants) to {output}",
               err=True)
    sys.exit(_report(built))


@export.command()
@click.argument("problem")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The autograder zip to write (autograder.zip).")
@click.option("--tolerance", help="The grading rule (default: the problem's, else "
              "sigfigs:3).")
@click.option("--visibility", type=click.Choice(VISIBILITIES), default="visible",
              show_default=True, help="When students see the tests.")
@click.option("--hide-key", "hide_key", is_flag=True,
              help="No correct value in anything a student sees.")
@click.option("--points", type=click.FloatRange(0, 1e6, min_open=True),
              help="The points the problem is worth (default: one per asked entry).")
@click.option("--wheel", type=click.Path(dir_okay=False, exists=True),
              help="Use this hwsolve wheel instead of building one from the source.")
@click.option("--force", is_flag=True, help="Replace an existing output.")
def gradescope(problem, output, tolerance, visibility, hide_key, points, wheel, force):
    """Gradescope: an autograder zip (setup.sh, run_autograder, the problem, hwsolve's wheel)
    that grades a YAML answers file or a one-row CSV into results/results.json."""
    from pathlib import Path

    from hwsolve import api, fileio
    from hwsolve.errors import HwsolveError
    from hwsolve.teach.gradebook import problem_kind_error
    from hwsolve.tools.export import gradescope_zip as gz

    fileio.check_writable(output, force=force, option="--output")
    path = api.find(problem)
    problem_kind_error(path)
    api.load(path)   # a broken problem is reported now, not by every student's run
    text = fileio.read_text(path, limit=16 * fileio.MiB, what="problem file")
    if wheel:
        built = (Path(wheel).name, Path(wheel).read_bytes())
    else:
        root = gz.project_root()
        if root is None:
            raise HwsolveError("the hwsolve source (pyproject.toml) is not here to build the "
                               "wheel from; give --wheel FILE", where="--wheel")
        built = gz.build_wheel(root)
    data = gz.package(text, built, tolerance=tolerance, visibility=visibility,
                      hide_key=hide_key, points=points)
    fileio.write_file(output, data, force=force, option="--output")
    click.echo(f"wrote {output} (setup.sh, run_autograder, problem.yaml, {built[0]})", err=True)


# ----------------------------------------------------------------------------- grade --format

def platform_options(command):
    """The options of ``grade --format gradescope|canvas|moodle`` (hwsolve/cli/grade.py)."""
    for decorator in reversed([
        click.option("--visibility", type=click.Choice(VISIBILITIES), default="visible",
                     show_default=True, help="gradescope: when students see each test."),
        click.option("--hide-key", "hide_key", is_flag=True,
                     help="gradescope and --feedback: no correct value (nor any rounding of "
                     "one) appears in what a student sees."),
        click.option("--points", type=click.FloatRange(0, 1e6, min_open=True),
                     help="The points the problem is worth (canvas, moodle: default 100; "
                     "gradescope: default one per asked entry)."),
        click.option("--id-column", "id_column", default="Email address", show_default=True,
                     help="moodle: the header of the id column, mapped on import to the "
                     "user field (email address, ID number, username)."),
        click.option("--column", help="canvas, moodle: the grade column's header "
                     "(default: hwsolve PROBLEM)."),
        click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False),
                     help="Also write one Markdown feedback file per student into this "
                     "folder."),
        click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
                     help="Write the results.json or CSV here instead of to stdout."),
        click.option("--force", is_flag=True, help="Replace existing output files."),
    ]):
        command = decorator(command)
    return command


def grade_output(book, fmt, *, single, inputs, visibility, hide_key, points, id_column,
                 column, feedback_dir, output, force) -> int:
    """Write ``book`` for a course platform; the grade command's exit code."""
    from hwsolve import fileio, num
    from hwsolve.errors import HwsolveError
    from hwsolve.render import grade as render
    from hwsolve.tools.export import results

    files = results.feedback_files(book, hide_key=hide_key, points=points) \
        if feedback_dir else {}
    if feedback_dir:
        fileio.check_folder_writable(feedback_dir, files, force=force, inputs=inputs,
                                     option="--feedback")
    if output:
        fileio.check_writable(output, force=force, inputs=inputs, option="--output")
    if fmt == "gradescope":
        if len(book.rows) != 1:
            raise HwsolveError(f"gradescope's results.json is one submission's; ANSWERS holds "
                               f"{len(book.rows)} (grade each submission, as run_autograder "
                               "does, or use --format canvas|moodle for a class)",
                               where="--format")
        text = num.json_dumps(results.gradescope(book.rows[0], visibility=visibility,
                                                 hide_key=hide_key, points=points),
                              indent=2) + "\n"
    else:
        text = results.lms_csv(book, fmt, points=points or 100.0, column=column,
                               id_column=id_column)
    if output:
        fileio.write_file(output, text, force=force, inputs=inputs, option="--output")
    else:
        click.echo(text, nl=False)
    if feedback_dir:
        from pathlib import Path
        Path(feedback_dir).mkdir(parents=True, exist_ok=True)
        for name, body in files.items():
            fileio.write_file(Path(feedback_dir) / name, body, force=force, inputs=inputs,
                              option="--feedback")
    for line in render.flagged_lines(book):
        click.echo(line, err=True)
    return book.exit_code()
