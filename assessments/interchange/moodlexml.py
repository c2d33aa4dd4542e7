"""Moodle XML: a reader and a writer.

The reader uses defusedxml, which refuses DTDs and entity declarations (billion laughs,
external entities) before anything is expanded. ElementTree keeps no line numbers, so each
``<question`` tag's line is found in the raw text, with comments and CDATA blanked out first
so that text inside them cannot shift the count.
"""

import base64
import binascii
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from . import common as c
from .gift import category_path

_TYPES = {
    "truefalse": c.TRUE_FALSE,
    "shortanswer": c.SHORT_ANSWER,
    "matching": c.MATCHING,
    "numerical": c.NUMERICAL,
    "essay": c.ESSAY,
    "description": c.DESCRIPTION,
}
_NAMES = {
    "multichoice": "trắc nghiệm",
    "cloze": "điền khuyết nhiều ô (cloze)",
    "multianswer": "điền khuyết nhiều ô (cloze)",
    "gapselect": "chọn từ điền vào chỗ trống",
    "ddwtos": "kéo thả từ vào văn bản",
    "ddimageortext": "kéo thả lên hình",
    "ddmarker": "đánh dấu trên hình",
    "calculated": "tính toán",
    "calculatedmulti": "trắc nghiệm tính toán",
    "calculatedsimple": "tính toán đơn giản",
    "randomsamatch": "ghép đôi ngẫu nhiên",
    "ordering": "sắp xếp thứ tự",
}
_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
_QUESTION_TAG = re.compile(r"<question\b")
_OPTION_TAG = "tuy-chon:bo-qua-dau"


_HIDDEN_PARTS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"))


def _blanked(text: str) -> str:
    """The text with comments, CDATA sections and processing instructions replaced by their
    line breaks only. Linear: each kind's next opening is looked up again only once the scan
    has passed it (a regex, or a fresh search each time, rescans the whole file)."""
    out, position = [], 0
    upcoming = {opening: text.find(opening) for opening, _closing in _HIDDEN_PARTS}
    closings = dict(_HIDDEN_PARTS)
    while True:
        for opening, found in upcoming.items():
            if found != -1 and found < position:
                upcoming[opening] = text.find(opening, position)
        waiting = [(found, opening) for opening, found in upcoming.items() if found != -1]
        if not waiting:
            out.append(text[position:])
            return "".join(out)
        start, opening = min(waiting)
        end = text.find(closings[opening], start + len(opening))
        end = len(text) if end == -1 else end + len(closings[opening])
        out.append(text[position:start])
        out.append("\n" * text.count("\n", start, end))
        position = end


def _question_lines(text: str) -> list[int]:
    blanked = _blanked(text)
    return [blanked.count("\n", 0, match.start()) + 1 for match in _QUESTION_TAG.finditer(blanked)]


def _text(element: Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path) if path else element
    return (found.text or "").strip() if found is not None else ""


def _files(element: Element | None) -> list[c.ParsedFile]:
    files = []
    for node in element.iter("file") if element is not None else ():
        if node.get("encoding", "base64") != "base64" or not node.get("name"):
            continue
        try:
            content = base64.b64decode("".join((node.text or "").split()), validate=True)
        except (binascii.Error, ValueError) as error:
            raise c.Refused(
                f"Tệp đính kèm “{node.get('name')}” không giải mã được (base64 hỏng)."
            ) from error
        files.append(c.ParsedFile(node.get("name"), content))
    return files


def _bool(element: Element, tag: str, default: bool) -> bool:
    value = _text(element, tag) if element.find(tag) is not None else ""
    if not value:
        return default
    return value.lower() in {"1", "true", "yes"}


def _decimal(text: str, what: str) -> Decimal:
    try:
        return c.number(text)
    except ValueError as error:
        raise c.Refused(f"{what}: {error}") from error


def _fraction(node: Element) -> Decimal:
    try:
        return c.fraction_from_percent(node.get("fraction", "0"))
    except (ValueError, InvalidOperation) as error:
        raise c.Refused(
            f"Tỉ lệ điểm “{node.get('fraction')}” phải là số từ -100 đến 100."
        ) from error


