import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, pgettext

from . import grading, rendering
from .models import Attempt, AttemptAnswer, Competence, Question, Quiz, QuizGrade, QuizSlot

QUESTIONS_VERSION = "assessments:questions:version"
QUESTIONS_TTL = 600


def questions_changed(**_kwargs) -> None:
    """Forget every cached question: now, and again when the transaction commits (a request
    that read the old rows in between would otherwise keep them under the new version)."""

    def bump():
        cache.set(QUESTIONS_VERSION, time.time_ns(), None)

    bump()
    transaction.on_commit(bump)


def quiz_with_slots(quiz_id: int) -> Quiz | None:
    """The quiz with its places in order (and their categories), for starting an attempt."""
    slots = QuizSlot.objects.select_related("random_category").order_by("sort_order")
    return (
        Quiz.objects.prefetch_related(Prefetch("slots", queryset=slots)).filter(pk=quiz_id).first()
    )


def questions_of(ids) -> dict[int, Question]:
    """These questions with their answers, pairs and files, by id: one set of queries for
    those not in the cache, then none until a question changes. A quiz start burst draws the
    same questions for everyone; starting, opening, saving and submitting an attempt read
    them here. Two levels, as ``courses.caching.cached_many``: this process's memory, then
    the shared cache; the version is asked of the shared cache every time."""
    ids = set(ids)
    if not ids:
        return {}
    version = cache.get_or_set(QUESTIONS_VERSION, time.time_ns, None)
    if _kept.get(VERSION) != version:
        _kept.clear()  # only the current version's questions are ever asked for again
        _kept[VERSION] = version
    keys = {pk: f"assessments:question:{version}:{pk}" for pk in ids}
    now = time.monotonic()
    result = {}
    for pk, key in keys.items():
        deadline, question = _kept.get(key, (0, None))
        if deadline > now:
            result[pk] = question
    wanted = [keys[pk] for pk in ids - set(result)]
    if wanted:
        found = cache.get_many(wanted)
        result.update({pk: found[key] for pk, key in keys.items() if key in found})
        _keep(found)
    missing = ids - set(result)
    if missing:
        fresh = Question.objects.prefetch_related("answers", "pairs", "files__image").in_bulk(
            missing
        )
        values = {keys[pk]: question for pk, question in fresh.items()}
        cache.set_many(values, QUESTIONS_TTL)
        _keep(values)
        result.update(fresh)
    return result


# This process's copy of the current version's questions: unpickling seven questions with
# their answers for each autosave cost more than the save. Shared by the process's
# requests, so nothing may change them; kept as long as in the shared cache at most.
_kept: dict = {}
VERSION = "version"
KEPT_QUESTIONS = 5000


def _keep(values: dict) -> None:
    if len(_kept) + len(values) > KEPT_QUESTIONS:
        version = _kept.get(VERSION)
        _kept.clear()
        _kept[VERSION] = version
    deadline = time.monotonic() + QUESTIONS_TTL
    _kept.update({key: (deadline, question) for key, question in values.items()})


def current_competences() -> QuerySet[Competence]:
    """Component competences of the current framework, in framework order."""
    return Competence.objects.filter(
        framework__is_current=True, kind=Competence.Kind.COMPETENCE
    ).order_by("sort_order")


def competence_choices() -> list[tuple[str, str]]:
    """(code, "code name") of the current framework's competences, for filter menus.

    Cached for ten minutes per language: the framework changes a few times a year, and the
    catalogue shows this menu on every view.
    """
    key = f"assessments:competence-choices:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = [(c.code, str(c)) for c in current_competences()]
        cache.set(key, choices, 600)
    return choices


# Attempts ----------------------------------------------------------------------------------


@dataclass
class Option:
    index: int
    html: str
    checked: bool
    correct: bool | None = None  # in a review that shows answers
    feedback: str = ""


@dataclass
class Prompt:
    index: int
    html: str
    selected: int | None
    right_answer: str = ""
    is_right: bool | None = None


@dataclass
class SlotView:
    slot: int
    number: int | None  # descriptions are not numbered
    qtype: str
    text: str
    mark: Decimal
    options: list[Option] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    menu: list[tuple[int, str]] = field(default_factory=list)
    value: str = ""
    answered: bool = False
    fraction: Decimal | None = None
    awarded: Decimal | None = None
    needs_grading: bool = False
    feedback: list[str] = field(default_factory=list)
    right_texts: list[str] = field(default_factory=list)
    grader_comment: str = ""


