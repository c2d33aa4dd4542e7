from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), max_retries=8)
def send_email(*, subject: str, body: str, html: str, to: list[str], from_email: str) -> None:
    services.email_send(subject=subject, body=body, html=html, to=to, from_email=from_email)
