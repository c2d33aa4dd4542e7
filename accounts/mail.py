"""Every email the site sends goes through the outbox (``OutgoingEmail``).

Django, allauth and Wagtail all send through ``EMAIL_BACKEND``; this backend stores the message
and a Celery worker delivers it with ``EMAIL_DELIVERY_BACKEND`` (SMTP from ``EMAIL_URL``).
"""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from . import services
from .models import OutgoingEmail


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        queued = []
        for message in email_messages:
            if message.attachments:
                # The outbox keeps text and HTML only; the rare message with files goes now.
                get_connection(settings.EMAIL_DELIVERY_BACKEND).send_messages([message])
                continue
            html = next(
                (
                    body
                    for body, mime in getattr(message, "alternatives", [])
                    if mime == "text/html"
                ),
                "",
            )
            queued.append(
                OutgoingEmail(
                    subject=str(message.subject),
                    body=message.body,
                    html=html,
                    to=[*message.to, *message.cc, *message.bcc],
                    from_email=message.from_email,
                )
            )
        if queued:  # one insert for a batch (the certificates of a rush)
            services.emails_queue(queued)
        return len(email_messages)
