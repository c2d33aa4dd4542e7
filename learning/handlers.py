"""Learning reacts to editors' actions in the CMS: each handler calls one service or task."""

from courses.models import CoursePage, LessonPage
from courses.selectors import course_of

from . import services, tasks


def _course_changed(course: CoursePage | None) -> None:
    if course is not None and course.live:
        _version, changed = services.rule_version_freeze(course=course)
        if changed:
            tasks.settle_completions.delay(course.pk)


def page_published(sender, instance, **kwargs) -> None:
    _course_changed(instance if isinstance(instance, CoursePage) else course_of(instance))


def lesson_deleted(sender, instance, **kwargs) -> None:
    # Learners who had done every other required lesson are now done.
    course = CoursePage.objects.filter(path=instance.path[: -LessonPage.steplen]).first()
    if course is not None:
        tasks.settle_completions.delay(course.pk)


def page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs) -> None:
    if isinstance(instance.specific_deferred, LessonPage):
        for parent in (parent_page_before, parent_page_after):
            if isinstance(parent.specific_deferred, CoursePage):
                _course_changed(parent.specific)


def attempt_graded(sender, attempt, **kwargs) -> None:
    services.quiz_result_record(attempt=attempt)


def h5p_graded(sender, attempt, **kwargs) -> None:
    services.h5p_result_record(attempt=attempt)
