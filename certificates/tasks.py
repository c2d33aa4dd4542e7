"""Celery adapters: take ids, call one service. Every one of them may run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from courses.models import CoursePage

from . import services

LONG = settings.CELERY_LONG_TASK


@shared_task
def issue_for_completion(completion_id: int) -> None:
    services.completion_certify(completion_id=completion_id)


@shared_task(**LONG)
def issue_backlog(course_id: int) -> None:
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        return
    try:
        services.backlog_issue(course=course)
    except SoftTimeLimitExceeded:
        # What is issued stays issued; the rest continues in a fresh task.
        issue_backlog.delay(course_id=course_id)


@shared_task
def sweep() -> None:
    services.certificates_sweep()


@shared_task(**LONG)
def build_export(export_id: int) -> None:
    try:
        services.export_build(export_id=export_id)
    except SoftTimeLimitExceeded:
        services.export_fail(export_id=export_id, error="time limit")
    except Exception as error:
        # The person waiting sees it failed (a retry sets it running again).
        services.export_fail(export_id=export_id, error=str(error))
        raise
