"""PrairieLearn: a question folder whose ``server.py`` runs hwsolve.

``hwsolve export prairielearn PROBLEM --count N -o DIR`` writes ``DIR/hwsolve_NAME/`` with

- ``info.json`` (a v3 question; its uuid is a uuid5 of the problem text and the seed, so
  exporting again keeps the question's identity and its students' records);
- ``question.html``: the statement and one ``pl-number-input`` per asked entry, its tolerance
  mapped from hwsolve's rule (places -> ``decdig``, sigfigs -> ``sigfig``, rel/abs/rel_abs ->
  ``relabs``; an entry whose key is a fraction such as 8/3 asks for the exact value, with
  ``allow-fractions``);
- ``server.py``: ``generate(data)`` picks the variant from ``data["variant_seed"]`` among the N
  variants hwsolve drew (their numbers and keys embedded), fills ``params`` and
  ``correct_answers``; ``grade(data)`` runs hwsolve's grader on the raw submitted answers
  (:mod:`hwsolve.tools.export.pl_runtime`) and puts each entry's diagnosis in ``feedback`` and
  its follow-through credit in ``partial_scores``;

and ``DIR/HWSOLVE_INSTALL.md``, how to put hwsolve into the course's ``serverFilesCourse``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal

from hwsolve import num
from hwsolve.tools.export import html as H
from hwsolve.tools.export.quiz import Quiz, decimal_text

INSTALL = "HWSOLVE_INSTALL.md"


def question_id(quiz: Quiz) -> str:
    return "hwsolve_" + "".join(c if c.isalnum() or c in "-_" else "_" for c in quiz.name)


def question_uuid(quiz: Quiz) -> str:
    text = open(quiz.problem.file, "rb").read() if quiz.problem.file else b""
    digest = hashlib.sha256(text).hexdigest()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"hwsolve:{quiz.name}:{digest}:{quiz.seed}"))


def info(quiz: Quiz) -> dict:
    return {"uuid": question_uuid(quiz), "type": "v3",
            "title": f"{quiz.title} (hwsolve, {len(quiz.variants)} variants)",
            "topic": "hwsolve", "tags": ["hwsolve", quiz.name], "singleVariant": False,
            "partialCredit": True, "showCorrectAnswer": True}


def _input_attributes(quiz: Quiz, item) -> str:
    rule = quiz.rule
    if item.fraction is not None:
        return 'comparison="relabs" rtol="1e-12" atol="0" allow-fractions="true"'
    if rule.kind == "places":
        places = max(-Decimal(_key(item.correct)).as_tuple().exponent, 0)
        return f'comparison="decdig" digits="{places}" allow-fractions="false"'
    if rule.kind == "sigfigs":
        return f'comparison="sigfig" digits="{rule.sigfigs}" allow-fractions="false"'
    rtol = decimal_text(num.to_decimal(rule.rel)) if rule.rel is not None else "0"
    atol = decimal_text(num.to_decimal(rule.abs)) if rule.abs is not None else "0"
    return f'comparison="relabs" rtol="{rtol}" atol="{atol}" allow-fractions="false"'


def question_html(quiz: Quiz) -> str:
    first = quiz.variants[0]
    rows = []
    for i, item in enumerate(first.entries, start=1):
        label = f"\\({H.esc(H.entry_tex(item.entry))} =\\)"
        rows.append(f'  <p><pl-number-input answers-name="a{i}" label="{label}" '
                    f'{_input_attributes(quiz, item)}></pl-number-input>'
                    f'{{{{#feedback.a{i}}}}}<br><small>{{{{feedback.a{i}}}}}</small>'
                    f'{{{{/feedback.a{i}}}}}</p>')
    return ("<pl-question-panel>\n  {{{params.statement}}}\n"
            f"  <p>Graded by hwsolve to {H.esc(quiz.rule_text)}; an entry that follows "
            "correctly from an earlier mistake gets follow-through credit.</p>\n"
            "</pl-question-panel>\n\n" + "\n".join(rows) + "\n")


def _key(x) -> str:
    from hwsolve.teach.vary import key_text
    return key_text(x)


def question_data(quiz: Quiz) -> dict:
    """What server.py embeds: the rule, the entries and each variant's file and answers."""
    entries = [e.entry for e in quiz.variants[0].entries]
    variants = []
    for v in quiz.variants:
        variants.append({
            "number": v.number, "yaml": v.text, "statement": H.statement(v),
            "correct": {f"a{i}": float(e.correct) for i, e in enumerate(v.entries, start=1)},
            "fractions": {f"a{i}": e.fraction for i, e in enumerate(v.entries, start=1)
                          if e.fraction is not None}})
    rule = quiz.rule
    return {"problem": quiz.name, "seed": quiz.seed, "rule": {
        "kind": rule.kind, "sigfigs": rule.sigfigs,
        "rel": None if rule.rel is None else str(rule.rel),
        "abs": None if rule.abs is None else str(rule.abs)},
        "follow_through": str(_follow_through(quiz)),
        "entries": {f"a{i}": e for i, e in enumerate(entries, start=1)}, "variants": variants}


def _follow_through(quiz: Quiz):
    from hwsolve.teach import course as courses
    from hwsolve.teach.gradebook import follow_through_credit
    return follow_through_credit(None, quiz.problem, courses.load())[0]


SERVER = '''"""hwsolve question {name!r}: {count} variants drawn by hwsolve (seed {seed}).

Written by `hwsolve export prairielearn`; hwsolve must be importable (see HWSOLVE_INSTALL.md).
generate() picks this variant from data["variant_seed"]; grade() runs hwsolve's grader.
"""

import json

from hwsolve.tools.export import pl_runtime

QUESTION = json.loads({payload})


def generate(data):
    pl_runtime.generate(data, QUESTION)


def grade(data):
    pl_runtime.grade(data, QUESTION)
'''


def server_py(quiz: Quiz) -> str:
    payload = json.dumps(question_data(quiz), ensure_ascii=True)
    return SERVER.format(name=quiz.name, count=len(quiz.variants), seed=quiz.seed,
                         payload=repr(payload))


INSTALL_TEXT = """# Installing hwsolve for PrairieLearn questions

The questions hwsolve exported call hwsolve from their `server.py`.  PrairieLearn puts the
course's `serverFilesCourse/` folder on the Python path of `server.py`, so hwsolve goes there:

1. Build hwsolve's wheel on your computer (`pip wheel --no-deps /path/to/hwsolve -w wheels/`)
   and fetch its dependencies for PrairieLearn's Python (check it with a question that
   prints `sys.version`):
   `pip download --only-binary=:all: --python-version 3.10 --platform manylinux2014_x86_64 -d wheels/ click sympy rich pyyaml python-flint mpmath`.
2. Unzip every wheel into `serverFilesCourse/` (a wheel is a zip file):
   `for w in wheels/*.whl; do unzip -o -q "$w" -d serverFilesCourse/; done`.
3. Copy the question folders (`hwsolve_*`) into the course's `questions/` folder and sync.

python-flint is compiled: its wheel must match PrairieLearn's Python version and platform.
Test a question in the course's local PrairieLearn (docker) before an exam.
"""


def files(quiz: Quiz) -> dict:
    """relative path -> text of everything the export writes."""
    qid = question_id(quiz)
    return {f"{qid}/info.json": json.dumps(info(quiz), indent=2, ensure_ascii=False) + "\n",
            f"{qid}/question.html": question_html(quiz),
            f"{qid}/server.py": server_py(quiz),
            INSTALL: INSTALL_TEXT}
