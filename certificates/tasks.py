"""Celery adapters: take ids, call one service. Every one of them may run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from courses.models import CoursePage

from . import services


@shared_task
def issue_for_completion(completion_id: int) -> None:
    services.completion_certify(completion_id=completion_id)


@shared_task(time_limit=3600, soft_time_limit=3500)
def issue_backlog(course_id: int) -> None:
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is not None:
        services.backlog_issue(course=course)


@shared_task
def sweep() -> None:
    services.certificates_sweep()


@shared_task(time_limit=3600, soft_time_limit=3500)
def build_export(export_id: int) -> None:
    try:
        services.export_build(export_id=export_id)
    except SoftTimeLimitExceeded:
        services.export_fail(export_id=export_id, error="time limit")
        raise
