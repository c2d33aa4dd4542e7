"""Attempts: start, autosave, submit, grade, and a teacher's marks for essays.

The server's clock is the only clock. An attempt's ``deadline`` is fixed when it starts;
saves that arrive later than ``GRACE`` after it are refused and the attempt is closed with
what was saved in time, whatever the browser says the time is. Every write locks the attempt
row first, so a double-clicked or re-sent submit is graded once: the second call finds the
attempt closed and returns it unchanged.
"""

import logging
import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import grading
from ..models import Attempt, AttemptAnswer, Question, QuestionCategory, Quiz, QuizGrade
from ..selectors import questions_of
from ..signals import attempt_graded
from .grades import grade_recompute

logger = logging.getLogger(__name__)

# Network time for an autosave sent just before the deadline to arrive.
GRACE = timedelta(seconds=20)
HUNDRED = Decimal(100)


class AttemptError(Exception):
    """A refused action; the message is for the learner."""


def _pool(slot) -> list[int]:
    questions = Question.objects.exclude(qtype=Question.Type.DESCRIPTION)
    if slot.random_category_id:
        category: QuestionCategory = slot.random_category
        categories = [category.pk]
        if slot.include_subcategories:
            categories += QuestionCategory.objects.filter(
                bank_id=category.bank_id, path__startswith=f"{category.path}/"
            ).values_list("pk", flat=True)
        questions = questions.filter(category_id__in=categories)
    else:
        questions = questions.filter(competence_id=slot.random_competence_id)
        if slot.random_level:
            questions = questions.filter(level=slot.random_level)
    return list(questions.order_by("pk").values_list("pk", flat=True))


def _slots(quiz: Quiz) -> list:
    """The quiz's places in order: as prefetched with it (``selectors.quiz_with_slots``, a
    quiz kept in the cache), else in one query."""
    if "slots" in getattr(quiz, "_prefetched_objects_cache", {}):
        return list(quiz.slots.all())
    return list(quiz.slots.select_related("random_category").order_by("sort_order"))


def _draw(quiz: Quiz, rng: random.Random) -> list[tuple[int, Decimal | None]]:
    """(question id, slot mark) for each place in a new attempt, without repeats."""
    chosen: list[tuple[int, Decimal | None]] = []
    used: set[int] = set()
    for slot in _slots(quiz):
        if slot.question_id:
            picks = [slot.question_id] if slot.question_id not in used else []
        else:
            pool = [pk for pk in _pool(slot) if pk not in used]
            picks = rng.sample(pool, min(slot.count, len(pool)))
        for pk in picks:
            used.add(pk)
            chosen.append((pk, slot.mark))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def attempt_start(
    *, user, quiz: Quiz, context_id: int | None = None, now: datetime | None = None
) -> Attempt:
    """The learner's open attempt at ``quiz``, or a new one if they have attempts left.

    Two starts at once (two tabs, a double tap) end with one attempt: the partial unique
    constraint lets only one open attempt exist, and the loser returns the winner's.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The learner's attempts at this quiz (a handful), locked: the open one and how many
        # there were, in one read.
        mine = list(Attempt.objects.select_for_update().filter(user=user, quiz=quiz).order_by("pk"))
        current = next((a for a in mine if a.state == Attempt.State.IN_PROGRESS), None)
        if current is not None:
            if not _overdue(current, now):
                return current
            _finish(current, now=now, by_timer=True)
        earlier = {"count": len(mine), "top": max((a.number for a in mine), default=0)}
        if quiz.attempts_allowed and earlier["count"] >= quiz.attempts_allowed:
            raise AttemptError(_("You have used all your attempts at this quiz."))
        rng = random.Random(secrets.randbits(64))  # noqa: S311 (an order, not a secret)
        drawn = _draw(quiz, rng)
        if not drawn:
            raise AttemptError(_("This quiz has no questions yet. Please tell your teacher."))
        questions = questions_of(pk for pk, _mark in drawn)
        worth = [
            Decimal(0) if not questions[pk].graded else mark or questions[pk].default_mark
            for pk, mark in drawn
        ]
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    user=user,
                    context_id=context_id,
                    number=(earlier["top"] or 0) + 1,
                    started_at=now,
                    deadline=(
                        now + timedelta(minutes=quiz.time_limit_minutes)
                        if quiz.time_limit_minutes
                        else None
                    ),
                    max_marks=sum(worth, Decimal(0)),
                )
                AttemptAnswer.objects.bulk_create(
                    AttemptAnswer(
                        attempt=attempt,
                        slot=slot,
                        question=questions[pk],
                        mark=mark,
                        layout=grading.make_layout(questions[pk], rng),
                    )
                    for slot, ((pk, _slot_mark), mark) in enumerate(
                        zip(drawn, worth, strict=True), start=1
                    )
                )
        except IntegrityError:
            attempt = Attempt.objects.get(user=user, quiz=quiz, state=Attempt.State.IN_PROGRESS)
    return attempt


def _lock(attempt: Attempt, *, related: bool = True) -> Attempt:
    """The attempt's row, locked until the transaction ends (with its quiz and learner when
    ``related``). Where ``attempt.user_id`` is given, only that learner's: a view may hand
    over the id and the learner alone, and anyone else's raises ``Attempt.DoesNotExist``."""
    rows = Attempt.objects.select_for_update(of=("self",))
    if related:
        rows = rows.select_related("quiz", "user")
    if attempt.user_id is not None:
        rows = rows.filter(user_id=attempt.user_id)
    return rows.get(pk=attempt.pk)


