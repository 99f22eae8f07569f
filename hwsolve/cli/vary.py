"""``hwsolve vary``: new numbers for a problem, with the solver's key; sheets; per-student
variants from a roster.

Every file is written by :mod:`hwsolve.fileio`: checked before any work (never over an input,
never over an existing file without ``--force``), then written atomically.
"""

from __future__ import annotations

import click

from hwsolve.words import plural

SHEETS = ("sheet.md", "sheet.tex", "answers.md", "answers.tex")
ROSTER_OUT = "roster.csv"


@click.command()
@click.argument("problem")
@click.option("--seed", type=int, help="Random seed (default: the course's seed, else 0).")
@click.option("--count", type=click.IntRange(1, 10_000), default=1, show_default=True,
              help="How many distinct variants (more than one needs -o).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False),
              help="Folder to write the variants (and sheets) into.")
@click.option("--grid", default="integers,halves,tenths", show_default=True,
              help="Nice values to draw from: integers, halves, tenths (comma-separated).")
@click.option("--kinks", is_flag=True, help="Ask for a value on a kink or tie instead of "
              "avoiding them.")
@click.option("--sheet", is_flag=True, help="Also write sheet.md/.tex (problems, no answers) "
              "and answers.md/.tex (needs -o).")
@click.option("--roster", type=click.Path(dir_okay=False), help="A CSV with a 'student' "
              "column: each student gets an own variant, drawn from the id and the course "
              "seed (needs -o; writes roster.csv with student,variant).")
@click.option("--force", is_flag=True, help="Replace files that already exist in the folder.")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing about the files written.")
def vary(problem, seed, count, out_dir, grid, kinks, sheet, roster, force, quiet):
    """Write new versions of PROBLEM with nice numbers and the solver's full key.

    A variant keeps the question text and the original's branches: the same relu units off,
    the same max winners.

    \b
      hwsolve vary q3a
      hwsolve vary q3a --count 30 -o exam/ --sheet
      hwsolve vary q3a --roster class.csv -o exam/
    """
    from pathlib import Path

    from hwsolve import api, fileio
    from hwsolve.errors import HwsolveError
    from hwsolve.teach import vary as varying

    if (count > 1 or sheet or roster) and not out_dir:
        raise click.UsageError("--count above 1, --sheet and --roster write files: give -o DIR")
    if roster and count != 1:
        raise click.UsageError("--roster draws one variant per student; leave out --count")
    grids = [g.strip() for g in grid.split(",") if g.strip()]
    if not grids:
        raise HwsolveError("names no grid; give one or more of integers, halves, tenths",
                           where="--grid")
    path = api.find(problem)
    loaded = api.load(problem)
    if seed is None:
        from hwsolve.teach import course
        seed = course.load().seed or 0
    students = _read_roster(roster) if roster else None
    n = len(students) if students else count
    width = len(str(n))
    names = [f"{loaded.name}-v{k:0{width}d}.yaml" for k in range(1, n + 1)]
    names += list(SHEETS) if sheet else []
    names += [ROSTER_OUT] if students else []
    inputs = [path] + ([roster] if roster else [])
    if out_dir:
        fileio.check_folder_writable(out_dir, names, force=force, inputs=inputs, option="-o")
    from hwsolve.cli.console import progress
    try:
        with progress(n, "drawing variants") as bar:   # on a terminal, past a second
            if students:
                variants = _per_student(loaded, students, seed, grids, kinks, varying,
                                        bar.advance)
            else:
                variants = varying.vary(loaded, count, seed, grids, kinks, bar.advance)
    except ValueError as exc:
        raise HwsolveError(str(exc), where="--grid") from None
    if not out_dir:
        click.echo(variants[0].text, nl=False)
        return
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name, v in zip(names, variants):
        fileio.write_file(folder / name, v.text, force=force, inputs=inputs, option="-o")
    written = [plural(n, "variant")]
    if students:
        rows = ["student,variant"] + [f"{_csv_cell(s)},{k}" for k, s in
                                      enumerate(students, start=1)]
        fileio.write_file(folder / ROSTER_OUT, "\n".join(rows) + "\n", force=force,
                          inputs=inputs, option="-o")
        written.append(ROSTER_OUT)
    if sheet:
        from hwsolve.render import sheet as sheets
        for name, text in zip(SHEETS, (sheets.markdown_problems(variants),
                                       sheets.latex_problems(variants),
                                       sheets.markdown_answers(variants),
                                       sheets.latex_answers(variants))):
            fileio.write_file(folder / name, text, force=force, inputs=inputs, option="-o")
        written.append(", ".join(SHEETS))
    if not quiet:
        click.echo(f"wrote {' and '.join(written)} to {folder}", err=True)


def _per_student(problem, students: list, course_seed: int, grids, kinks, varying,
                 advance=None) -> list:
    from dataclasses import replace

    from hwsolve.teach.roster import variant_seed
    out = []
    for k, student in enumerate(students, start=1):
        own = variant_seed(student, course_seed)
        v = varying.vary(problem, 1, own, grids, kinks)[0]
        text = varying.variant_yaml(problem, v.solution, v.values, k, own)
        out.append(replace(v, number=k, text=text, student=student))
        if advance is not None:
            advance()
    return out


def _csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text (OWASP: no leading = + - @)."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    if any(c in text for c in ',"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _read_roster(path: str) -> list:
    """The student ids of a roster CSV (a header row with a 'student' column), in order: the
    one roster reader of grade (hwsolve.teach.roster), so both see the same ids."""
    from hwsolve.teach.roster import read_roster
    return list(read_roster(path, need_variant=False))
