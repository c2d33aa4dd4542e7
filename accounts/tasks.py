from celery import shared_task

from . import services


@shared_task(autoretry_for=(services.EmailNotSent,), max_retries=8, retry_backoff=60)
def send_email(*, email_id: int) -> None:
    services.email_send(email_id=email_id)


@shared_task
def send_pending_email() -> None:
    """Beat's sweep for emails whose task was lost; sending is idempotent per email."""
    for email_id in services.email_pending_ids():
        send_email.delay(email_id=email_id)