def _with_questions(answers) -> list[AttemptAnswer]:
    """The answers, each with its question (answers and pairs loaded) from the cache."""
    answers = list(answers)
    questions = questions_of(answer.question_id for answer in answers)
    for answer in answers:
        answer.question = questions[answer.question_id]
    return answers


def _store(attempt: Attempt, responses: dict[int, object], now: datetime, answers=None) -> int:
    """Writes only the answers that changed (``saved_at``: when each last changed): an autosave
    sends the whole form, and usually one answer in it is new. ``answers``: all the attempt's,
    with their questions, when the caller has them (a submission grades them next)."""
    if answers is None:
        answers = _with_questions(attempt.answers.filter(slot__in=list(responses)))
    else:
        answers = [answer for answer in answers if answer.slot in responses]
    changed, first = [], []  # a new response; the same (empty) one, saved for the first time
    for answer in answers:
        response = grading.clean_response(answer.question, answer.layout, responses[answer.slot])
        # A question still blank is not a change, whatever shape its blank takes ({"text":
        # ""} against the None it started with): a first save writes it in one statement.
        blank = not grading.is_answered(response) and not grading.is_answered(answer.response)
        if response != answer.response and not blank:
            answer.response, answer.saved_at = response, now
            changed.append(answer)
        elif answer.saved_at is None:
            answer.saved_at = now
            first.append(answer.pk)
    if first:
        AttemptAnswer.objects.filter(pk__in=first).update(saved_at=now)
    if len(changed) > FEW:
        AttemptAnswer.objects.bulk_update(changed, ["response", "saved_at"])
    for answer in changed if len(changed) <= FEW else ():
        AttemptAnswer.objects.filter(pk=answer.pk).update(response=answer.response, saved_at=now)
    return len(answers)


# Up to this many rows are updated one statement each: Django composes ``bulk_update`` as a
# CASE per column and row, which cost more than the rest of an autosave for one answer.
FEW = 4


def _update_alike(answers: list[AttemptAnswer], fields: list[str]) -> None:
    """Write ``fields`` of the answers, one UPDATE per set of equal values: a quiz's answers
    are mostly right or wrong, so a submission takes two or three plain statements."""
    alike: dict[tuple, list[int]] = {}
    for answer in answers:
        alike.setdefault(tuple(getattr(answer, name) for name in fields), []).append(answer.pk)
    for values, pks in alike.items():
        AttemptAnswer.objects.filter(pk__in=pks).update(**dict(zip(fields, values, strict=True)))


def attempt_save(
    *, attempt: Attempt, responses: dict[int, object], now: datetime | None = None
) -> int:
    """Autosave: store the responses given (by slot). Returns how many slots were saved.

    A save that comes after the deadline closes the attempt with what was saved in time; the
    close commits before the learner is told, so it is not undone by the refusal.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(attempt, related=False)  # an autosave needs neither quiz nor learner
        if not locked.is_open:
            refusal = _("This attempt has already been submitted.")
        elif _overdue(locked, now):
            _finish(locked, now=now, by_timer=True)
            refusal = _("Time is up. Your attempt was submitted with the answers saved in time.")
        else:
            return _store(locked, responses, now)
    raise AttemptError(refusal)


def attempt_submit(
    *, attempt: Attempt, responses: dict[int, object] | None = None, now: datetime | None = None
) -> Attempt:
    """Store the last responses (if still in time) and grade. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(attempt)
        if not locked.is_open:
            return locked
        late = _overdue(locked, now)
        answers = _with_questions(locked.answers.all())  # read once: stored, then graded
        if responses and not late:
            _store(locked, responses, now, answers)
        return _finish(locked, now=now, by_timer=late, answers=answers)


