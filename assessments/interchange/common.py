"""What a question file becomes before it touches the database.

Both readers (GIFT, Moodle XML) produce ``ParsedQuestion`` objects and a list of ``ParseProblem``
(one per question that could not be read, with where it is); both writers take the same
objects. Nothing here imports Django models, so the formats are tested on their own.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
TRUE_FALSE = "true_false"
SHORT_ANSWER = "short_answer"
MATCHING = "matching"
NUMERICAL = "numerical"
ESSAY = "essay"
DESCRIPTION = "description"
TYPES = (
    SINGLE_CHOICE,
    MULTIPLE_CHOICE,
    TRUE_FALSE,
    SHORT_ANSWER,
    MATCHING,
    NUMERICAL,
    ESSAY,
    DESCRIPTION,
)

# Text formats, as Moodle names them. "moodle" is plain text in which HTML is allowed and
# line breaks count.
FRACTION_STEP = Decimal("0.0000001")  # as many places as Moodle keeps
FORMATS = ("html", "moodle", "plain", "markdown")

# Tags that carry what neither format has a field for, so a round trip keeps them.
COMPETENCE_TAG = "nang-luc:"
LEVEL_TAG = "bac:"


UNREADABLE = "Không đọc được câu hỏi này; câu này được bỏ qua."


class Refused(ValueError):
    """One question that cannot be read; the message is Vietnamese, for the importer."""


def default_name(text: str, position: int) -> str:
    """A name for a question the file left unnamed: the start of its text, without markup."""
    plain = re.sub(r"<[^<>]*>", " ", text[:2000])
    return re.sub(r"\s+", " ", plain).strip()[:60] or f"Câu {position}"


@dataclass
class ParsedAnswer:
    text: str
    fraction: Decimal  # -1 … 1
    feedback: str = ""
    tolerance: Decimal | None = None  # numerical answers only


@dataclass
class ParsedPair:
    prompt: str  # empty: an extra answer that matches no prompt (a distractor)
    answer: str


@dataclass
class ParsedFile:
    name: str
    content: bytes


@dataclass
class ParsedQuestion:
    qtype: str
    name: str
    text: str
    text_format: str = "html"
    category: tuple[str, ...] = ()
    general_feedback: str = ""
    default_mark: Decimal = Decimal("1")
    answers: list[ParsedAnswer] = field(default_factory=list)
    pairs: list[ParsedPair] = field(default_factory=list)
    shuffle_answers: bool = True
    case_sensitive: bool = False
    ignore_diacritics: bool = False
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    competence: str = ""  # a competence code of the current framework, e.g. "1.1"
    level: int | None = None  # 1 … 8
    correct_feedback: str = ""
    partial_feedback: str = ""
    incorrect_feedback: str = ""
    files: list[ParsedFile] = field(default_factory=list)
    line: int | None = None
    position: int = 0  # 1-based, among the questions of the file

    def where(self) -> str:
        return where(self.line, self.position)


@dataclass
class ParseProblem:
    line: int | None
    position: int
    message: str  # Vietnamese, for the person importing
    name: str = ""

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "position": self.position,
            "name": self.name,
            "message": self.message,
            "where": where(self.line, self.position),
        }


@dataclass
class ParseResult:
    format: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)


def where(line: int | None, position: int) -> str:
    if line:
        return f"dòng {line} (câu {position})"
    return f"câu {position}"


def split_meta_tags(tags: list[str]) -> tuple[list[str], str, int | None]:
    """Separate the competence and level tags from the ordinary ones."""
    plain, competence, level = [], "", None
    for tag in tags:
        lowered = tag.lower()
        if lowered.startswith(COMPETENCE_TAG):
            competence = tag[len(COMPETENCE_TAG) :].strip()
        elif lowered.startswith(LEVEL_TAG) and tag[len(LEVEL_TAG) :].strip().isdigit():
            level = int(tag[len(LEVEL_TAG) :].strip())
        elif tag.strip():
            plain.append(tag.strip())
    return plain, competence, level


def meta_tags(question: ParsedQuestion) -> list[str]:
    tags = list(question.tags)
    if question.competence:
        tags.append(f"{COMPETENCE_TAG}{question.competence}")
    if question.level:
        tags.append(f"{LEVEL_TAG}{question.level}")
    return tags


# Numbers in answers and tolerances stay below a billion and above a billionth: enough for
# any quiz, and far from the exponents (1e999999999) that make decimal arithmetic overflow.
NUMBER_LIMIT = Decimal(10) ** 9


def number(text: str) -> Decimal:
    """A number from a question file; ValueError (with a Vietnamese message) otherwise."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"“{text.strip()[:30]}” không phải là một số.") from error
    # adjusted() first: abs() of 1e999999999 would itself overflow the decimal context.
    if not value.is_finite() or value.adjusted() >= 9 or abs(value) >= NUMBER_LIMIT:
        raise ValueError(f"“{text.strip()[:30]}” không phải là một số hợp lệ (quá lớn).")
    if value and value.adjusted() < -9:
        value = Decimal(0)
    return value


def fraction_from_percent(text: str) -> Decimal:
    """ "50" → 0.5, "-33.33333" → -0.3333333; refuses what is not a number in -100 … 100."""
    value = Decimal(text.strip())
    if not value.is_finite() or value < -100 or value > 100:
        raise ValueError(text)
    return (value / 100).quantize(FRACTION_STEP)


def percent_text(fraction: Decimal) -> str:
    """0.5 → "50", 0.3333333 → "33.33333": what both formats write."""
    value = (fraction * 100).normalize()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
