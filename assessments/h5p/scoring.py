"""The maximum score a package allows, read from its own parameters (content.json).

Only for content types whose maximum follows plainly from what the author wrote; for any
other type the caller takes the maximum from the first scored statement and holds every
later one to it. Each rule mirrors the type's own ``getMaxScore``.
"""

import re

BLANK = re.compile(r"\*[^*\n]+\*")


def _count_blanks(text) -> int:
    return len(BLANK.findall(text)) if isinstance(text, str) else 0


def _multichoice(params: dict) -> int | None:
    answers = params.get("answers")
    if not isinstance(answers, list):
        return None
    behaviour = params.get("behaviour") if isinstance(params.get("behaviour"), dict) else {}
    if behaviour.get("singlePoint"):
        return 1
    correct = sum(1 for answer in answers if isinstance(answer, dict) and answer.get("correct"))
    if behaviour.get("type") == "single" or correct == 0:
        return 1
    return correct


def max_score(library: str, params) -> int | None:
    """``library`` is a machine name ("H5P.MultiChoice"); None when the type does not say."""
    if not isinstance(params, dict):
        return None
    if library == "H5P.TrueFalse":
        return 1
    if library == "H5P.MultiChoice":
        return _multichoice(params)
    if library == "H5P.Blanks":
        questions = params.get("questions")
        if not isinstance(questions, list):
            return None
        return sum(_count_blanks(question) for question in questions) or None
    if library in ("H5P.DragText", "H5P.MarkTheWords"):
        return _count_blanks(params.get("textField")) or None
    if library == "H5P.SingleChoiceSet":
        choices = params.get("choices")
        return len(choices) if isinstance(choices, list) and choices else None
    if library == "H5P.QuestionSet":
        questions = params.get("questions")
        if not isinstance(questions, list) or not questions:
            return None
        total = 0
        for question in questions:
            if not isinstance(question, dict) or not isinstance(question.get("library"), str):
                return None
            part = max_score(question["library"].split(" ")[0], question.get("params"))
            if part is None:
                return None
            total += part
        return total
    return None