def _finish(attempt: Attempt, *, now: datetime, by_timer: bool, answers=None) -> Attempt:
    if answers is None:
        answers = _with_questions(attempt.answers.all())
    for answer in answers:
        outcome = grading.grade(answer.question, answer.layout, answer.response)
        answer.fraction = outcome.fraction
        answer.needs_grading = outcome.fraction is None
        answer.awarded = None if outcome.fraction is None else outcome.fraction * answer.mark
    _update_alike(answers, ["fraction", "needs_grading", "awarded"])
    attempt.submitted_at = min(now, attempt.deadline + GRACE) if by_timer else now
    attempt.closed_by_timer = by_timer
    if any(answer.needs_grading for answer in answers):
        attempt.state = Attempt.State.NEEDS_GRADING
        attempt.save(update_fields=["submitted_at", "closed_by_timer", "state"])
        return attempt
    return _graded(attempt, answers, now)


def _graded(attempt: Attempt, answers: list[AttemptAnswer], now: datetime) -> Attempt:
    attempt.marks = sum((answer.awarded or Decimal(0) for answer in answers), Decimal(0))
    attempt.max_marks = sum((answer.mark for answer in answers), Decimal(0))
    if attempt.max_marks:
        attempt.percent = (attempt.marks / attempt.max_marks * HUNDRED).quantize(Decimal("0.01"))
    else:
        attempt.percent = HUNDRED
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark
    attempt.state = Attempt.State.GRADED
    attempt.graded_at = now
    attempt.save(
        update_fields=[
            "marks", "max_marks", "percent", "passed", "state", "graded_at", "submitted_at",
            "closed_by_timer",
        ]
    )  # fmt: skip
    grade_update(user=attempt.user, quiz=attempt.quiz)
    # In the same transaction: the lesson progress it leads to commits with the grade, or
    # neither does. No crash between the two can leave a passed quiz without its lesson.
    attempt_graded.send(sender=Attempt, attempt=attempt)
    return attempt


def grade_update(*, user, quiz: Quiz) -> None:
    """Recompute the learner's grade for the quiz under its grading method (locked first:
    ``grade_recompute``)."""
    grade_recompute(QuizGrade, lambda: _grade_values(user, quiz), user=user, quiz=quiz)


def _grade_values(user, quiz: Quiz) -> dict | None:
    percents = list(
        Attempt.objects.filter(user=user, quiz=quiz, state=Attempt.State.GRADED)
        .order_by("number")
        .values_list("percent", flat=True)
    )
    percent = grading.grade_of(quiz, percents)
    if percent is None:
        return None
    return {
        "percent": percent,
        "passed": percent >= quiz.pass_mark,
        "attempts_graded": len(percents),
        "updated_at": timezone.now(),
    }


@transaction.atomic
def answer_grade(
    *, answer: AttemptAnswer, mark: Decimal, grader, comment: str = "", now: datetime | None = None
) -> Attempt:
    """A teacher's mark for an essay. When the attempt has nothing left to grade, it is
    graded and the learner's result counts (lesson progress, completion)."""
    now = now or timezone.now()
    attempt = _lock(answer.attempt)
    answer = AttemptAnswer.objects.select_related("question").get(pk=answer.pk)
    if attempt.is_open:
        raise AttemptError(_("The learner has not submitted this attempt yet."))
    if answer.question.qtype != Question.Type.ESSAY:
        raise AttemptError(_("Only essays are graded by hand."))
    if mark < 0 or mark > answer.mark:
        raise AttemptError(
            _("The mark must be between 0 and %(max)s.") % {"max": floatformat(answer.mark, "-3")}
        )
    answer.awarded = mark
    answer.fraction = (mark / answer.mark) if answer.mark else Decimal(0)
    answer.needs_grading = False
    answer.graded_by = grader
    answer.graded_at = now
    answer.grader_comment = comment.strip()[:5000]
    answer.save()
    answers = list(attempt.answers.all())
    if any(item.needs_grading for item in answers):
        return attempt
    return _graded(attempt, answers, now)


def attempts_close_overdue(*, now: datetime | None = None) -> int:
    """Submit every open attempt whose time ran out (learners who never came back)."""
    now = now or timezone.now()
    closed = 0
    overdue = Attempt.objects.filter(
        state=Attempt.State.IN_PROGRESS, deadline__lt=now - GRACE
    ).values_list("pk", flat=True)
    for pk in list(overdue[:1000]):
        try:
            with transaction.atomic():
                attempt = _lock(Attempt(pk=pk))
                if attempt.is_open and _overdue(attempt, now):
                    _finish(attempt, now=now, by_timer=True)
                    closed += 1
        except Exception:
            # One attempt that cannot be graded must not keep the others open.
            logger.exception("Could not close overdue attempt %s", pk)
    return closed
