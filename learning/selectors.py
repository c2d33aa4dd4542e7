"""Reads of a learner's state. Each runs a fixed number of queries, whatever the course size."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Membership, Organisation
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


def enrolled_key(user_id, course_id) -> str:
    """Where ``is_enrolled`` keeps a yes (read ahead by the H5P statement, with its rate)."""
    return f"learning:enrolled:{user_id}:{course_id}"


def is_enrolled(*, user, course: CoursePage, cached: bool | None = None) -> bool:
    """Whether ``user`` is enrolled in ``course``: asked for every H5P statement, so a yes is
    kept for five minutes (forgotten if the enrolment is deleted; a no is never kept).
    ``cached``: what the cache held, when the caller has read it already (False: nothing)."""
    key = enrolled_key(user.pk, course.pk)
    if cached is None:
        cached = cache.get(key)
    if cached:
        return True
    enrolled = Enrolment.objects.filter(user=user, course=course).exists()
    if enrolled:
        cache.set(key, True, ENROLLED_TTL)
    return enrolled


def enrolment_deleted(sender, instance, **_kwargs) -> None:
    key = enrolled_key(instance.user_id, instance.course_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))  # a statement in between re-cached it


def _timestamp(value) -> datetime | None:
    """A timestamp read by a raw query: PostgreSQL gives an aware datetime; SQLite gives
    text, or a naive datetime where the column's declared type survives (the first SELECT
    of a UNION), both in UTC. Left naive, it was shown as Vietnam's time: a course completed
    after midnight showed the day before."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What a lesson or course page shows of one learner, in one query: their enrolment, their
# completion and which of the lessons they did. Built by hand: composing it with the ORM
# cost three times what the rest of course_state does (and a lesson page asks on every view).
_STATE = f"""
    SELECT 'enrolment', id, source, NULL FROM {Enrolment._meta.db_table}
    WHERE user_id = %s AND course_id = %s
    UNION ALL
    SELECT 'completion', NULL, NULL, completed_at FROM {CourseCompletion._meta.db_table}
    WHERE user_id = %s AND course_id = %s
"""  # noqa: S608 (table names from the models)
_STATE_DONE = f"""
    UNION ALL
    SELECT 'done', lesson_id, NULL, NULL FROM {LessonProgress._meta.db_table}
    WHERE user_id = %s AND lesson_id IN ({{}})
"""  # noqa: S608 (table names from the models)


def _learner_in(user, course: CoursePage, lesson_ids: list[int]):
    """(enrolment or None, completed_at or None, ids of the lessons done) in one query."""
    sql, params = _STATE, [user.pk, course.pk, user.pk, course.pk]
    if lesson_ids:
        sql += _STATE_DONE.format(", ".join(["%s"] * len(lesson_ids)))
        params += [user.pk, *lesson_ids]
    enrolment, completed_at, done = None, None, set()
    for kind, pk, source, at in _rows(sql, params):
        if kind == "enrolment":
            enrolment = Enrolment.from_db(
                connection.alias,
                ["id", "user_id", "course_id", "source"],
                [pk, user.pk, course.pk, source],
            )
            enrolment.user, enrolment.course = user, course
        elif kind == "completion":
            completed_at = _timestamp(at)
        else:
            done.add(pk)
    return enrolment, completed_at, done


def _lesson_states(
    course: CoursePage, lessons: list[LessonPage], done: set[int], enrolled: bool
) -> list[LessonState]:
    """Number the lessons and work out which are open (``done``: ids of the lessons the
    learner completed; the lessons themselves are shared, see ``lessons_of``).

    In a course taken in order a lesson opens once every earlier required lesson is done;
    optional lessons never hold the way.
    """
    any_required = any(lesson.required for lesson in lessons)
    states = []
    previous_done = True
    for number, lesson in enumerate(lessons, start=1):
        completed = lesson.pk in done
        unlocked = enrolled and (completed or not course.sequential or previous_done)
        states.append(LessonState(lesson, number, completed, unlocked))
        counts = lesson.required or not any_required
        previous_done = previous_done and (completed or not counts)
    return states


def course_state(*, user, course: CoursePage) -> CourseState:
    """Everything a course or lesson page shows about this learner, in one query."""
    enrolment, completed_at, done = None, None, set()
    lessons = lessons_of([course])[course.pk]
    if user.is_authenticated:
        enrolment, completed_at, done = _learner_in(user, course, [lesson.pk for lesson in lessons])
    if enrolment is None:
        done = set()
    return CourseState(
        course=course,
        lessons=_lesson_states(course, lessons, done, enrolled=enrolment is not None),
        enrolment=enrolment,
        completed_at=completed_at if enrolment else None,
        enrol_refusal=None if enrolment else permissions.enrol_refusal(user, course),
    )


