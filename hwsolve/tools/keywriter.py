"""``hwsolve key FILE``: write (or refresh) the ``answers:`` block of a problem from its solution.

The top-level ``answers:`` block is replaced (or appended when there is none), and so is the
``answers:`` block of every variant that has one written in block style; every other byte of
the file — comments, key order, quoting, line endings, a byte-order mark — is kept.  The
block keys what the answer table prints, each number to ``digits`` significant figures (so it
matches under "decimal places as written"):

* a single problem: ``Yhat``, ``L``, ``grad`` of every column and ``values`` of every node;
* a batch: ``L``, ``grad`` of every param, and each example's ``Yhat`` and ``L``;
* a training run: also ``train: {L, loss, params}`` (L after the last step, L before step
  1 and after steps 1 to 10, the params after the last step).

Entries of the old block that the writer does not produce (one entry ``'W[1, 2]'``, per-step
state, ...) are listed as dropped in the summary.

The new text is loaded and checked before it is written (under the rule in force), so a key
that would not pass ``hwsolve check`` is never written; the file is replaced atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from hwsolve import num
from hwsolve.errors import HwsolveError

MAX_BYTES = 4 * 1024 * 1024
MAX_LOSSES = 11  # train.loss keys L before step 1 and after steps 1 to 10 (at most)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class KeyEdit:
    text: str           # the whole new file text
    block: str          # the new answers block
    entries: dict       # entry -> key text (new)
    old: dict           # entry -> key text (before), empty when there was no block
    changed: bool
    skipped: tuple = ()  # variants whose answers are in flow style: left as written


def number(x, digits: int) -> str:
    """``x`` to ``digits`` significant figures, trailing zeros kept (0.690 says three places),
    or exactly where ``x`` is a decimal of at most ``digits`` figures (0.69, -2); plain from
    1e-5 to 1e7, exponent form beyond."""
    if num.is_exact(x) and x == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = num.WORK_DPS + 10
        d = num.to_decimal(x)
        if not d:
            return "0"
        rounded = d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), ROUND_HALF_EVEN)
        if num.is_exact(x) and Fraction(rounded) == x:  # exact: no made-up trailing zeros
            rounded = rounded.normalize()
            if rounded == rounded.to_integral_value():
                rounded = rounded.quantize(Decimal(1))
        if -5 <= rounded.adjusted() < 7:
            return format(rounded, "f")
        return format(rounded, f".{digits - 1}e")


def _value(value, digits: int) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v, digits) for v in value) + "]"
    return number(value, digits)


def _name(name: str) -> str:
    return name if _NAME.fullmatch(name) else "'" + name.replace("'", "''") + "'"


def _single(problem, digits: int, lines: list, entries: dict, variant=None) -> None:
    from hwsolve.engine.solve import resolve_setup, solve
    from hwsolve.render import common
    solution = solve(problem, resolve_setup(problem, variant=variant))
    for name in ("Yhat", "L"):
        if name in solution.values:
            text = _value(solution.values[name], digits)
            lines.append(f"  {name}: {text}")
            entries[name] = text
    grads = [c for c in common.columns(solution) if c not in ("Yhat", "L")]
    if grads:
        lines.append("  grad:")
        for column in grads:
            text = _value(common.column_value(solution, column), digits)
            lines.append(f"    {_name(column)}: {text}")
            entries[f"∇{column}"] = text
    if problem.nodes:
        lines.append("  values:")
        for node in problem.nodes:
            text = _value(solution.values[node.name], digits)
            lines.append(f"    {_name(node.name)}: {text}")
            entries[f"value {node.name}"] = text


def _batch(problem, digits: int, lines: list, entries: dict, variant=None) -> None:
    from hwsolve.engine.batch import Batch
    from hwsolve.engine.solve import resolve_setup
    from hwsolve.tools.check_train import refuse_ignored
    refuse_ignored(problem, variant)
    batch = Batch(problem, resolve_setup(problem, variant=variant))
    run = None
    if problem.train is not None:
        from hwsolve.engine.train import train
        run = train(batch, problem.train, keep_first=MAX_LOSSES)
    solution = run.first if run else batch.solve()
    lines.append(f"  L: {number(solution.loss, digits)}")
    entries["L"] = number(solution.loss, digits)
    lines.append("  grad:")
    for name, value in solution.grad.items():
        text = _value(value, digits)
        lines.append(f"    {_name(name)}: {text}")
        entries[f"∇{name}"] = text
    if problem.examples:
        lines.append("  examples:")
        for k, example in enumerate(solution.runs, start=1):
            yhat, loss = _value(example.value_of("Yhat"), digits), number(example.loss, digits)
            lines.append(f"    - {{Yhat: {yhat}, L: {loss}}}")
            entries[f"Yhat@{k}"], entries[f"L@{k}"] = yhat, loss
    if run is not None:
        last = number(run.losses[-1], digits)
        shown = [run.losses[s] for s in range(min(MAX_LOSSES, run.config.steps + 1))]
        losses = "[" + ", ".join(number(x, digits) for x in shown) + "]"
        lines += ["  train:", f"    L: {last}", f"    loss: {losses}", "    params:"]
        entries[f"L after step {run.config.steps}"] = last
        for step, x in enumerate(shown):
            entries[f"L after step {step}"] = number(x, digits)
        for name, value in run.params.items():
            text = _value(value, digits)
            lines.append(f"      {_name(name)}: {text}")
            entries[f"{name} after step {run.config.steps}"] = text


def _block_span(lines: list, top) -> tuple:
    """(first, end) line indices (0-based, end exclusive) of the top-level answers block, or
    None.  The block runs to the next top-level key, less the blank lines and column-0
    comments just before that key (they belong to it)."""
    if "answers" not in top.values:
        return None
    first = top.key_lines["answers"] - 1
    following = sorted(line for line in top.key_lines.values() if line - 1 > first)
    end = following[0] - 1 if following else len(lines)
    while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    if lines[first][:1] in (" ", "\t") or not lines[first].lstrip("'\"").startswith("answers"):
        raise HwsolveError("the answers key is not a plain top-level key at the start of its "
                           "line; hwsolve key edits block-style YAML files only",
                           line=first + 1)
    return first, end


def build(path: str, digits: int = 4) -> KeyEdit:
    """The file at ``path`` with a fresh answers block (nothing is written)."""
    from hwsolve import fileio
    from hwsolve.spec.load import build_problem
    from hwsolve.spec.yamlread import Mapping, decode, parse_text

    raw = fileio.read_bytes(path, limit=MAX_BYTES, what="problem file", display=str(path))
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    text = decode(raw, str(path))
    tree = parse_text(text, str(path))
    if not isinstance(tree, Mapping):
        raise HwsolveError("is not a mapping of keys; a problem file is", file=str(path))
    if any(line.startswith("kind:") for line in text.splitlines()):
        raise HwsolveError("is a kind: curves or identity file; hwsolve key writes the answers "
                           "of network problems", file=str(path))
    problem = build_problem(tree, name="problem", file=str(path), source=text)
    newline = "\r\n" if "\r\n" in text else "\n"
    old_lines = text.splitlines(keepends=True)
    try:
        span = _block_span(old_lines, tree)
    except HwsolveError as exc:
        raise HwsolveError(exc.message, file=str(path), line=exc.line) from None
    block, entries = _block(problem, digits, None, "", newline)
    edits = [(span, block)] if span else []
    old = _old_entries(problem, problem.answers)
    skipped = []
    for name, variant in problem.variants.items():
        where = _variant_span(old_lines, tree, name)
        if variant.answers is None:
            continue
        if where is None:  # not block style: left as written
            skipped.append(name)
            continue
        first, end, indent = where
        text_v, found = _block(problem, digits, name, indent, newline)
        edits.append(((first, end), text_v))
        entries.update({f"{name}: {k}": v for k, v in found.items()})
        old.update({f"{name}: {k}": v for k, v in _old_entries(problem, variant.answers).items()})
    new_lines = list(old_lines)
    for (first, end), replacement in sorted(edits, key=lambda e: e[0][0], reverse=True):
        new_lines[first:end] = [replacement]
    new = "".join(new_lines)
    if span is None:  # no top-level block yet: appended
        head = new if not new or new.endswith(("\n", "\r")) else new + newline
        new = head + block
    return KeyEdit(bom + new, block, entries, old, bom + new != bom + text, tuple(skipped))


def _block(problem, digits: int, variant, indent: str, newline: str) -> tuple:
    """(the answers block of the problem or of ``variant``, indented by ``indent``, entries)."""
    lines, entries = ["answers:"], {}
    if problem.examples or problem.train is not None:
        _batch(problem, digits, lines, entries, variant)
    else:
        _single(problem, digits, lines, entries, variant)
    return "".join(indent + line + newline for line in lines), entries


def _variant_span(lines: list, top, name: str):
    """(first, end, indent) of ``variants.NAME.answers`` when it is written in block style."""
    from hwsolve.spec.yamlread import Mapping
    variants = top.values.get("variants")
    body = variants.values.get(name) if isinstance(variants, Mapping) else None
    if not isinstance(body, Mapping) or "answers" not in body.key_lines:
        return None
    first = body.key_lines["answers"] - 1
    line = lines[first]
    indent = line[:len(line) - len(line.lstrip(" "))]
    if not line[len(indent):].lstrip("'\"").startswith("answers"):
        return None  # flow style: {label: 0, answers: {...}}
    end = first + 1
    while end < len(lines):
        stripped = lines[end].strip()
        depth = len(lines[end]) - len(lines[end].lstrip(" "))
        if stripped and not stripped.startswith("#") and depth <= len(indent):
            break
        end += 1
    while end > first + 1 and (not lines[end - 1].strip() or
                               (lines[end - 1].lstrip().startswith("#") and
                                len(lines[end - 1]) - len(lines[end - 1].lstrip(" "))
                                <= len(indent))):
        end -= 1
    return first, end, indent


def _old_entries(problem, answers) -> dict:
    """The entries of a current block, as check names them (entry -> key text)."""
    found: dict = {}
    if answers is None:
        return found

    def add(entry, key):
        if isinstance(key, tuple):
            found[entry] = "[" + ", ".join(_flat_text(k) for k in key) + "]"
        else:
            found[entry] = key.text

    for name, key in (("Yhat", answers.yhat), ("L", answers.loss)):
        if key is not None:
            add(name, key)
    for name, key in answers.grad.items():
        add(f"∇{name}", key)
    for name, key in answers.values.items():
        add(f"value {name}", key)
    for k, example in enumerate(answers.examples or (), start=1):
        for name in ("Yhat", "L"):
            if name in example:
                add(f"{name}@{k}", example[name])
    if answers.train is not None and problem.train is not None:
        steps = problem.train.steps
        if answers.train.loss is not None:
            add(f"L after step {steps}", answers.train.loss)
        for step, key in enumerate(answers.train.losses or ()):
            add(f"L after step {step}", key)
        for name, key in answers.train.params.items():
            add(f"{name} after step {steps}", key)
    return found


def _flat_text(key) -> str:
    if isinstance(key, tuple):
        return "[" + ", ".join(_flat_text(k) for k in key) + "]"
    return key.text


def summary(edit: KeyEdit) -> list:
    """Lines saying what changed: new, changed (old → new), dropped, and how many kept."""
    out = []
    kept = 0
    for entry, text in edit.entries.items():
        before = edit.old.get(entry)
        if before is None:
            out.append(f"+ {entry}: {text}")
        elif _same(before, text):
            kept += 1
        else:
            out.append(f"~ {entry}: {before} -> {text}")
    out += [f"- {entry}: {text}" for entry, text in edit.old.items()
            if entry not in edit.entries]
    out.append(f"{len(edit.entries)} entries: {kept} unchanged, "
               f"{sum(line.startswith('~') for line in out)} changed, "
               f"{sum(line.startswith('+') for line in out)} new, "
               f"{sum(line.startswith('-') for line in out)} dropped")
    return out


def _same(a: str, b: str) -> bool:
    """The same numbers, however written (0.69 and 0.690 name one key value)."""
    split = re.compile(r"[^\[\], ]+")
    left, right = split.findall(a), split.findall(b)
    try:
        return len(left) == len(right) and all(Decimal(x) == Decimal(y)
                                               for x, y in zip(left, right))
    except ArithmeticError:
        return a.replace(" ", "") == b.replace(" ", "")


__all__ = ["build", "summary", "number", "KeyEdit"]