@dataclass
class Sheet:
    attempt: Attempt
    slots: list[SlotView]
    show_feedback: bool
    show_answers: bool
    remaining_seconds: int | None

    @property
    def answered(self) -> int:
        return sum(1 for slot in self.slots if slot.answered)

    @property
    def remaining_text(self) -> str:
        seconds = self.remaining_seconds or 0
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    @property
    def questions(self) -> int:
        return sum(1 for slot in self.slots if slot.number is not None)


def review_rules(attempt: Attempt, grade: QuizGrade | None, closed: int, any_open: bool):
    """Whether the review shows feedback (with each question's marks) and the correct answers.

    Never while this or any other attempt at the quiz is open: a learner must not read
    answers in one tab and type them in another. "Once passed or out of attempts" counts
    only submitted attempts.
    """
    if attempt.is_open or any_open:
        return False, False
    quiz = attempt.quiz
    final = bool(grade and grade.passed) or bool(
        quiz.attempts_allowed and closed >= quiz.attempts_allowed
    )

    def allowed(rule: str) -> bool:
        if rule == Quiz.Review.AFTER_SUBMIT:
            return True
        return rule == Quiz.Review.AFTER_FINAL and final

    return allowed(quiz.show_feedback), allowed(quiz.show_correct_answers)


def attempt_sheet(attempt: Attempt, *, now=None) -> Sheet:
    """What the attempt page shows. While the attempt is open it holds the questions, the
        choices in this attempt's order and the learner's saved responses, and nothing that gives
        an answer away: no answer ids, no credit, no feedback. In one query while the questions
    are in the cache (``questions_of``), four when they are not."""
    now = now or timezone.now()
    grade = None
    closed, any_open = 0, attempt.is_open
    if not attempt.is_open:
        grade = QuizGrade.objects.filter(user_id=attempt.user_id, quiz_id=attempt.quiz_id).first()
        states = Attempt.objects.filter(
            user_id=attempt.user_id, quiz_id=attempt.quiz_id
        ).values_list("state", flat=True)
        closed = sum(1 for state in states if state != Attempt.State.IN_PROGRESS)
        any_open = closed < len(states)
    show_feedback, show_answers = review_rules(attempt, grade, closed, any_open)
    answers = list(attempt.answers.all())
    questions = questions_of(answer.question_id for answer in answers)
    slots = []
    number = 0
    for answer in answers:
        question = questions[answer.question_id]
        files = {item.name: item.image.file.url for item in question.files.all()}
        numbered = question.qtype != Question.Type.DESCRIPTION
        number += numbered
        view = SlotView(
            slot=answer.slot,
            number=number if numbered else None,
            qtype=question.qtype,
            text=rendering.render(question.text, question.text_format, files),
            mark=answer.mark,
            answered=grading.is_answered(answer.response),
        )
        _fill(view, question, answer, files)
        if not attempt.is_open:
            _review(view, question, answer, files, show_feedback, show_answers)
        slots.append(view)
    remaining = None
    if attempt.is_open and attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - now).total_seconds()))
    return Sheet(attempt, slots, show_feedback, show_answers, remaining)


def _fill(view: SlotView, question: Question, answer: AttemptAnswer, files) -> None:
    response = answer.response or {}
    layout = answer.layout or {}
    if question.qtype in (Question.Type.SINGLE_CHOICE, Question.Type.MULTIPLE_CHOICE):
        texts = {item.pk: item.text for item in question.answers.all()}
        picked = set(response.get("choices", [])) | {response.get("choice")}
        view.options = [
            Option(index, rendering.render_inline(texts.get(pk, ""), files), index in picked)
            for index, pk in enumerate(layout.get("choices", []))
        ]
    elif question.qtype == Question.Type.TRUE_FALSE:
        labels = [pgettext("quiz", "True"), pgettext("quiz", "False")]
        view.options = [
            Option(index, labels[index], response.get("choice") == index) for index in range(2)
        ]
    elif question.qtype == Question.Type.MATCHING:
        prompts = {pair.pk: pair.prompt for pair in question.pairs.all()}
        chosen = response.get("pairs", {})
        view.menu = list(enumerate(layout.get("options", [])))
        view.prompts = [
            Prompt(
                index, rendering.render_inline(prompts.get(pk, ""), files), chosen.get(str(index))
            )
            for index, pk in enumerate(layout.get("prompts", []))
        ]
    else:
        view.value = response.get("text", "")


