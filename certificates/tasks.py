"""Celery adapters: take ids, call one service. Every one of them may run twice."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from courses.models import CoursePage

from . import services

LONG = settings.CELERY_LONG_TASK
logger = logging.getLogger(__name__)


def completion_task_id(completion_id: int) -> str:
    return f"certificate-of-completion-{completion_id}"


def issue_when_committed(completion_id: int) -> None:
    """Queue the certificate of a completion, under a task id of its own."""
    issue_for_completion.delay_as(completion_task_id(completion_id), completion_id=completion_id)


@shared_task(bind=True)
def issue_for_completion(self, completion_id: int) -> None:
    settled = services.completion_certify(completion_id=completion_id)
    if settled and not self.request.is_eager:
        # The tasks of the completions this one issued in its batch wait in the queue behind
        # it, and each would only find its certificate issued: revoked, the workers drop them
        # unrun (a third of the cost of running them). A worker that never receives it runs
        # them, and they change nothing.
        try:
            self.app.control.revoke([completion_task_id(pk) for pk in settled])
        except Exception:  # noqa: BLE001 - the certificates are issued; only the saving is lost
            logger.warning("tasks of completions %s not revoked", settled, exc_info=True)


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
