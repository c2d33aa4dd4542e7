from celery import shared_task

from courses.models import CoursePage

from . import services


@shared_task
def settle_completions(course_id: int) -> None:
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is not None:
        services.completions_settle(course=course)
