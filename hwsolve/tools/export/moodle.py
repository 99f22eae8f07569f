"""Moodle XML: a quiz of numerical questions that Moodle imports (Question bank > Import).

The element set is Moodle's own numerical export (as in cran/exams ``inst/xml/moodlequiz.xml``
and Moodle's ``question/format/xml`` tests): ``<question type="category">`` with a
``$course$/top/...`` path, then per question ``name``, ``questiontext``, ``generalfeedback``,
``defaultgrade``, ``penalty``, ``hidden``, one ``<answer fraction="100">`` with its absolute
``tolerance``, and the unit options.

Layout: a category per problem and a subcategory per asked entry, holding one question per
variant, so that a quiz takes "a random question" from each entry's category and every student
draws one variant.  Each question also lists, as ``fraction="0"`` answers, the values a
diagnosed mistake gives (σ′ left out, a sign, a missed path, ...) with the grader's sentence as
their feedback: a static quiz still explains the mistake.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hwsolve.tools.export import html as H
from hwsolve.tools.export.quiz import Quiz, decimal_text

WRONG_TOLERANCE_SHARE = 10   # a mistake's answer window: its distance to the key over this


def category_path(*parts: str) -> str:
    """A Moodle category path; a ``/`` inside a name is doubled, as Moodle escapes it."""
    return "/".join(["$course$/top"] + [p.replace("/", "//") for p in parts])


def _text(parent, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = text
    return node


def _category(root, path: str) -> None:
    question = ET.SubElement(root, "question", {"type": "category"})
    category = ET.SubElement(question, "category")
    ET.SubElement(category, "text").text = path


def _answer(question, fraction: str, value: str, tolerance: str, feedback: str) -> None:
    answer = ET.SubElement(question, "answer", {"fraction": fraction,
                                                "format": "moodle_auto_format"})
    ET.SubElement(answer, "text").text = value
    _text(answer, "feedback", feedback)
    ET.SubElement(answer, "tolerance").text = tolerance


def document(quiz: Quiz, work: bool = True) -> str:
    """The Moodle XML text of ``quiz`` (UTF-8)."""
    root = ET.Element("quiz")
    top = f"hwsolve {quiz.name}: {quiz.title}"
    _category(root, category_path(top))
    entries = [e.entry for e in quiz.variants[0].entries] if quiz.variants else []
    shown_work = {v.number: H.work(v) if work else "" for v in quiz.variants}
    for index, entry in enumerate(entries):
        _category(root, category_path(top, f"{index + 1:02d} {entry}"))
        for variant in quiz.variants:
            item = variant.entries[index]
            q = ET.SubElement(root, "question", {"type": "numerical"})
            name = ET.SubElement(q, "name")
            ET.SubElement(name, "text").text = f"{quiz.name} v{variant.number} {entry}"
            _text(q, "questiontext", H.question(variant, entry, quiz.rule_text))
            _text(q, "generalfeedback", shown_work[variant.number])
            ET.SubElement(q, "defaultgrade").text = "1.0000000"
            ET.SubElement(q, "penalty").text = "0.3333333"
            ET.SubElement(q, "hidden").text = "0"
            ET.SubElement(q, "idnumber").text = f"{quiz.name}-s{quiz.seed}-v{variant.number}-" \
                f"{index + 1}"
            _answer(q, "100", item.shown, item.tolerance_text, "<p>Right.</p>")
            for wrong in item.wrongs:
                # The mistake's own window: narrow enough to stay clear of the key's window.
                tol = _wrong_window(item, wrong)
                _answer(q, "0", wrong.shown, tol, f"<p>{H.esc(_feedback(wrong))}</p>")
            ET.SubElement(q, "unitgradingtype").text = "0"
            ET.SubElement(q, "unitpenalty").text = "0.1000000"
            ET.SubElement(q, "showunits").text = "3"
            ET.SubElement(q, "unitsleft").text = "0"
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _feedback(wrong) -> str:
    return f"This is the value of a typical mistake ({wrong.kind.replace('_', ' ')}): " \
        f"{wrong.text}."


def _wrong_window(item, wrong) -> str:
    """Half the gap between the mistake's value and the key's window, at most the key's own
    width: Moodle takes the first answer whose window holds the response, and the key's
    answer comes first, so the two windows never need to share a number."""
    from decimal import Decimal, localcontext
    from hwsolve import num
    with localcontext() as ctx:
        ctx.prec = 40
        gap = abs(num.to_decimal(wrong.value) - Decimal(item.shown)) - item.tolerance
        width = min(item.tolerance, gap / 2) if gap > 0 else Decimal(0)
        if width:
            width = width.quantize(Decimal(1).scaleb(width.adjusted() - 2), rounding="ROUND_DOWN")
    return decimal_text(width)
