"""Writes of learning state: enrol, complete a lesson, complete a course."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage, LessonPage
from courses.selectors import course_of, lessons_of

from . import permissions, selectors
from .models import CompletionRuleVersion, CourseCompletion, Enrolment, LessonProgress
from .signals import course_completed


class LearningError(Exception):
    """A refused action; the message is for the learner."""


@transaction.atomic
def enrolment_create(*, user, course: CoursePage, source: str = Enrolment.Source.SELF) -> Enrolment:
    """Enrol ``user`` in ``course``. Enrolling twice returns the first enrolment."""
    if source == Enrolment.Source.SELF:
        existing = Enrolment.objects.filter(user=user, course=course).first()
        if existing:
            return existing
        refusal = permissions.enrol_refusal(user, course)
        if refusal:
            raise LearningError(refusal)
    enrolment, _created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"course_title": course.title, "source": source}
    )
    completion_evaluate(user=user, course=course)
    return enrolment


def rule_version_current(*, course: CoursePage) -> CompletionRuleVersion:
    """The course's completion rule as published now, as a numbered version.

    A new version is written only when the published rule differs from the last one.
    """
    required = sorted(lesson.pk for lesson in lessons_of([course])[course.pk] if lesson.required)
    latest = CompletionRuleVersion.objects.filter(course=course).order_by("-version").first()
    if (
        latest is not None
        and latest.required_lesson_ids == required
        and latest.min_score == course.completion_min_score
    ):
        return latest
    try:
        with transaction.atomic():
            return CompletionRuleVersion.objects.create(
                course=course,
                version=(latest.version + 1) if latest else 1,
                required_lesson_ids=required,
                min_score=course.completion_min_score,
            )
    except IntegrityError:
        # Another request wrote the same new version a moment ago.
        return CompletionRuleVersion.objects.filter(course=course).order_by("-version").first()


@transaction.atomic
def completion_evaluate(*, user, course: CoursePage) -> CourseCompletion | None:
    """Complete the course if every required lesson of the current rule is done.

    Idempotent: an existing completion is returned unchanged, whatever the rule says now.
    The ``course_completed`` event is sent once, after commit, by the call that created it.
    """
    existing = CourseCompletion.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing
    rule = rule_version_current(course=course)
    if not rule.required_lesson_ids:
        return None
    done = LessonProgress.objects.filter(user=user, lesson_id__in=rule.required_lesson_ids).count()
    if done < len(rule.required_lesson_ids):
        return None
    completion, created = CourseCompletion.objects.get_or_create(
        user=user,
        course=course,
        defaults={"course_title": course.title, "rule": rule, "completed_at": timezone.now()},
    )
    if created:
        transaction.on_commit(
            lambda: course_completed.send(sender=CourseCompletion, completion=completion)
        )
    return completion


@transaction.atomic
def lesson_complete(*, user, lesson: LessonPage) -> CourseCompletion | None:
    """Mark ``lesson`` done for ``user`` and, in the same transaction, complete the course if
    this was the last required lesson. Returns the course completion, if there is one.
    """
    course = course_of(lesson)
    if not isinstance(course, CoursePage) or not lesson.live:
        raise LearningError(_("This lesson is not part of a published course."))
    state = selectors.course_state(user=user, course=course)
    if state.enrolment is None:
        raise LearningError(_("Enrol in the course first."))
    lesson_state = state.lesson(lesson.pk)
    if lesson_state is None or not lesson_state.unlocked:
        raise LearningError(_("Complete the previous lessons first."))
    LessonProgress.objects.get_or_create(
        user=user,
        lesson=lesson,
        defaults={"lesson_title": lesson.title, "completed_at": timezone.now()},
    )
    return completion_evaluate(user=user, course=course)