@dataclass
class Dashboard:
    in_progress: list[CourseState]
    completed: list[CourseCompletion]
    mandated: list[CoursePage]
    more: dict[str, list[int]] = field(default_factory=dict)  # see ``dashboard_reads``


# A learner's dashboard in one query: their enrolments, completions, lessons done and units.
_DASHBOARD = f"""
    SELECT 'enrolment', id, course_id, course_title, source, enrolled_at
    FROM {Enrolment._meta.db_table} WHERE user_id = %(user)s
    UNION ALL
    SELECT 'completion', id, course_id, course_title, NULL, completed_at
    FROM {CourseCompletion._meta.db_table} WHERE user_id = %(user)s
    UNION ALL
    SELECT 'done', NULL, lesson_id, NULL, NULL, NULL
    FROM {LessonProgress._meta.db_table} WHERE user_id = %(user)s
    UNION ALL
    SELECT 'unit', NULL, NULL, o.path, NULL, NULL
    FROM {Membership._meta.db_table} m JOIN {Organisation._meta.db_table} o
    ON o.id = m.organisation_id WHERE m.user_id = %(user)s
"""  # noqa: S608 (table names from the models)
_DASHBOARD_MORE: dict[str, str] = {}


def dashboard_reads(kind: str, model, column: str) -> None:
    """Have the dashboard's one query also read ``column`` of the learner's rows of ``model``
    (a table with a ``user_id``), into ``Dashboard.more[kind]``.

    For the apps above this one, which draw parts of the page and cannot be imported here:
    called from their ``AppConfig.ready``, it saves them a query of their own on every view.
    """
    if not kind.isidentifier() or kind in {"enrolment", "completion", "done", "unit"}:
        raise ValueError(f"{kind!r} cannot name the dashboard's rows")
    table, column = model._meta.db_table, model._meta.get_field(column).column
    _DASHBOARD_MORE[kind] = f"""
    UNION ALL
    SELECT '{kind}', NULL, {column}, NULL, NULL, NULL FROM {table} WHERE user_id = %(user)s
"""  # noqa: S608 (names from the code and the model)


def dashboard(*, user) -> Dashboard:
    """ "Khóa học của tôi": what a learner is doing, has done, and is expected to do.

    One query for the learner's rows (composed by hand, as ``course_state``'s); the courses
    and their lessons come from the cache (``live_courses``, ``lessons_of``).
    """
    enrolments, completions, done, org_paths = [], [], set(), []
    more: dict[str, list[int]] = {kind: [] for kind in _DASHBOARD_MORE}
    rows = []
    if user.is_authenticated:
        rows = _rows(_DASHBOARD + "".join(_DASHBOARD_MORE.values()), {"user": user.pk})
    for kind, pk, ref, text, source, at in rows:
        if kind == "enrolment":
            fields = ["id", "user_id", "course_id", "course_title", "source", "enrolled_at"]
            values = [pk, user.pk, ref, text, source, _timestamp(at)]
            enrolments.append(Enrolment.from_db(connection.alias, fields, values))
        elif kind == "completion":
            fields = ["id", "user_id", "course_id", "course_title", "completed_at"]
            values = [pk, user.pk, ref, text, _timestamp(at)]
            completions.append(CourseCompletion.from_db(connection.alias, fields, values))
        elif kind == "done":
            done.add(ref)
        elif kind == "unit":
            org_paths.append(text)
        else:
            more[kind].append(ref)
    enrolments.sort(key=lambda e: (e.enrolled_at, e.pk), reverse=True)
    completions.sort(key=lambda c: (c.completed_at, c.pk), reverse=True)
    live = live_courses([e.course_id for e in enrolments] + [c.course_id for c in completions])
    enrolments = [e for e in enrolments if e.course_id in live]
    for enrolment in enrolments:
        enrolment.course = live[enrolment.course_id]
    for completion in completions:
        completion.live_course = live.get(completion.course_id)  # None: withdrawn or deleted
    courses = [enrolment.course for enrolment in enrolments]
    lessons = lessons_of(courses)
    completed_ids = {completion.course_id for completion in completions}
    in_progress = [
        CourseState(
            course=enrolment.course,
            lessons=_lesson_states(
                enrolment.course, lessons[enrolment.course.pk], done, enrolled=True
            ),
            enrolment=enrolment,
            completed_at=None,
        )
        for enrolment in enrolments
        if enrolment.course.pk not in completed_ids
    ]
    enrolled_ids = {course.pk for course in courses}
    mandated = []
    if org_paths:
        mandated = [
            course
            for course, paths in cached("mandated-courses", _mandated_courses)
            if course.pk not in enrolled_ids | completed_ids
            and any(path.startswith(unit) for unit in paths for path in org_paths)
        ]
    return Dashboard(in_progress=in_progress, completed=completions, mandated=mandated, more=more)


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
