"""Reads of a learner's state. Each runs a fixed number of queries, whatever the course size."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery

from courses.caching import cached
from courses.models import CoursePage, LessonPage
from courses.selectors import lessons_of, live_courses

from . import permissions
from .models import CourseCompletion, Enrolment, LessonProgress


@dataclass
class LessonState:
    page: LessonPage
    number: int
    completed: bool
    unlocked: bool


@dataclass
class CourseState:
    course: CoursePage
    lessons: list[LessonState]
    enrolment: Enrolment | None
    completed_at: datetime | None
    enrol_refusal: str | None = None
    current: LessonState | None = field(default=None)

    @property
    def required(self) -> list[LessonState]:
        """Lessons marked required; all of them when the editors marked none."""
        marked = [lesson for lesson in self.lessons if lesson.page.required]
        return marked or list(self.lessons)

    @property
    def percent(self) -> int:
        if self.completed_at is not None:
            return 100
        required = self.required
        if not required:
            return 0
        return round(100 * sum(lesson.completed for lesson in required) / len(required))

    @property
    def minutes_left(self) -> int:
        return sum(lesson.page.estimated_minutes for lesson in self.lessons if not lesson.completed)

    @property
    def minutes_total(self) -> int:
        return sum(lesson.page.estimated_minutes for lesson in self.lessons)

    @property
    def resume(self) -> LessonState | None:
        """Where to carry on: the first lesson not yet done that is open."""
        return next((s for s in self.lessons if s.unlocked and not s.completed), None)

    def lesson(self, lesson_id: int) -> LessonState | None:
        return next((s for s in self.lessons if s.page.pk == lesson_id), None)

    def _neighbour(self, offset: int) -> LessonState | None:
        if self.current is None:
            return None
        index = self.lessons.index(self.current) + offset
        return self.lessons[index] if 0 <= index < len(self.lessons) else None

    @property
    def previous_lesson(self) -> LessonState | None:
        return self._neighbour(-1)

    @property
    def next_lesson(self) -> LessonState | None:
        return self._neighbour(+1)


ENROLLED_TTL = 300


def _enrolled_key(user_id, course_id) -> str:
    return f"learning:enrolled:{user_id}:{course_id}"


def is_enrolled(*, user, course: CoursePage) -> bool:
    """Whether ``user`` is enrolled in ``course``: asked for every H5P statement, so a yes is
    kept for five minutes (forgotten if the enrolment is deleted; a no is never kept)."""
    key = _enrolled_key(user.pk, course.pk)
    if cache.get(key):
        return True
    enrolled = Enrolment.objects.filter(user=user, course=course).exists()
    if enrolled:
        cache.set(key, True, ENROLLED_TTL)
    return enrolled


def enrolment_deleted(sender, instance, **_kwargs) -> None:
    key = _enrolled_key(instance.user_id, instance.course_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))  # a statement in between re-cached it


def _done(user):
    """Which of these lessons ``user`` completed, in one query."""

    def done(lesson_ids: list[int]) -> set[int]:
        completed = LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids)
        return set(completed.values_list("lesson_id", flat=True))

    return done


def _lesson_states(
    course: CoursePage, lessons: list[LessonPage], enrolled: bool
) -> list[LessonState]:
    """Number the lessons and work out which are open.

    In a course taken in order a lesson opens once every earlier required lesson is done;
    optional lessons never hold the way.
    """
    any_required = any(lesson.required for lesson in lessons)
    states = []
    previous_done = True
    for number, lesson in enumerate(lessons, start=1):
        completed = bool(getattr(lesson, "done", False))
        unlocked = enrolled and (completed or not course.sequential or previous_done)
        states.append(LessonState(lesson, number, completed, unlocked))
        counts = lesson.required or not any_required
        previous_done = previous_done and (completed or not counts)
    return states


def course_state(*, user, course: CoursePage) -> CourseState:
    """Everything a course or lesson page shows about this learner, in three queries."""
    enrolment = None
    if user.is_authenticated:
        # One query says both whether the learner is enrolled and when they completed.
        completed = CourseCompletion.objects.filter(user=user, course=course)
        enrolment = (
            Enrolment.objects.filter(user=user, course=course)
            .annotate(completed_at=Subquery(completed.values("completed_at")[:1]))
            .first()
        )
    done = _done(user) if enrolment is not None else None
    lessons = lessons_of([course], done_by=done)[course.pk]
    return CourseState(
        course=course,
        lessons=_lesson_states(course, lessons, enrolled=enrolment is not None),
        enrolment=enrolment,
        completed_at=enrolment.completed_at if enrolment else None,
        enrol_refusal=None if enrolment else permissions.enrol_refusal(user, course),
    )


@dataclass
class Dashboard:
    in_progress: list[CourseState]
    completed: list[CourseCompletion]
    mandated: list[CoursePage]


def dashboard(*, user) -> Dashboard:
    """ "Khóa học của tôi": what a learner is doing, has done, and is expected to do."""
    # The courses come from the cache (``live_courses``): loading pages with each row was
    # most of this page's time.
    enrolments = list(permissions.enrolments_visible_to(user).order_by("-enrolled_at"))
    completions = list(CourseCompletion.objects.filter(user=user).order_by("-completed_at"))
    live = live_courses([e.course_id for e in enrolments] + [c.course_id for c in completions])
    enrolments = [e for e in enrolments if e.course_id in live]
    for enrolment in enrolments:
        enrolment.course = live[enrolment.course_id]
    for completion in completions:
        completion.live_course = live.get(completion.course_id)  # None: withdrawn or deleted
    courses = [enrolment.course for enrolment in enrolments]
    lessons = lessons_of(courses, done_by=_done(user))
    completed_ids = {completion.course_id for completion in completions}
    in_progress = [
        CourseState(
            course=enrolment.course,
            lessons=_lesson_states(enrolment.course, lessons[enrolment.course.pk], enrolled=True),
            enrolment=enrolment,
            completed_at=None,
        )
        for enrolment in enrolments
        if enrolment.course.pk not in completed_ids
    ]
    enrolled_ids = {course.pk for course in courses}
    org_paths = list(user.memberships.values_list("organisation__path", flat=True))
    mandated = []
    if org_paths:
        mandated = [
            course
            for course, paths in cached("mandated-courses", _mandated_courses)
            if course.pk not in enrolled_ids | completed_ids
            and any(path.startswith(unit) for unit in paths for path in org_paths)
        ]
    return Dashboard(in_progress=in_progress, completed=completions, mandated=mandated)


def _mandated_courses() -> list[tuple[CoursePage, list[str]]]:
    """Live courses mandated by agencies, with the paths of the units they are mandated for
    (kept until a page changes or a unit moves)."""
    courses = (
        CoursePage.objects.live()
        .filter(enrolment=CoursePage.Enrolment.MANDATED)
        .prefetch_related("mandates__organisation")
        .order_by("path")
    )
    return [(course, [m.organisation.path for m in course.mandates.all()]) for course in courses]


def certifies_on_completion(course: CoursePage) -> bool:
    """False when the course's H5P results are low-stakes and H5P is its only graded work:
    scores from the browser alone must not earn a certificate. (An administrator can still
    issue one by hand, with a reason.)"""
    if not course.h5p_low_stakes:
        return True
    lessons = LessonPage.objects.live().descendant_of(course).only("id", "body")
    has_h5p = has_quiz = False
    for lesson in lessons:
        has_h5p = has_h5p or bool(lesson.h5p_ids)
        has_quiz = has_quiz or bool(lesson.quiz_ids)
    return has_quiz or not has_h5p
