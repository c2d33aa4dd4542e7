"""Reads of the catalogue. Every function here runs a fixed number of queries."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils.translation import get_language

from accounts.models import Membership
from assessments.models import Competence, Quiz
from assessments.selectors import competence_choices, quiz_with_slots

from .caching import cached, cached_many, pages_version
from .models import CourseIndexPage, CoursePage, LessonPage, TargetGroup, fold


def lessons_of(courses: Iterable[CoursePage]) -> dict[int, list[LessonPage]]:
    """Live lessons of each course, in the editor's order: one query for the courses not in
    the cache, then none until a page changes.

    The lessons are shared by every request this process serves: read them, never mark them
    (a copy of each page for every request cost a tenth of a dashboard's time).
    """
    courses = list(courses)
    if not courses:
        return {}

    def load(paths: list[str]) -> dict[str, list[LessonPage]]:
        step = CoursePage.steplen
        children = (Q(path__startswith=path, depth=len(path) // step + 1) for path in paths)
        condition = reduce(or_, children)
        fresh: dict[str, list[LessonPage]] = {path: [] for path in paths}
        for lesson in LessonPage.objects.live().filter(condition).order_by("path"):
            fresh[lesson.path[:-step]].append(lesson)
        return fresh

    by_path = cached_many({course.path: f"lessons:{course.path}" for course in courses}, load)
    return {course.pk: by_path.get(course.path, []) for course in courses}


@dataclass
class CourseCard:
    page: CoursePage
    minutes: int
    lesson_count: int


@dataclass
class Catalogue:
    cards: list[CourseCard]
    target_groups: list[tuple[str, str]]
    competences: list[tuple[str, str]]
    target_group: str = ""
    competence: str = ""
    query: str = ""
    filtered: bool = False


CATALOGUE_TTL = 600


def catalogue(*, index_page: CourseIndexPage, params: Mapping[str, str]) -> Catalogue:
    """Live courses under ``index_page``, filtered by target group, competence and a search.

    The search folds diacritics on both sides, so "ky nang so" finds "Kỹ năng số". The
    catalogue is the same for everyone, so each filter combination is cached until a course
    or lesson is published, unpublished, moved or deleted (ten minutes at most).
    """
    target_group = (params.get("doi-tuong") or "").strip()[:32]
    competence = (params.get("nang-luc") or "").strip()[:16]
    query = (params.get("q") or "").strip()[:100]
    version = pages_version()
    fingerprint = hashlib.sha256(f"{target_group}|{competence}|{fold(query)}".encode()).hexdigest()
    key = f"courses:catalogue:{version}:{index_page.pk}:{get_language()}:{fingerprint[:32]}"
    result = cache.get(key)
    if result is None:
        result = _catalogue(index_page, target_group, competence, query)
        cache.set(key, result, CATALOGUE_TTL)
    return result


def _catalogue(
    index_page: CourseIndexPage, target_group: str, competence: str, query: str
) -> Catalogue:
    courses = CoursePage.objects.live().child_of(index_page)
    if target_group:
        courses = courses.filter(target_groups__code=target_group)
    if competence:
        courses = courses.filter(
            competences__code=competence, competences__framework__is_current=True
        )
    ranked_ids: list[int] | None = None
    if query:
        searchable = CoursePage.objects.live().child_of(index_page)
        ranked_ids = [page.pk for page in searchable.search(fold(query), operator="and")]
        courses = courses.filter(pk__in=ranked_ids)
    # Renditions are not prefetched: this result is cached, and Wagtail finds them in its own
    # renditions cache, where a rendition made after this was cached shows up too.
    courses = (
        courses.select_related("image")
        .prefetch_related(
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("sort_order")),
            Prefetch("competences", queryset=Competence.objects.order_by("sort_order")),
        )
        .distinct()
    )
    pages = list(courses.order_by("path"))
    if ranked_ids is not None:
        rank = {pk: position for position, pk in enumerate(ranked_ids)}
        pages.sort(key=lambda page: rank[page.pk])
    lessons = lessons_of(pages)
    cards = [
        CourseCard(
            page=page,
            minutes=sum(lesson.estimated_minutes for lesson in lessons[page.pk]),
            lesson_count=len(lessons[page.pk]),
        )
        for page in pages
    ]
    return Catalogue(
        cards=cards,
        target_groups=list(Membership.TargetGroup.choices),
        competences=competence_choices(),
        target_group=target_group,
        competence=competence,
        query=query,
        filtered=bool(target_group or competence or query),
    )


def live_courses(ids: Iterable[int]) -> dict[int, CoursePage]:
    """The published ones among these courses, by id: one query for those not in the cache,
    then none until a page changes (a learner's dashboard asks on every visit)."""
    ids = {pk for pk in ids if pk is not None}
    return cached_many(
        {pk: f"course:{pk}" for pk in ids},
        lambda missing: CoursePage.objects.live().in_bulk(missing),
    )


def live_lesson(lesson_id: int) -> LessonPage | None:
    """The published lesson, or None: from the cache until a page changes (every quiz and
    H5P request asks). Shared with other requests of this process: read it, never change it."""
    # A lambda: building the query costs more than a lookup that finds it kept.
    return cached(
        f"lesson:{lesson_id}", lambda: LessonPage.objects.live().filter(pk=lesson_id).first()
    )


def quiz_kept(quiz_id: int) -> Quiz | None:
    """The quiz with its places, from the cache until a page or a quiz changes (every start
    asks; saving a quiz or its places starts a new pages version). Read it, never change it."""
    return cached(f"quiz:{quiz_id}", lambda: quiz_with_slots(quiz_id))


def course_of(lesson: LessonPage) -> CoursePage | None:
    """The published course a lesson sits in: one query (``get_parent().specific`` takes two),
    then none until a page changes."""
    path = lesson.path[: -LessonPage.steplen]
    return cached(f"course-of:{path}", lambda: CoursePage.objects.live().filter(path=path).first())


def rule_lessons(course: CoursePage, *, keep: Iterable[int] = ()) -> list[int]:
    """Ids of the lessons a course's completion rule requires, for freezing a rule version.

    Required lessons that are live or scheduled to go live count, and so do lessons in
    ``keep`` (the previous rule) that are still in the course but unpublished for a while:
    taking a lesson offline to correct it must not hand out completions. A lesson leaves the
    rule when it is deleted, moved away or marked optional. If no lesson is marked required,
    every lesson is.
    """
    keep = set(keep)
    lessons = [
        lesson
        for lesson in LessonPage.objects.child_of(course).annotate_approved_schedule()
        if lesson.live or lesson.approved_schedule or lesson.pk in keep
    ]
    required = [lesson.pk for lesson in lessons if lesson.required]
    return sorted(required or [lesson.pk for lesson in lessons])


def lessons_still_in(course: CoursePage, lesson_ids: Iterable[int]) -> set[int]:
    """Which of these lessons are still children of the course (not deleted or moved away)."""
    return set(
        LessonPage.objects.child_of(course)
        .filter(pk__in=list(lesson_ids))
        .values_list("pk", flat=True)
    )