def _review(view, question, answer, files, show_feedback: bool, show_answers: bool) -> None:
    view.needs_grading = answer.needs_grading
    if show_feedback or show_answers:
        # Right or wrong per question gives answers away (true/false above all): shown only
        # when the quiz lets feedback or answers be seen.
        view.fraction, view.awarded = answer.fraction, answer.awarded
    view.grader_comment = answer.grader_comment
    layout = answer.layout or {}
    outcome = grading.grade(question, layout, answer.response)
    by_id = {item.pk: item for item in question.answers.all()}
    right = grading.correct_answers(question, layout)
    if show_answers:
        ids = layout.get("choices", [])
        for option in view.options:
            option.correct = (
                ids[option.index] in right.get("ids", []) if option.index < len(ids) else None
            )
        for prompt, text in zip(view.prompts, right.get("pairs", []), strict=False):
            prompt.right_answer = text
            chosen = prompt.selected
            prompt.is_right = chosen is not None and layout["options"][chosen] == text
        view.right_texts = right.get("texts", [])
    if show_feedback:
        ids = layout.get("choices", [])
        for option in view.options:
            pk = ids[option.index] if option.index < len(ids) else None
            if option.checked and pk in by_id and by_id[pk].feedback:
                option.feedback = rendering.render_inline(by_id[pk].feedback, files)
        if question.qtype in (Question.Type.SHORT_ANSWER, Question.Type.NUMERICAL):
            view.feedback += [
                rendering.render_inline(by_id[pk].feedback, files)
                for pk in outcome.chosen
                if by_id[pk].feedback
            ]
        overall = _overall_feedback(question, answer.fraction)
        if overall:
            view.feedback.append(rendering.render(overall, "html", files))
        if question.general_feedback:
            view.feedback.append(
                rendering.render(question.general_feedback, question.text_format, files)
            )


def _overall_feedback(question: Question, fraction: Decimal | None) -> str:
    if fraction is None:
        return ""
    if fraction >= 1:
        return question.correct_feedback
    return question.partial_feedback if fraction > 0 else question.incorrect_feedback


@dataclass
class QuizSummary:
    """What a lesson shows about one quiz for one learner."""

    quiz: Quiz
    open_attempt: Attempt | None
    last_closed: Attempt | None
    used: int
    grade: Decimal | None  # under the quiz's grading method, as QuizGrade keeps it

    @property
    def passed(self) -> bool:
        return self.grade is not None and self.grade >= self.quiz.pass_mark

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.attempts_allowed:
            return None
        return max(0, self.quiz.attempts_allowed - self.used)

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and self.attempts_left != 0

    @property
    def waiting_for_teacher(self) -> bool:
        return bool(self.last_closed and self.last_closed.state == Attempt.State.NEEDS_GRADING)


def quiz_summaries(*, user, quizzes: list[Quiz]) -> dict[int, QuizSummary]:
    """Per quiz: the learner's open attempt, last submitted one, attempts used and grade,
    in one query (the quizzes come from the lesson's body, already loaded)."""
    if not quizzes:
        return {}
    attempts: dict[int, list[Attempt]] = {quiz.pk: [] for quiz in quizzes}
    if user.is_authenticated:
        mine = Attempt.objects.filter(user=user, quiz_id__in=list(attempts)).order_by("number")
        for attempt in mine:
            attempts[attempt.quiz_id].append(attempt)
    summaries = {}
    for quiz in quizzes:
        own = attempts[quiz.pk]
        closed = [attempt for attempt in own if not attempt.is_open]
        graded = [attempt.percent for attempt in closed if attempt.state == Attempt.State.GRADED]
        summaries[quiz.pk] = QuizSummary(
            quiz=quiz,
            open_attempt=next((attempt for attempt in own if attempt.is_open), None),
            last_closed=closed[-1] if closed else None,
            used=len(own),
            grade=grading.grade_of(quiz, graded),
        )
    return summaries


# Item analysis and the skill profile ---------------------------------------------------------


@dataclass
class ItemRow:
    question: Question
    answers: int
    facility: float  # mean credit, 0…1: how easy the question was
    discrimination: float | None  # correlation with the rest of the quiz, -1…1


@dataclass
class Analysis:
    attempts: int
    mean_percent: float | None
    rows: list[ItemRow]


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / (var_x * var_y) ** 0.5


