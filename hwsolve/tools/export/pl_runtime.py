"""What a PrairieLearn ``server.py`` written by hwsolve runs (see
:mod:`hwsolve.tools.export.prairielearn`): the variant from the seed, and hwsolve's grader on
the raw submitted answers.  Kept small and import-light: PrairieLearn calls it per request."""

from __future__ import annotations

from fractions import Fraction

_CACHE: dict = {}


def _variant(question: dict, data: dict) -> tuple:
    index = int(data.get("params", {}).get("variant_index",
                                           int(data.get("variant_seed", 0)) %
                                           len(question["variants"])))
    return index, question["variants"][index]


def generate(data: dict, question: dict) -> None:
    index = int(data.get("variant_seed", 0)) % len(question["variants"])
    variant = question["variants"][index]
    data["params"]["variant_index"] = index
    data["params"]["variant"] = variant["number"]
    data["params"]["statement"] = variant["statement"]
    for name, value in variant["correct"].items():
        data["correct_answers"][name] = value


def _rule(question: dict):
    from hwsolve.teach.tolerance import Rule
    r = question["rule"]
    return Rule(r["kind"], rel=None if r["rel"] is None else Fraction(r["rel"]),
                abs=None if r["abs"] is None else Fraction(r["abs"]), sigfigs=r["sigfigs"])


def _key(question: dict, index: int) -> tuple:
    key = (question["problem"], question["seed"], index)
    if key not in _CACHE:
        from hwsolve.engine.solve import resolve_setup, solve
        from hwsolve.spec.load import load_problem_text
        from hwsolve.teach import reference
        variant = question["variants"][index]
        problem = load_problem_text(variant["yaml"], name=question["problem"])
        solution = solve(problem, resolve_setup(problem))
        _CACHE[key] = (problem, reference.build(solution))
    return _CACHE[key]


def grade(data: dict, question: dict) -> None:
    """Grade the submission with hwsolve: ``partial_scores[NAME]`` (score, weight, feedback),
    ``feedback[NAME]`` (the diagnosis), ``score`` (the mean over the asked entries)."""
    from hwsolve.errors import HwsolveError
    from hwsolve.teach import grade as grading
    from hwsolve.teach.answers import Submission, Written, number

    index, variant = _variant(question, data)
    problem, ref = _key(question, index)
    raw = data.get("raw_submitted_answers", {}) or {}
    entries = question["entries"]
    written = []
    for name, entry in entries.items():
        text = raw.get(name)
        if text is None or not str(text).strip():
            continue
        try:
            text_, value, exact = number(str(text), "submission", entry, None)
        except HwsolveError as exc:
            data.setdefault("format_errors", {})[name] = exc.message
            continue
        written.append(Written(entry, text_, value, exact, None))
    if data.get("format_errors"):
        return
    submission = Submission("student", "submission", written)
    report = grading.grade(ref, submission, _rule(question),
                           Fraction(question["follow_through"]), problem=problem)
    by_entry = {e.entry: e for e in report.entries}
    credit = {"right": 1.0, "follows": float(report.follow_through)}
    total = 0.0
    for name, entry in entries.items():
        e = by_entry[entry]
        score = credit.get(e.status, 0.0)
        text = "" if e.status == "right" else (e.text or e.status)
        if name in variant["fractions"] and e.status == "right":
            exact = Fraction(variant["fractions"][name])
            w = e.written
            if w is None or (w.exact if w.exact is not None else w.value) != exact and \
                    abs(float(w.value) - float(exact)) > 1e-12 * abs(float(exact)):
                score, text = 0.0, f"this value is a fraction: give it exactly " \
                                   f"(as a/b), not rounded"
        data.setdefault("partial_scores", {})[name] = {"score": score, "weight": 1,
                                                       "feedback": text}
        data.setdefault("feedback", {})[name] = text
        total += score
    data["score"] = total / len(entries) if entries else 0.0
