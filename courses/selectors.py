"""Reads of the catalogue. Every function here runs a fixed number of queries."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q

from accounts.models import Membership
from assessments.models import Competence
from assessments.selectors import competence_choices

from .models import CourseIndexPage, CoursePage, LessonPage, TargetGroup, fold


def lessons_of(courses: Iterable[CoursePage]) -> dict[int, list[LessonPage]]:
    """Live lessons of each course, in the editor's order, in one query."""
    courses = list(courses)
    if not courses:
        return {}
    by_path = {course.path: course.pk for course in courses}
    step = CoursePage.steplen
    condition = reduce(or_, (Q(path__startswith=c.path, depth=c.depth + 1) for c in courses))
    result: dict[int, list[LessonPage]] = {course.pk: [] for course in courses}
    for lesson in LessonPage.objects.live().filter(condition).order_by("path"):
        result[by_path[lesson.path[:-step]]].append(lesson)
    return result


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


def catalogue(*, index_page: CourseIndexPage, params: Mapping[str, str]) -> Catalogue:
    """Live courses under ``index_page``, filtered by target group, competence and a search.

    The search folds diacritics on both sides, so "ky nang so" finds "Kỹ năng số".
    """
    target_group = (params.get("doi-tuong") or "").strip()
    competence = (params.get("nang-luc") or "").strip()
    query = (params.get("q") or "").strip()[:100]

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
    courses = (
        courses.select_related("image")
        .prefetch_related(
            "image__renditions",
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


def course_of(lesson: LessonPage) -> CoursePage | None:
    """The course a lesson sits in, in one query (``get_parent().specific`` takes two)."""
    return CoursePage.objects.filter(path=lesson.path[: -LessonPage.steplen]).first()
