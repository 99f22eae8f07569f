"""Canvas: a QTI 1.2 package (``imsmanifest.xml`` + the assessment) that Canvas imports
(Settings > Import course content > QTI .zip file).

The shapes are those Canvas exports and imports (as text2qti writes them,
gpoore/text2qti ``xml_assessment.py`` and ``xml_imsmanifest.py``): a ``questestinterop``
assessment whose root section holds, per asked entry, a *question group* (a ``section`` with
``selection_number`` 1 and ``points_per_item``) of ``numerical_question`` items, one per
variant: each student draws one variant of each entry.  An item accepts the window
``value ± tolerance`` of the quiz model (``vargte``/``varlte``), shows the worked steps as its
general feedback, and names the typical mistake of a value it recognises.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from hwsolve.tools.export import html as H
from hwsolve.tools.export.quiz import Quiz, decimal_text

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)   # fixed: the same quiz gives the same bytes


def _ident(quiz: Quiz, *parts) -> str:
    text = ":".join(str(p) for p in (quiz.name, quiz.seed, *parts))
    return "g" + uuid.uuid5(uuid.NAMESPACE_URL, "hwsolve:" + text).hex


def _field(parent, label: str, entry: str) -> None:
    field = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = label
    ET.SubElement(field, "fieldentry").text = entry


def _mattext(parent, text: str) -> None:
    material = ET.SubElement(parent, "material")
    ET.SubElement(material, "mattext", {"texttype": "text/html"}).text = text


def _range(parent, low: Decimal, high: Decimal) -> None:
    condition = ET.SubElement(parent, "conditionvar")
    ET.SubElement(condition, "vargte", {"respident": "response1"}).text = decimal_text(low)
    ET.SubElement(condition, "varlte", {"respident": "response1"}).text = decimal_text(high)


def _item(parent, quiz: Quiz, variant, index: int, work: str) -> None:
    entry = variant.entries[index]
    ident = _ident(quiz, variant.number, index)
    item = ET.SubElement(parent, "item", {"ident": ident,
                                          "title": f"{quiz.name} v{variant.number} {entry.entry}"})
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", "numerical_question")
    _field(meta, "points_possible", "1")
    _field(meta, "original_answer_ids", f"{ident}_answer")
    _field(meta, "assessment_question_identifierref", f"{ident}_ref")
    presentation = ET.SubElement(item, "presentation")
    _mattext(presentation, H.question(variant, entry.entry, quiz.rule_text))
    response = ET.SubElement(presentation, "response_str", {"ident": "response1",
                                                            "rcardinality": "Single"})
    fib = ET.SubElement(response, "render_fib", {"fibtype": "Decimal"})
    ET.SubElement(fib, "response_label", {"ident": "answer1"})
    processing = ET.SubElement(item, "resprocessing")
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(outcomes, "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE",
                                       "vartype": "Decimal"})
    if work:
        general = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
        ET.SubElement(ET.SubElement(general, "conditionvar"), "other")
        ET.SubElement(general, "displayfeedback", {"feedbacktype": "Response",
                                                   "linkrefid": "general_fb"})
    centre = Decimal(entry.shown)
    right = ET.SubElement(processing, "respcondition", {"continue": "No"})
    _range(right, centre - entry.tolerance, centre + entry.tolerance)
    ET.SubElement(right, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    feedback = []
    for k, wrong in enumerate(entry.wrongs):
        value = Decimal(wrong.shown)
        gap = abs(value - centre) - entry.tolerance
        width = min(entry.tolerance, gap / 2)
        condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
        _range(condition, value - width, value + width)
        ET.SubElement(condition, "displayfeedback", {"feedbacktype": "Response",
                                                     "linkrefid": f"mistake_{k}"})
        feedback.append((f"mistake_{k}", f"<p>{H.esc(wrong.text)}</p>"))
    if work:
        feedback.insert(0, ("general_fb", work))
    for ident_fb, text in feedback:
        node = ET.SubElement(item, "itemfeedback", {"ident": ident_fb})
        flow = ET.SubElement(node, "flow_mat")
        _mattext(flow, text)


def assessment(quiz: Quiz, work: bool = True) -> tuple:
    """(assessment identifier, XML text)."""
    aid = _ident(quiz, "assessment")
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    test = ET.SubElement(root, "assessment", {"ident": aid,
                                              "title": f"{quiz.title} (hwsolve)"})
    meta = ET.SubElement(test, "qtimetadata")
    _field(meta, "cc_maxattempts", "1")
    section = ET.SubElement(test, "section", {"ident": "root_section"})
    shown = {v.number: H.work(v) if work else "" for v in quiz.variants}
    entries = [e.entry for e in quiz.variants[0].entries] if quiz.variants else []
    for index, entry in enumerate(entries):
        group = ET.SubElement(section, "section", {"ident": _ident(quiz, "group", index),
                                                   "title": entry})
        selection = ET.SubElement(ET.SubElement(group, "selection_ordering"), "selection")
        ET.SubElement(selection, "selection_number").text = "1"
        extension = ET.SubElement(selection, "selection_extension")
        ET.SubElement(extension, "points_per_item").text = "1"
        for variant in quiz.variants:
            _item(group, quiz, variant, index, shown[variant.number])
    ET.indent(root, "  ")
    return aid, '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def manifest(quiz: Quiz, aid: str) -> str:
    root = ET.Element("manifest", {
        "identifier": _ident(quiz, "manifest"), "xmlns": CP_NS, "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd"})
    meta = ET.SubElement(root, "metadata")
    ET.SubElement(meta, "schema").text = "IMS Content"
    ET.SubElement(meta, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    resource = ET.SubElement(resources, "resource", {"identifier": aid,
                                                     "type": "imsqti_xmlv1p2"})
    ET.SubElement(resource, "file", {"href": f"{aid}/{aid}.xml"})
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def package(quiz: Quiz, work: bool = True) -> bytes:
    """The QTI zip Canvas imports."""
    aid, text = assessment(quiz, work)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("imsmanifest.xml", manifest(quiz, aid)), (f"{aid}/{aid}.xml", text)):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode("utf-8"))
    return buffer.getvalue()
