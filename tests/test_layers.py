"""The package's layers: imports flow one way, down the pipeline (issue 21).

    errors, fileio, num, numtext -> ops -> spec -> engine -> work -> render -> teach -> tools
    -> derive -> api -> cli

Every module is parsed with ``ast`` (function-level imports included, since a cycle hidden in a
function is still a cycle), and an import of a higher layer fails the test.  Within the bottom
layer the order is errors < fileio < num < numtext.  The known violations are allow-listed below
with the file's owner: the list may only shrink (a listed import that disappears fails too, so
that it is taken off the list).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hwsolve"

ORDER = ["errors", "words", "fileio", "num", "numtext", "ops", "spec", "engine", "work", "render",
         "teach", "tools", "derive", "api", "cli"]
ENTRY = {"__init__", "__main__", "scripts"}  # the package's entry points sit above everything

# (importing module, imported module): upward imports known today, each to be removed.
ALLOWED_UPWARD = {
    # num re-exports the parsers of numtext at its end (h15core is rewriting num.py onto FLINT)
    ("hwsolve.num", "hwsolve.numtext"),
    # spec reads `tolerance:` with the grading rules' parser (spec/keys.py; spec validation, h20num):
    # the rule parser belongs in spec (or a data module below it)
    ("hwsolve.spec.keys", "hwsolve.teach"),
    # render/grade.py shows the grader's Flagged entries: Flagged belongs in a data module
    ("hwsolve.render.grade", "hwsolve.teach.answers"),
    # render/teach.py prints a proof's claim with teach.prove's printers (display helpers' file)
    ("hwsolve.render.teach", "hwsolve.teach.prove"),
    # the grader reads and grades closed forms (issue 18) with derive/grade_form.py
    ("hwsolve.teach.answers", "hwsolve.derive.grade_form"),
    ("hwsolve.teach.grade", "hwsolve.derive.grade_form"),
    # derive (issue 18) and the class gradebook call the public api instead of the engine
    # (derive/__init__.py, expression.py, problem.py; teach/gradebook.py, grading helpers)
    ("hwsolve.derive", "hwsolve.api"),
    ("hwsolve.derive.expression", "hwsolve.api"),
    ("hwsolve.derive.problem", "hwsolve.api"),
    ("hwsolve.teach.gradebook", "hwsolve.api"),
    # results display themselves in notebooks (issue 21): the engine's result classes import
    # render/notebook.py inside their _repr_ methods; to move to registration from hwsolve.api
    ("hwsolve.engine.batch", "hwsolve.render"),
    ("hwsolve.engine.solve", "hwsolve.render"),
    ("hwsolve.engine.train", "hwsolve.render"),
    # the SymPy proof of an undecided node (issue 15) builds the registry's forms with
    # work/symbolic.py: the form builder belongs beside the registry (ops)
    ("hwsolve.engine.precision", "hwsolve.work.symbolic"),
    ("hwsolve.engine.precision", "hwsolve.work"),
}

# private names imported across modules: (importing module, imported module) -> how many names.
# May only shrink; a new one fails.  Counted today; owners: engine (h15core/h15train), render
# and teach (the display and grading helpers).
ALLOWED_PRIVATE: dict = {
    # landed with the last merges of session 3 (issues 15, 19): to be made public or moved
    ("hwsolve.engine.precision", "hwsolve.work.symbolic"): 1,   # h15core: the SymPy proof
    ("hwsolve.ops.nn", "hwsolve.ops.vector"): 1,                # h19ops
    ("hwsolve.tools.generate.tensor_layers", "hwsolve.tools.generate.tensor_nodes"): 2,
    ("hwsolve.work.nn_forms", "hwsolve.work.vector_forms"): 1,  # h19ops
    ("hwsolve.derive.grade_form", "hwsolve.derive.expression"): 2,
    ("hwsolve.engine.batch", "hwsolve.engine.solve"): 4,
    ("hwsolve.render.sheet", "hwsolve.render.latex"): 1,
    ("hwsolve.render.steps_json", "hwsolve.render.steps"): 3,
    ("hwsolve.spec.load", "hwsolve.spec.keys"): 1,
    ("hwsolve.teach.prove", "hwsolve.spec.expr"): 3,
    ("hwsolve.teach.reference", "hwsolve.engine.solve"): 1,
    ("hwsolve.teach.worlds", "hwsolve.engine.solve"): 1,
    ("hwsolve.tools.check_train", "hwsolve.tools.check"): 1,
    ("hwsolve.tools.generate", "hwsolve.tools.generate.scalar"): 1,
    ("hwsolve.tools.generate.scalar", "hwsolve.tools.generate.common"): 6,
    ("hwsolve.tools.generate.scalar_nodes", "hwsolve.tools.generate.common"): 8,
    ("hwsolve.tools.generate.tensor", "hwsolve.tools.generate.tensor_nodes"): 5,
    ("hwsolve.tools.generate.tensor_nodes", "hwsolve.tools.generate.common"): 1,
    ("hwsolve.tools.verify_train", "hwsolve.tools.verify"): 1,
    ("hwsolve.work.printing", "hwsolve.work.symbolic"): 1,
}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imports(module: str, path: Path):
    """(imported module, [names], line) for every import in the file, at any depth."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            if target == "hwsolve":  # from hwsolve import num, api: each name is a module
                for name in names:
                    is_module = (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists()
                    yield (f"hwsolve.{name}" if is_module else "hwsolve"), [], node.lineno
            else:
                yield target, names, node.lineno


def layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "hwsolve" or len(parts) < 2:
        return None
    if parts[1] in ENTRY:
        return len(ORDER)
    assert parts[1] in ORDER, f"{module}: place the subpackage {parts[1]!r} in ORDER"
    return ORDER.index(parts[1])


def test_every_subpackage_has_a_layer():
    missing = sorted({p.name.removesuffix(".py") for p in PACKAGE.iterdir()
                      if (p.is_dir() and (p / "__init__.py").exists() or p.suffix == ".py")}
                     - set(ORDER) - ENTRY)
    assert not missing, f"place these in tests/test_layers.py ORDER: {missing}"


def upward_imports() -> dict:
    found = {}
    for module, path in modules():
        mine = layer(module)
        for target, _, line in imports(module, path):
            theirs = layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                found.setdefault((module, target), f"{path.relative_to(PACKAGE.parent)}:{line}")
    return found


def test_imports_flow_down_the_layers():
    found = upward_imports()
    new = sorted(f"{where}: {a} imports {b}" for (a, b), where in found.items()
                 if (a, b) not in ALLOWED_UPWARD)
    assert not new, "upward imports (move the shared piece down a layer):\n" + "\n".join(new)
    gone = sorted(ALLOWED_UPWARD - set(found))
    assert not gone, f"fixed: take these off ALLOWED_UPWARD in tests/test_layers.py: {gone}"


def private_imports() -> Counter:
    found: Counter = Counter()
    for module, path in modules():
        for target, names, _ in imports(module, path):
            if not target.startswith("hwsolve") or target == module:
                continue
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    found[(module, target)] += 1
    return found


def test_no_new_private_names_imported_across_modules():
    found = private_imports()
    grown = sorted(f"{a} imports {n} private name(s) of {b} (allowed {ALLOWED_PRIVATE.get((a, b), 0)})"
                   for (a, b), n in found.items() if n > ALLOWED_PRIVATE.get((a, b), 0))
    assert not grown, ("a private name (_x) is imported across modules: make it public or move "
                       "it:\n" + "\n".join(grown))
    shrunk = sorted(f"{a} -> {b}: {ALLOWED_PRIVATE[(a, b)]} allowed, {found.get((a, b), 0)} left"
                    for (a, b) in ALLOWED_PRIVATE if found.get((a, b), 0) < ALLOWED_PRIVATE[(a, b)])
    assert not shrunk, "fewer private imports: lower ALLOWED_PRIVATE:\n" + "\n".join(shrunk)


def test_the_layer_check_sees_function_level_imports(tmp_path):
    """The checker itself: an import inside a function, going up, is found."""
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from hwsolve.cli import app\n    return app\n")
    assert [t for t, _, _ in imports("hwsolve.ops.probe", path)] == ["hwsolve.cli"]
    assert layer("hwsolve.cli") > layer("hwsolve.ops.probe")
