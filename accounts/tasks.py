from celery import shared_task
from django.conf import settings

from . import roster, services

LONG = settings.CELERY_LONG_TASK


@shared_task(autoretry_for=(services.EmailNotSent,), max_retries=8, retry_backoff=60)
def send_email(*, email_id: int) -> None:
    services.email_send(email_id=email_id)


@shared_task
def send_emails(*, email_ids: list[int]) -> None:
    """A batch's emails over one connection; any that fails is retried by its own task."""
    for email_id in services.emails_send(email_ids=email_ids):
        send_email.delay(email_id=email_id)


@shared_task
def send_pending_email() -> None:
    """Beat's sweep for emails whose task was lost; sending is idempotent per email."""
    for email_id in services.email_pending_ids():
        send_email.delay(email_id=email_id)


@shared_task(bind=True, **LONG)
def check_roster(self, *, roster_id: int) -> None:
    """An uploaded roster, read and checked for the preview. An error the task retries (a
    lost connection) leaves the roster CHECKING for the retry; any other, or the last retry,
    marks it failed, so the officer's page stops waiting."""
    try:
        roster.roster_check_uploaded(roster_id=roster_id)
    except Exception as error:
        retried = isinstance(error, tuple(self.autoretry_for or ())) and (
            self.max_retries is None or self.request.retries < self.max_retries
        )
        if not retried:
            roster.roster_check_fail(roster_id=roster_id)
        raise


@shared_task(**LONG)
def import_roster(roster_id: int) -> None:
    """A confirmed roster, imported in one transaction. The service marks a failed roster
    failed (nothing imported); a lost connection is retried, starting again from the file."""
    roster.roster_import(roster_id=roster_id)


@shared_task
def sweep_rosters() -> None:
    """Daily: files of rosters never imported are not kept (they hold ID numbers), and
    rosters stuck checking or importing (a worker died) are marked failed."""
    roster.roster_sweep()
