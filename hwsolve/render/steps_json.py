"""The shown work as JSON (``--steps --format json``): per step its terms, each with consumer,
upstream, local formula (text and LaTeX), value and contribution; and the closed forms."""

from __future__ import annotations

from hwsolve import num
from hwsolve.render import numbers
from hwsolve.work import symbolic
from hwsolve.work.steps import BackwardStep, Case, Equation, Local, Steps


def to_json(steps: Steps, digits: int = 3) -> dict:
    """The work as structured data: each formula as text and LaTeX, each value as a float (in
    exponent form beyond float range, with a note in ``warnings``)."""
    document = {
        "digits": digits,
        "output": steps.output.name,
        "forward": [_equation_json(eq, digits) for eq in steps.forward],
        "head": [_equation_json(eq, digits) for eq in steps.head],
        "loss_gradient": None if steps.loss_gradient is None
        else _equation_json(steps.loss_gradient, digits),
        "backward": [_backward_json(step, digits) for step in steps.backward],
        "warnings": list(steps.warnings),
    }
    wide = numbers.count_wide(document)
    if wide:
        verb = "values of the work are" if wide != 1 else "value of the work is"
        document["warnings"].append(f"{wide} {verb} beyond the range of a float: written in "
                                    "exponent form with 17 significant digits")
    return document


def closed_forms_json(steps: Steps) -> dict:
    from hwsolve.render.steps import _with_closed_forms
    return {eq.target.name: _both(eq.closed_form, 3)
            for eq in _with_closed_forms(steps)}


def _both(expr, digits: int, shown=None, order=None) -> dict:
    return {"text": symbolic.text(expr, shown, digits, order),
            "latex": symbolic.latex(expr, shown, digits, order)}


def _number(value):
    return numbers.json_number(value, "", None)  # counted by to_json


def _equation_json(eq: Equation, digits: int) -> dict:
    return {
        "name": eq.target.name,
        "wrt": eq.wrt.name if eq.wrt is not None else None,
        "formulas": [_both(form, digits) for form in eq.forms],
        "with_numbers": _both(eq.forms[-1], digits, eq.shown),
        "value": _number(eq.value),
        "exact": num.exact_text(eq.value),
        "closed_form": _both(eq.closed_form, digits) if eq.closed_form is not None else None,
        "notes": list(eq.notes),
    }


def _backward_json(step: BackwardStep, digits: int) -> dict:
    return {
        "node": step.symbol.name,
        "kind": step.kind,
        "terms": [{
            "consumer": t.consumer.name,
            "upstream": _number(t.upstream),
            "local": _local_json(t.local, digits),
            "contribution": _number(t.contribution),
        } for t in step.terms],
        "total": _number(step.total),
        "note": step.note,
        "shortcut": None if step.shortcut is None else _equation_json(step.shortcut, digits),
        "matrix_form": step.matrix_form,
    }


def _local_json(local: Local, digits: int) -> dict:
    return {
        "of": local.of.name,
        "wrt": local.wrt.name,
        "case_rule": local.is_case_rule,
        "formula": _both(local.formula, digits, order=local.order),
        "with_numbers": _both(local.formula, digits, local.shown, local.order),
        "value": _number(local.value),
        "cases": [_case_json(case, local.order, digits) for case in local.cases],
    }


def _case_json(case: Case, order: dict, digits: int) -> dict:
    from hwsolve.render.steps import _Plain, _Tex  # the dialects say a relation in words
    plain, tex = _Plain(digits), _Tex(digits)
    return {
        "slope": _both(case.slope, digits, order=order),
        "value": _number(case.value),
        "reason": {"text": plain.relation(case.relation, order),
                   "latex": tex.relation(case.relation, order)},
        "rule": case.rule,
        "convention": case.convention,
    }