def item_analysis(*, quiz: Quiz, attempts: QuerySet[Attempt] | None = None) -> Analysis:
    """Facility and discrimination of each question over graded attempts (by default all of
    the quiz's; teachers pass their own students'). Discrimination correlates a question's
    credit with the score on the rest of the attempt, so an item does not explain itself."""
    if attempts is None:
        attempts = Attempt.objects.filter(quiz=quiz)
    attempts = attempts.filter(state=Attempt.State.GRADED)
    rows = list(
        AttemptAnswer.objects.filter(attempt__in=attempts, mark__gt=0, fraction__isnull=False)
        .values_list("attempt_id", "question_id", "fraction", "mark")
        .order_by("attempt_id", "slot")
    )
    totals: dict[int, list[float]] = {}
    for attempt_id, _question, fraction, mark in rows:
        got, worth = totals.setdefault(attempt_id, [0.0, 0.0])
        totals[attempt_id] = [got + float(fraction * mark), worth + float(mark)]
    items: dict[int, tuple[list[float], list[float]]] = {}
    for attempt_id, question_id, fraction, mark in rows:
        got, worth = totals[attempt_id]
        rest_worth = worth - float(mark)
        rest = (got - float(fraction * mark)) / rest_worth if rest_worth else 0.0
        credits, rests = items.setdefault(question_id, ([], []))
        credits.append(float(fraction))
        rests.append(rest)
    questions = Question.objects.in_bulk(list(items))
    result = [
        ItemRow(
            question=questions[pk],
            answers=len(credits),
            facility=sum(credits) / len(credits),
            discrimination=_correlation(credits, rests),
        )
        for pk, (credits, rests) in items.items()
    ]
    result.sort(key=lambda row: row.facility)
    percents = [got / worth * 100 for got, worth in totals.values() if worth]
    return Analysis(
        attempts=len(totals),
        mean_percent=sum(percents) / len(percents) if percents else None,
        rows=result,
    )


MASTERY = Decimal("0.7")


@dataclass
class SkillRow:
    competence: Competence
    level: int  # 0: no level shown yet
    evidence: int  # graded answers behind it

    @property
    def steps(self) -> list[bool]:
        return [number <= self.level for number in range(1, 9)]


@dataclass
class SkillDomain:
    domain: Competence
    rows: list[SkillRow]


def skill_profile(*, user) -> list[SkillDomain]:
    """ "Hồ sơ năng lực số": per competence of the current framework, the highest level at
    which the learner's graded answers average at least 70% credit. Two queries."""
    evidence = (
        AttemptAnswer.objects.filter(
            attempt__user=user,
            attempt__state=Attempt.State.GRADED,
            fraction__isnull=False,
            mark__gt=0,
            question__competence__framework__is_current=True,
            question__level__isnull=False,
        )
        .values("question__competence_id", "question__level")
        .annotate(answers=Count("pk"), mean=Avg("fraction"))
    )
    levels: dict[int, int] = {}
    counts: dict[int, int] = {}
    for row in evidence:
        competence = row["question__competence_id"]
        counts[competence] = counts.get(competence, 0) + row["answers"]
        if Decimal(str(row["mean"])) >= MASTERY:
            levels[competence] = max(levels.get(competence, 0), row["question__level"])
    domains: list[SkillDomain] = []
    for item in Competence.objects.filter(framework__is_current=True).order_by("sort_order"):
        if item.kind == Competence.Kind.DOMAIN:
            domains.append(SkillDomain(item, []))
        elif domains:
            domains[-1].rows.append(SkillRow(item, levels.get(item.pk, 0), counts.get(item.pk, 0)))
    return domains


def right_responses(attempt: Attempt) -> dict[int, dict]:
    """The responses of a learner who knows every answer, by slot: for the demo data and the
    benchmarks, which must take quizzes the way a person does (through the same services)."""
    responses: dict[int, dict] = {}
    rows = attempt.answers.select_related("question").prefetch_related(
        "question__answers", "question__pairs"
    )
    for row in rows:
        question, layout = row.question, row.layout or {}
        answers = {answer.pk: answer for answer in question.answers.all()}
        right = grading.correct_answers(question, layout)
        if question.qtype in (Question.Type.SINGLE_CHOICE, Question.Type.TRUE_FALSE):
            best = max(layout["choices"], key=lambda pk: answers[pk].fraction)
            responses[row.slot] = {"choice": layout["choices"].index(best)}
        elif question.qtype == Question.Type.MULTIPLE_CHOICE:
            picks = [i for i, pk in enumerate(layout["choices"]) if answers[pk].fraction > 0]
            responses[row.slot] = {"choices": picks}
        elif question.qtype in (Question.Type.SHORT_ANSWER, Question.Type.NUMERICAL):
            responses[row.slot] = {"text": right["texts"][0] if right["texts"] else ""}
        elif question.qtype == Question.Type.MATCHING:
            options = layout["options"]
            responses[row.slot] = {
                "pairs": {str(i): options.index(text) for i, text in enumerate(right["pairs"])}
            }
    return responses
