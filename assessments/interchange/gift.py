"""GIFT, Moodle's plain-text question format: a reader and a writer.

The reader follows Moodle's own (question/format/gift/format.php) where the format is loose:
questions are separated by blank lines, ``//`` starts a comment line, ``$CATEGORY:`` switches
category, ``::title::`` and ``[format]`` come before the text, and the answer block ``{…}``
decides the type. Totara's ``// [id:…]`` and ``// [tag:…]`` comment lines carry an id number
and tags. Escaped control characters (``\\~ \\= \\# \\{ \\} \\: \\\\``) are swapped for private-use
characters before any splitting, so no split ever cuts an escaped one.
"""

import re
from decimal import Decimal, InvalidOperation

from . import common as c

_CODES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004"}
_CODES |= {"}": "\ue005", ":": "\ue006", "n": "\ue008"}  # \n: a line break inside a text
_DECODE = {code: ("\n" if char == "n" else char) for char, code in _CODES.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_META = re.compile(r"\[(id|tag):([^\]]+)\]")
_TRUE_FALSE = re.compile(r"^(T|TRUE|F|FALSE)\s*(?:#(.*))?$", re.S)
_CATEGORY = re.compile(r"^\$CATEGORY:\s*(.*)$")
_CATEGORY_PREFIXES = ("$course$", "$system$", "$module$", "$cat1$", "$cat2$", "top")
_OPTION_TAGS = {
    "tuy-chon:phan-biet-hoa-thuong": "case_sensitive",
    "tuy-chon:bo-qua-dau": "ignore_diacritics",
}


def _encode(text: str) -> str:
    return _ESCAPE.sub(lambda match: _CODES[match.group(1)], text)


def _decode(text: str) -> str:
    for code, char in _DECODE.items():
        text = text.replace(code, char)
    return text


def _clean(text: str) -> str:
    return _decode(text).strip()


def category_path(raw: str) -> tuple[str, ...]:
    """ "$course$/top/Default for X/Sub" → ("Default for X", "Sub"); "//" is a literal slash."""
    parts = [part.replace("\ue007", "/").strip() for part in raw.replace("//", "\ue007").split("/")]
    parts = [part for part in parts if part]
    while parts and parts[0] in _CATEGORY_PREFIXES:
        parts.pop(0)
    return tuple(parts)


def _blocks(text: str):
    """Yield (first line number, encoded block text, meta comments) for each question.

    As in Moodle, a blank line always ends a question, even inside an unclosed ``{``: so a
    missing ``}`` spoils one question, not every question after it.
    """
    lines = _encode(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")).split("\n")
    block: list[str] = []
    start = 0
    meta: list[tuple[str, str]] = []
    pending_meta: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            pending_meta.extend(_META.findall(_decode(stripped)))
            continue
        if not stripped:
            if block:
                yield start, "\n".join(block), meta
                block, meta = [], []
            continue
        if not block:
            start = number
            meta, pending_meta = pending_meta, []
        block.append(line)
    if block:
        yield start, "\n".join(block), meta


def _split_feedback(text: str) -> tuple[str, str]:
    body, _, feedback = text.partition("#")
    return body, feedback


def _strip_format(text: str) -> str:
    return _FORMAT.sub("", text, count=1)


def _pieces(inner: str) -> list[tuple[str, Decimal | None, str]]:
    """Split an answer block into (marker, weight or None, rest) at each unescaped = or ~."""
    pieces = []
    for piece in re.split(r"(?=[=~])", inner):
        if not piece.strip():
            continue
        marker, rest = piece[0], piece[1:]
        if marker not in "=~":
            raise c.Refused(
                f"Không hiểu phần đáp án “{_clean(piece)[:40]}”: mỗi đáp án bắt đầu bằng = hoặc ~."
            )
        weight = None
        match = _WEIGHT.match(rest)
        if match:
            try:
                weight = c.fraction_from_percent(match.group(1))
            except (ValueError, InvalidOperation) as error:
                raise c.Refused(
                    f"Tỉ lệ điểm %{match.group(1)}% phải nằm trong khoảng -100 đến 100."
                ) from error
            rest = rest[match.end() :]
        pieces.append((marker, weight, rest))
    return pieces


def _number(text: str) -> tuple[Decimal, Decimal]:
    """ "1822:5" → (1822, 5); "1..5" → (3, 2); "3.14" → (3.14, 0)."""
    text = _decode(text).strip()
    try:
        if ".." in text:
            low, high = (c.number(part) for part in text.split("..", 1))
            low, high = min(low, high), max(low, high)
            return (low + high) / 2, (high - low) / 2
        value, _, tolerance = text.partition(":")
        return c.number(value), abs(c.number(tolerance or "0"))
    except ValueError as error:
        raise c.Refused(f"Đáp án số “{text[:30]}” không phải là một số hợp lệ.") from error


def _numerical(inner: str) -> list[c.ParsedAnswer]:
    body = inner[1:].strip()
    if not body:
        raise c.Refused("Câu hỏi số không có đáp án.")
    if body[0] not in "=~":
        body = "=" + body  # "{#3:2}", or Moodle's "{#3:2~#wrong}" with an any-other-answer
    answers = []
    for marker, weight, rest in _pieces(body):
        value, feedback = _split_feedback(rest)
        if marker == "~" or value.strip() == "*":
            answers.append(
                c.ParsedAnswer("*", weight or Decimal(0), _clean(_strip_format(feedback)))
            )
            continue
        number, tolerance = _number(value)
        fraction = Decimal(1) if weight is None else weight
        answers.append(
            c.ParsedAnswer(str(number), fraction, _clean(_strip_format(feedback)), tolerance)
        )
    return answers


def _question(
    block: str, line: int, meta, category: tuple[str, ...], position: int
) -> c.ParsedQuestion:
    text = block.strip()
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise c.Refused("Tên câu hỏi mở bằng :: nhưng không có :: đóng.")
        title, text = text[2:end], text[end + 2 :]
    text = text.lstrip()
    text_format = "moodle"
    match = _FORMAT.match(text)
    if match:
        text_format, text = match.group(1), text[match.end() :]
    question = c.ParsedQuestion(
        qtype=c.DESCRIPTION, name=_clean(title), text="", text_format=text_format
    )
    question.category, question.line, question.position = category, line, position
    for kind, value in meta:
        if kind == "id":
            question.idnumber = value.strip()
        else:
            question.tags.append(value.strip())
    question.tags, question.competence, question.level = c.split_meta_tags(question.tags)
    for tag, option in _OPTION_TAGS.items():
        if tag in question.tags:
            question.tags.remove(tag)
            setattr(question, option, True)
    opening = text.find("{")
    if opening == -1:
        if "}" in text:
            raise c.Refused("Có dấu } mà không có dấu { mở phần đáp án.")
        question.text = _clean(text)
        return _named(question)
    closing = text.find("}", opening)
    if closing == -1:
        raise c.Refused("Phần đáp án mở bằng { nhưng thiếu dấu } đóng.")
    before, inner, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    if "{" in after:
        raise c.Refused("Câu hỏi có nhiều ô trả lời trong một đoạn (cloze) chưa được hỗ trợ.")
    question.text = _clean(f"{before.rstrip()} _____ {after.lstrip()}" if after.strip() else before)
    inner = inner.strip()
    general = inner.find("####")
    if general != -1:
        question.general_feedback = _clean(_strip_format(inner[general + 4 :]))
        inner = inner[:general].strip()
    _answers(question, inner)
    return _named(question)


def _answers(question: c.ParsedQuestion, inner: str) -> None:
    if not inner:
        question.qtype = c.ESSAY
        return
    if inner.startswith("#"):
        question.qtype, question.answers = c.NUMERICAL, _numerical(inner)
        return
    true_false = _TRUE_FALSE.match(inner)
    if true_false and "~" not in inner:
        is_true = true_false.group(1).startswith("T")
        wrong, _, right = (true_false.group(2) or "").partition("#")
        wrong, right = _clean(_strip_format(wrong)), _clean(_strip_format(right))
        question.qtype = c.TRUE_FALSE
        question.answers = [
            c.ParsedAnswer("true", Decimal(is_true), right if is_true else wrong),
            c.ParsedAnswer("false", Decimal(not is_true), wrong if is_true else right),
        ]
        return
    if inner[0] not in "=~":
        inner = "=" + inner  # one correct short answer needs no "=" (Moodle reads it so)
    pieces = _pieces(inner)
    if not pieces:
        raise c.Refused("Phần đáp án không có đáp án nào.")
    if any(marker == "~" for marker, _, _ in pieces):
        single = any(marker == "=" for marker, _, _ in pieces)
        question.qtype = c.SINGLE_CHOICE if single else c.MULTIPLE_CHOICE
        for marker, weight, rest in pieces:
            body, feedback = _split_feedback(rest)
            fraction = weight if weight is not None else Decimal(marker == "=")
            question.answers.append(
                c.ParsedAnswer(
                    _clean(_strip_format(body)), fraction, _clean(_strip_format(feedback))
                )
            )
        if len(question.answers) < 2:
            raise c.Refused("Câu trắc nghiệm cần ít nhất hai lựa chọn.")
        if not any(answer.fraction > 0 for answer in question.answers):
            raise c.Refused("Câu trắc nghiệm không có lựa chọn nào được điểm.")
        return
    if "->" in inner:
        question.qtype = c.MATCHING
        for _, _, rest in pieces:
            prompt, arrow, answer = rest.partition("->")
            if not arrow:
                raise c.Refused(f"Cặp ghép “{_clean(rest)[:40]}” thiếu dấu ->.")
            question.pairs.append(c.ParsedPair(_clean(_strip_format(prompt)), _clean(answer)))
        if sum(1 for pair in question.pairs if pair.prompt) < 2:
            raise c.Refused("Câu ghép đôi cần ít nhất hai cặp.")
        return
    question.qtype = c.SHORT_ANSWER
    for _, weight, rest in pieces:
        body, feedback = _split_feedback(rest)
        fraction = Decimal(1) if weight is None else weight
        question.answers.append(
            c.ParsedAnswer(_clean(_strip_format(body)), fraction, _clean(_strip_format(feedback)))
        )
    if not any(answer.fraction > 0 for answer in question.answers):
        raise c.Refused("Câu trả lời ngắn không có đáp án nào được điểm.")


def _named(question: c.ParsedQuestion) -> c.ParsedQuestion:
    question.name = question.name or c.default_name(question.text, question.position)
    return question


def parse(text: str) -> c.ParseResult:
    """Read a GIFT file. A question that cannot be read is a problem; the rest still come."""
    result = c.ParseResult(format="gift")
    category: tuple[str, ...] = ()
    position = 0
    for line, block, meta in _blocks(text):
        stripped = block.strip()
        first, _, rest = stripped.partition("\n")
        heading = _CATEGORY.match(_decode(first).strip())
        if heading:
            category = category_path(heading.group(1))
            if not rest.strip():
                continue
            stripped, line = rest, line + 1
        position += 1
        try:
            result.questions.append(_question(stripped, line, meta, category, position))
        except (c.Refused, ArithmeticError, ValueError) as refusal:
            name = stripped[2 : stripped.find("::", 2)] if stripped.startswith("::") else ""
            message = str(refusal) if isinstance(refusal, c.Refused) else c.UNREADABLE
            result.problems.append(c.ParseProblem(line, position, message, _clean(name[:200])))
    return result


# Writing -----------------------------------------------------------------------------------


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _weight(fraction: Decimal) -> str:
    return f"%{c.percent_text(fraction)}%"


def _feedback(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def _answer_block(question: c.ParsedQuestion) -> str | None:
    kind = question.qtype
    if kind == c.DESCRIPTION:
        return None
    if kind == c.ESSAY:
        return ""
    if kind == c.TRUE_FALSE:
        true = next(a for a in question.answers if a.text == "true")
        false = next(a for a in question.answers if a.text == "false")
        right, wrong = (true, false) if true.fraction > 0 else (false, true)
        feedbacks = (
            f"#{escape(wrong.feedback)}#{escape(right.feedback)}"
            if (right.feedback or wrong.feedback)
            else ""
        )
        return ("TRUE" if true.fraction > 0 else "FALSE") + feedbacks
    if kind == c.MATCHING:
        return "\n".join(
            f"={escape(pair.prompt)} -> {escape(pair.answer)}" for pair in question.pairs
        )
    lines = []
    if kind == c.NUMERICAL:
        for answer in question.answers:
            feedback = _feedback(answer.feedback)
            if answer.text == "*":
                lines.append(f"~{_weight(answer.fraction) if answer.fraction else ''}{feedback}")
                continue
            tolerance = f":{format(answer.tolerance.normalize(), 'f')}" if answer.tolerance else ""
            weight = "" if answer.fraction == 1 else _weight(answer.fraction)
            number = format(Decimal(answer.text).normalize(), "f")
            lines.append(f"={weight}{number}{tolerance}{feedback}")
        return "#\n" + "\n".join(lines)
    best = max((answer.fraction for answer in question.answers), default=Decimal(0))
    for answer in question.answers:
        body = escape(answer.text) + _feedback(answer.feedback)
        if kind == c.SHORT_ANSWER:
            lines.append(f"={'' if answer.fraction == 1 else _weight(answer.fraction)}{body}")
        elif kind == c.SINGLE_CHOICE and answer.fraction == best and best > 0:
            lines.append(f"={'' if answer.fraction == 1 else _weight(answer.fraction)}{body}")
            best = Decimal(2)  # only the first best answer is written with "="
        else:
            lines.append(f"~{_weight(answer.fraction) if answer.fraction else ''}{body}")
    return "\n".join(lines)


def write(questions: list[c.ParsedQuestion]) -> str:
    """Questions as GIFT text, with a $CATEGORY line wherever the category changes."""
    out: list[str] = []
    category: tuple[str, ...] | None = None
    for question in questions:
        if question.category != category:
            category = question.category
            path = "/".join(part.replace("/", "//") for part in category)
            out.append(f"$CATEGORY: $course$/top/{path}\n")
        meta = []
        if question.idnumber:
            meta.append(f"[id:{question.idnumber}]")
        tags = c.meta_tags(question)
        tags += [tag for tag, option in _OPTION_TAGS.items() if getattr(question, option)]
        meta += [f"[tag:{tag}]" for tag in tags]
        head = f"// {' '.join(meta)}\n" if meta else ""
        text = f"::{escape(question.name)}::[{question.text_format}]{escape(question.text)}"
        block = _answer_block(question)
        general = f"\n####{escape(question.general_feedback)}" if question.general_feedback else ""
        if block is None:
            out.append(f"{head}{text}\n")
        elif not block:
            out.append(f"{head}{text}{{{general.strip()}}}\n")
        else:
            out.append(f"{head}{text}{{\n{block}{general}\n}}\n")
    return "\n".join(out)