def _question(node: Element, kind: str, category: tuple[str, ...]) -> c.ParsedQuestion:
    if kind == "multichoice":
        qtype = c.SINGLE_CHOICE if _bool(node, "single", True) else c.MULTIPLE_CHOICE
    elif kind in _TYPES:
        qtype = _TYPES[kind]
    else:
        name = _NAMES.get(kind, kind or "?")
        raise c.Refused(f"Loại câu hỏi “{name}” chưa được hỗ trợ; câu này được bỏ qua.")
    text_node = node.find("questiontext")
    question = c.ParsedQuestion(
        qtype=qtype,
        name=_text(node.find("name")),
        text=_text(text_node),
        text_format=_FORMATS.get(
            text_node.get("format", "html") if text_node is not None else "html", "html"
        ),
        category=category,
        general_feedback=_text(node.find("generalfeedback")),
        idnumber=_text(node, "idnumber"),
        shuffle_answers=_bool(node, "shuffleanswers", True),
        case_sensitive=_bool(node, "usecase", False),
        correct_feedback=_text(node.find("correctfeedback")),
        partial_feedback=_text(node.find("partiallycorrectfeedback")),
        incorrect_feedback=_text(node.find("incorrectfeedback")),
    )
    mark = _text(node, "defaultgrade")
    if mark:
        question.default_mark = _decimal(mark, "Điểm mặc định")
        if not 0 <= question.default_mark < 1000:
            raise c.Refused("Điểm mặc định phải từ 0 đến dưới 1000.")
    tags = [_text(tag) for tag in node.iterfind("tags/tag")]
    question.tags, question.competence, question.level = c.split_meta_tags(tags)
    if _OPTION_TAG in question.tags:
        question.tags.remove(_OPTION_TAG)
        question.ignore_diacritics = True
    question.files = _files(text_node) + _files(node.find("generalfeedback"))
    if qtype == c.MATCHING:
        for sub in node.iterfind("subquestion"):
            question.pairs.append(c.ParsedPair(_text(sub), _text(sub.find("answer"))))
            question.files += _files(sub)
        if sum(1 for pair in question.pairs if pair.prompt) < 2:
            raise c.Refused("Câu ghép đôi cần ít nhất hai cặp.")
        return question
    if qtype in (c.ESSAY, c.DESCRIPTION):
        return question  # Moodle writes a placeholder <answer> for essays; it means nothing
    for answer in node.iterfind("answer"):
        parsed = c.ParsedAnswer(_text(answer), _fraction(answer), _text(answer.find("feedback")))
        if qtype == c.NUMERICAL:
            if parsed.text != "*":
                parsed.text = str(_decimal(parsed.text, "Đáp án số"))
            tolerance = _text(answer, "tolerance")
            parsed.tolerance = (
                abs(_decimal(tolerance, "Sai số cho phép")) if tolerance else Decimal(0)
            )
        if qtype == c.TRUE_FALSE:
            parsed.text = parsed.text.lower()
        question.answers.append(parsed)
        question.files += _files(answer)
    _check(question)
    return question


def _check(question: c.ParsedQuestion) -> None:
    kind, answers = question.qtype, question.answers
    if kind == c.TRUE_FALSE and sorted(a.text for a in answers) != ["false", "true"]:
        raise c.Refused("Câu đúng/sai phải có đúng hai đáp án “true” và “false”.")
    if kind in (c.SINGLE_CHOICE, c.MULTIPLE_CHOICE) and len(answers) < 2:
        raise c.Refused("Câu trắc nghiệm cần ít nhất hai lựa chọn.")
    if kind in (c.SINGLE_CHOICE, c.MULTIPLE_CHOICE, c.SHORT_ANSWER, c.NUMERICAL) and not any(
        answer.fraction > 0 for answer in answers
    ):
        raise c.Refused("Câu hỏi không có đáp án nào được điểm.")


