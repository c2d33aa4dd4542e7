"""Celery adapters for reminders; beat runs them hourly, and each message goes once."""

from celery import shared_task

from . import services


@shared_task
def send_reminders() -> None:
    services.reminders_send()


@shared_task
def send_digests() -> None:
    services.digests_send()
