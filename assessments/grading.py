"""How one response to one question is read and scored. Pure functions, no queries.

The browser never sees answer ids: each attempt answer has a ``layout`` (the order the
choices were shown in) and the response names positions in it. A response that is not of the
question's shape is read as no answer, never as an error that could lose the others.
"""

import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .models import Answer, Question

SHORT_TEXT_MAX = 255
ESSAY_MAX = 20_000
ZERO, ONE = Decimal(0), Decimal(1)
T = Question.Type


def fold(text: str, *, case_sensitive: bool = False, ignore_diacritics: bool = False) -> str:
    """Text as a short answer is compared: NFC, spaces collapsed, optionally without case and
    without diacritics ("Kỹ Năng Số" → "ky nang so"; đ becomes d)."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
    if ignore_diacritics:
        text = text.replace("đ", "d").replace("Đ", "D")
        decomposed = unicodedata.normalize("NFD", text)
        text = unicodedata.normalize(
            "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        )
    return text if case_sensitive else text.casefold()


def wildcard_match(pattern: str, given: str) -> bool:
    """``*`` in an accepted answer stands for any run of characters, as in Moodle.

    Greedy two-pointer matching, linear in practice: a regex of ``.*`` pieces backtracks for
    seconds on a pattern with a few stars and a long answer.
    """
    p = g = 0
    star, mark = -1, 0
    while g < len(given):
        if p < len(pattern) and pattern[p] != "*" and pattern[p] == given[g]:
            p += 1
            g += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, g
            p += 1
        elif star != -1:
            p, mark = star + 1, mark + 1
            g = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def parse_number(text: str) -> Decimal | None:
    """A number as Vietnamese and English speakers type it: "3,5", "3.5", "1.234,5",
    "1,234.5", "-2". None for anything else."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text or "")
    if not text or len(text) > 40:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", text, flags=re.I):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    # "1e999999999" is a number too, but one that overflows the comparison: nobody types it.
    if not value.is_finite() or (value and not -12 <= value.adjusted() <= 12):
        return None
    return value


def make_layout(question: Question, rng: random.Random) -> dict:
    """The order choices are shown in for one attempt (answer or pair ids; texts for the
    matching menu)."""
    answers = list(question.answers.all())
    if question.qtype in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        ids = [answer.pk for answer in answers]
        if question.shuffle_answers:
            rng.shuffle(ids)
        return {"choices": ids}
    if question.qtype == T.TRUE_FALSE:
        by_text = {answer.text.strip().lower(): answer.pk for answer in answers}
        if "true" in by_text and "false" in by_text:
            return {"choices": [by_text["true"], by_text["false"]]}
        return {"choices": [answer.pk for answer in answers[:2]]}  # an older, odd question
    if question.qtype == T.MATCHING:
        pairs = list(question.pairs.all())
        options = sorted({pair.answer for pair in pairs})
        rng.shuffle(options)
        return {"prompts": [pair.pk for pair in pairs if pair.prompt], "options": options}
    return {}


def clean_response(question: Question, layout: dict, raw) -> dict | None:
    """Keep only what fits the question; anything else is "no answer"."""
    kind = question.qtype
    choices = len(layout.get("choices", []))
    try:
        if kind in (T.SINGLE_CHOICE, T.TRUE_FALSE):
            index = int(raw["choice"])
            return {"choice": index} if 0 <= index < choices else None
        if kind == T.MULTIPLE_CHOICE:
            picked = sorted({int(value) for value in raw["choices"]})
            return {"choices": [index for index in picked if 0 <= index < choices]}
        if kind in (T.SHORT_ANSWER, T.NUMERICAL):
            return {"text": str(raw["text"])[:SHORT_TEXT_MAX]}
        if kind == T.ESSAY:
            return {"text": str(raw["text"])[:ESSAY_MAX]}
        if kind == T.MATCHING:
            prompts, options = len(layout["prompts"]), len(layout["options"])
            pairs = {}
            for key, value in dict(raw["pairs"]).items():
                if value in ("", None):
                    continue
                prompt, option = int(key), int(value)
                if 0 <= prompt < prompts and 0 <= option < options:
                    pairs[str(prompt)] = option
            return {"pairs": pairs}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def is_answered(response: dict | None) -> bool:
    if not response:
        return False
    return any(
        (value.strip() if isinstance(value, str) else value) not in ("", [], {}, None)
        for value in response.values()
    )


