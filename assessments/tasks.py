"""Celery adapters for assessments; beat closes attempts whose time ran out."""

from celery import shared_task

from . import services


@shared_task
def close_overdue_attempts() -> int:
    """Learners who closed the tab still get their saved answers graded and their lesson
    progress recorded, without coming back."""
    return services.attempts_close_overdue()
