"""Writes of learning state: enrol, complete lessons and courses, freeze completion rules."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import H5PActivity, H5PGrade, Quiz, QuizGrade
from courses.caching import cached
from courses.models import CoursePage, LessonPage
from courses.selectors import course_of, lessons_still_in, live_lesson, rule_lessons

from . import permissions, selectors
from .models import CompletionRuleVersion, CourseCompletion, Enrolment, LessonProgress
from .signals import course_completed

CENT = Decimal("0.01")


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


@transaction.atomic
def rule_version_freeze(*, course: CoursePage) -> tuple[CompletionRuleVersion, bool]:
    """Write the course's completion rule as a new numbered version if it changed.

    Called when the course or one of its lessons is published (``learning.apps``), never while
    a learner is looking: so what completing requires changes only when editors publish.
    Returns the current version and whether it is new.
    """
    latest = CompletionRuleVersion.objects.filter(course=course).order_by("-version").first()
    required = rule_lessons(course, keep=latest.required_lesson_ids if latest else ())
    if (
        latest is not None
        and latest.required_lesson_ids == required
        and latest.min_score == course.completion_min_score
    ):
        return latest, False
    try:
        with transaction.atomic():
            version = CompletionRuleVersion.objects.create(
                course=course,
                version=(latest.version + 1) if latest else 1,
                required_lesson_ids=required,
                min_score=course.completion_min_score,
            )
            return version, True
    except IntegrityError:
        # Another publication wrote the same new version a moment ago.
        return CompletionRuleVersion.objects.filter(course=course).latest("version"), False


def rule_version_current(*, course: CoursePage) -> CompletionRuleVersion:
    latest = CompletionRuleVersion.objects.filter(course=course).order_by("-version").first()
    return latest if latest is not None else rule_version_freeze(course=course)[0]


@transaction.atomic
def completion_evaluate(
    *, user, course: CoursePage, locked: bool = False
) -> CourseCompletion | None:
    """Complete the course if every lesson the current rule requires is done.

    The learner's enrolment row is locked first (unless the caller holds it: ``locked``), so
    two lessons completed at the same moment cannot each miss the other. Idempotent: an
    existing completion is returned unchanged, whatever the rule says now.
    ``course_completed`` is sent once, after commit, by the call that created the completion.
    """
    if not locked:
        Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    existing = CourseCompletion.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing
    rule = rule_version_current(course=course)
    required = lessons_still_in(course, rule.required_lesson_ids)
    if not required:
        return None
    progress = list(
        LessonProgress.objects.filter(user=user, lesson_id__in=required).values_list(
            "score", flat=True
        )
    )
    if len(progress) < len(required):
        return None
    scores = [score for score in progress if score is not None]
    if rule.min_score is not None and scores and sum(scores) / len(scores) < rule.min_score:
        return None
    completion, created = CourseCompletion.objects.get_or_create(
        user=user,
        course=course,
        defaults={"course_title": course.title, "rule": rule, "completed_at": timezone.now()},
    )
    if created:
        completion.just_completed = True
        transaction.on_commit(
            lambda: course_completed.send(sender=CourseCompletion, completion=completion)
        )
    return completion


def completions_settle(*, course: CoursePage) -> int:
    """After a rule change, complete everyone the new rule says is done. Returns how many.

    Only learners who have done every required lesson are looked at one by one: a course of
    a province has a million enrolments, and evaluating each took the worker most of an
    hour per publication."""
    required = lessons_still_in(course, rule_version_current(course=course).required_lesson_ids)
    if not required:
        return 0
    done_all = (
        LessonProgress.objects.filter(lesson_id__in=required)
        .values("user_id")
        .annotate(done=Count("lesson_id", distinct=True))
        .filter(done=len(required))
        .values("user_id")
    )
    completed = CourseCompletion.objects.filter(course=course).values("user_id")
    learners = Enrolment.objects.filter(course=course, user_id__in=done_all).exclude(
        user_id__in=completed
    )
    count = 0
    for enrolment in learners.select_related("user").iterator():
        completion = completion_evaluate(user=enrolment.user, course=course)
        count += bool(completion is not None and getattr(completion, "just_completed", False))
    return count


@transaction.atomic
def lesson_complete(*, user, lesson: LessonPage) -> CourseCompletion | None:
    """Mark ``lesson`` done for ``user`` and, in the same transaction, complete the course if
    this was the last required lesson. Returns the course completion, if there is one; its
    ``just_completed`` is set when this call created it.
    """
    course = course_of(lesson)
    if course is None or not lesson.live:
        raise LearningError(_("This lesson is not part of a published course."))
    if lesson.has_graded_blocks:
        raise LearningError(_("This lesson is completed by finishing its graded activities."))
    Enrolment.objects.select_for_update().filter(user=user, course=course).first()
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
    return completion_evaluate(user=user, course=course, locked=True)


@transaction.atomic
def quiz_result_record(*, attempt) -> CourseCompletion | None:
    """A graded quiz attempt meets the lesson it was started from."""
    return graded_lesson_record(
        user=attempt.user, lesson_id=attempt.context_id, quiz=attempt.quiz_id
    )


@transaction.atomic
def h5p_result_record(*, attempt) -> CourseCompletion | None:
    """A graded H5P attempt meets the lesson it was played in."""
    return graded_lesson_record(
        user=attempt.user, lesson_id=attempt.context_id, activity=attempt.activity_id
    )


def graded_lesson_record(
    *, user, lesson_id: int, quiz: int | None = None, activity: int | None = None
) -> CourseCompletion | None:
    """Record a lesson's graded activities (quizzes and H5P) in its progress.

    The lesson is complete when every activity in it has a grade (passed, if the course says
    they must be passed); its progress row carries the mean grade and follows later attempts
    up or down, though a completion, once earned, stays. In a course whose H5P results are
    low-stakes, H5P grades complete the lesson but stay out of its score. Quietly does
    nothing when the learner is no longer enrolled, the lesson has gone, or the activity is
    no longer in it.
    """
    lesson = live_lesson(lesson_id)  # from the cache, as the H5P endpoint reads it
    course = course_of(lesson) if lesson is not None else None
    if course is None:
        return None
    if (quiz is not None and quiz not in lesson.quiz_ids) or (
        activity is not None and activity not in lesson.h5p_ids
    ):
        return None
    if Enrolment.objects.select_for_update().filter(user=user, course=course).first() is None:
        return None
    # Activities deleted since the lesson was written no longer hold it back (deleting one
    # starts a new pages version, so what is kept is never out of date).
    quizzes, activities = cached(
        f"lesson-graded:{lesson.pk}",
        lambda: (
            set(Quiz.objects.filter(pk__in=lesson.quiz_ids).values_list("pk", flat=True)),
            set(H5PActivity.objects.filter(pk__in=lesson.h5p_ids).values_list("pk", flat=True)),
        ),
    )
    quiz_grades = {
        grade.quiz_id: grade for grade in QuizGrade.objects.filter(user=user, quiz_id__in=quizzes)
    }
    h5p_grades = {
        grade.activity_id: grade
        for grade in H5PGrade.objects.filter(user=user, activity_id__in=activities)
    }
    if set(quiz_grades) != quizzes or set(h5p_grades) != activities:
        return None
    grades = list(quiz_grades.values()) + list(h5p_grades.values())
    counted = list(quiz_grades.values())
    if not course.h5p_low_stakes:
        counted += list(h5p_grades.values())
    score = (
        (sum(grade.percent for grade in counted) / len(counted)).quantize(CENT) if counted else None
    )
    existing = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    if existing is not None:
        if existing.score != score and score is not None:
            existing.score = score
            existing.save(update_fields=["score"])
    elif course.quiz_must_pass and not all(grade.passed for grade in grades):
        return None
    else:
        LessonProgress.objects.create(
            user=user,
            lesson=lesson,
            lesson_title=lesson.title,
            completed_at=timezone.now(),
            score=score,
        )
    return completion_evaluate(user=user, course=course, locked=True)