@dataclass
class Outcome:
    fraction: Decimal | None  # None: a teacher must grade it
    chosen: list[int] = field(default_factory=list)  # answer ids whose feedback applies


def _clamp(value: Decimal) -> Decimal:
    return max(ZERO, min(ONE, value))


def _matching_answer(question: Question, answers: list[Answer], given: str) -> Answer | None:
    if question.qtype == T.NUMERICAL:
        number = parse_number(given)
        for answer in answers:
            if answer.text.strip() == "*":
                return answer
            if number is None:
                continue
            try:
                target = Decimal(answer.text)
            except InvalidOperation:
                continue
            if abs(number - target) <= (answer.tolerance or ZERO):
                return answer
        return None
    options = {"case_sensitive": question.case_sensitive}
    options["ignore_diacritics"] = question.ignore_diacritics
    typed = fold(given, **options)
    if not typed:
        return None
    for answer in answers:
        if wildcard_match(fold(answer.text, **options), typed):
            return answer
    return None


def grade(question: Question, layout: dict, response: dict | None) -> Outcome:
    """Score one response, from -1…1 credit per answer to a fraction of 0…1 for the slot."""
    kind = question.qtype
    answers = list(question.answers.all())
    by_id = {answer.pk: answer for answer in answers}
    if kind == T.DESCRIPTION:
        return Outcome(ZERO)
    if kind == T.ESSAY:
        return Outcome(None if is_answered(response) else ZERO)
    if not is_answered(response):
        return Outcome(ZERO)
    if kind in (T.SINGLE_CHOICE, T.TRUE_FALSE, T.MULTIPLE_CHOICE):
        indexes = [response["choice"]] if "choice" in response else response.get("choices", [])
        chosen = [layout["choices"][index] for index in indexes]
        total = sum((by_id[pk].fraction for pk in chosen if pk in by_id), ZERO)
        return Outcome(_clamp(total), [pk for pk in chosen if pk in by_id])
    if kind in (T.SHORT_ANSWER, T.NUMERICAL):
        match = _matching_answer(question, answers, response.get("text", ""))
        if match is None:
            return Outcome(ZERO)
        return Outcome(_clamp(match.fraction), [match.pk])
    if kind == T.MATCHING:
        pairs = {pair.pk: pair for pair in question.pairs.all()}
        prompts, options = layout["prompts"], layout["options"]
        if not prompts:
            return Outcome(ZERO)
        right = sum(
            1
            for position, pair_id in enumerate(prompts)
            if pair_id in pairs
            and str(position) in response["pairs"]
            and options[response["pairs"][str(position)]] == pairs[pair_id].answer
        )
        return Outcome(Decimal(right) / Decimal(len(prompts)))
    return Outcome(ZERO)


def grade_of(quiz, percents: list[Decimal]) -> Decimal | None:
    """The grade that counts, from graded attempts' percents in attempt order, under the
    quiz's grading method (highest, last, first, average). None before any graded attempt."""
    if not percents:
        return None
    method = quiz.grading_method
    if method == "last":
        return percents[-1]
    if method == "first":
        return percents[0]
    if method == "average":
        return (sum(percents, ZERO) / len(percents)).quantize(Decimal("0.01"))
    return max(percents)


def correct_answers(question: Question, layout: dict) -> dict:
    """What the review shows as right, once the quiz allows it."""
    answers = list(question.answers.all())
    if question.qtype == T.MATCHING:
        pairs = {pair.pk: pair for pair in question.pairs.all()}
        return {"pairs": [pairs[pk].answer for pk in layout.get("prompts", []) if pk in pairs]}
    if question.qtype in (T.SHORT_ANSWER, T.NUMERICAL):
        best = [a for a in answers if a.fraction == ONE and a.text.strip() != "*"]
        return {"texts": [a.text for a in best or answers if a.fraction > 0]}
    return {"ids": [a.pk for a in answers if a.fraction > 0]}