def parse(data: bytes) -> c.ParseResult:
    """Read a Moodle XML file; a question that cannot be read is a problem, the rest still come."""
    result = c.ParseResult(format="moodlexml")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        position = getattr(error, "position", None)
        line = position[0] if position else None
        reason = (
            "có khai báo DTD hoặc thực thể, không được phép"
            if isinstance(error, DefusedXmlException)
            else "XML hỏng"
        )
        result.problems.append(c.ParseProblem(line, 0, f"Không đọc được tệp Moodle XML: {reason}."))
        return result
    if root.tag != "quiz":
        result.problems.append(c.ParseProblem(1, 0, "Tệp Moodle XML phải bắt đầu bằng thẻ <quiz>."))
        return result
    lines = _question_lines(data.decode("utf-8", errors="replace"))
    category: tuple[str, ...] = ()
    position = 0
    for index, node in enumerate(root.iter("question")):
        line = lines[index] if index < len(lines) else None
        kind = node.get("type", "")
        if kind == "category":
            category = category_path(_text(node.find("category")))
            continue
        position += 1
        try:
            question = _question(node, kind, category)
        except (c.Refused, ArithmeticError, ValueError) as refusal:
            message = str(refusal) if isinstance(refusal, c.Refused) else c.UNREADABLE
            name = _text(node.find("name"))[:200]
            result.problems.append(c.ParseProblem(line, position, message, name))
            continue
        question.line, question.position = line, position
        question.name = question.name or c.default_name(question.text, position)
        result.questions.append(question)
    return result


# Writing -----------------------------------------------------------------------------------

_FORMAT_NAMES = {ours: theirs for theirs, ours in _FORMATS.items()}


def _text_node(
    parent: Element, tag: str, text: str, text_format: str | None = "html", files=()
) -> Element:
    node = SubElement(parent, tag)
    if text_format:
        node.set("format", _FORMAT_NAMES.get(text_format, "html"))
    SubElement(node, "text").text = text
    for file in files:
        item = SubElement(node, "file", name=file.name, path="/", encoding="base64")
        item.text = base64.b64encode(file.content).decode("ascii")
    return node


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _write_question(quiz: Element, question: c.ParsedQuestion) -> None:
    kind = {v: k for k, v in _TYPES.items()}.get(question.qtype, "multichoice")
    node = SubElement(quiz, "question", type=kind)
    _text_node(node, "name", question.name, None)
    _text_node(node, "questiontext", question.text, question.text_format, question.files)
    _text_node(node, "generalfeedback", question.general_feedback)
    SubElement(node, "defaultgrade").text = _number(question.default_mark)
    SubElement(node, "idnumber").text = question.idnumber
    if question.qtype in (c.SINGLE_CHOICE, c.MULTIPLE_CHOICE):
        SubElement(node, "single").text = "true" if question.qtype == c.SINGLE_CHOICE else "false"
    if question.qtype in (c.SINGLE_CHOICE, c.MULTIPLE_CHOICE, c.MATCHING):
        SubElement(node, "shuffleanswers").text = "true" if question.shuffle_answers else "false"
        _text_node(node, "correctfeedback", question.correct_feedback)
        _text_node(node, "partiallycorrectfeedback", question.partial_feedback)
        _text_node(node, "incorrectfeedback", question.incorrect_feedback)
    if question.qtype == c.SHORT_ANSWER:
        SubElement(node, "usecase").text = "1" if question.case_sensitive else "0"
    for pair in question.pairs:
        sub = _text_node(node, "subquestion", pair.prompt)
        _text_node(sub, "answer", pair.answer, None)
    for answer in question.answers:
        item = _text_node(
            node, "answer", answer.text, "moodle" if question.qtype == c.NUMERICAL else "html"
        )
        item.set("fraction", c.percent_text(answer.fraction))
        _text_node(item, "feedback", answer.feedback)
        if question.qtype == c.NUMERICAL:
            SubElement(item, "tolerance").text = _number(answer.tolerance or Decimal(0))
    tags = c.meta_tags(question) + ([_OPTION_TAG] if question.ignore_diacritics else [])
    if tags:
        holder = SubElement(node, "tags")
        for tag in tags:
            SubElement(SubElement(holder, "tag"), "text").text = tag
    for empty in node.iter("text"):
        if empty.text is None:
            empty.text = ""


def write(questions: list[c.ParsedQuestion]) -> bytes:
    quiz = Element("quiz")
    category: tuple[str, ...] | None = None
    for question in questions:
        if question.category != category:
            category = question.category
            holder = SubElement(SubElement(quiz, "question", type="category"), "category")
            path = "/".join(part.replace("/", "//") for part in category)
            SubElement(holder, "text").text = f"$course$/top/{path}"
        _write_question(quiz, question)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="unicode").encode(
        "utf-8"
    )
