"""Emails go through the outbox: sent once, retried when the server fails, never lost."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import OutgoingEmail
from accounts.tasks import send_pending_email

pytestmark = pytest.mark.django_db


def queue(on_commit):
    with on_commit():
        return services.email_queue(
            subject="Xác nhận email",
            body="Mở liên kết https://hocvuso.vn/accounts/confirm-email/abc/",
            html="",
            to=["an@example.vn"],
            from_email="no-reply@hocvuso.vn",
        )


def test_queued_email_is_sent_once_and_its_secret_link_erased(on_commit):
    email = queue(on_commit)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.body == ""
    assert services.email_send(email_id=email.pk) is False  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_recorded_and_the_email_kept_for_later(
    on_commit, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise SMTPServerDisconnected("máy chủ thư không trả lời")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    email = queue(on_commit)
    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts >= 1
    assert "SMTPServerDisconnected" in email.last_error
    assert "confirm-email/abc" in email.body  # nothing lost

    monkeypatch.undo()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    with on_commit():
        send_pending_email.delay()
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get(pk=email.pk).sent_at is not None


def test_several_emails_sent_together_each_reach_their_reader_once(on_commit):
    from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection

    html = EmailMultiAlternatives("Chứng chỉ của bạn", "Xem chứng chỉ", to=["binh@example.vn"])
    html.attach_alternative("<p>Xem <b>chứng chỉ</b></p>", "text/html")
    messages = [EmailMessage("Chứng chỉ của bạn", "Xem chứng chỉ", to=["an@example.vn"]), html]
    with on_commit():
        assert get_connection().send_messages(messages) == 2
        assert mail.outbox == []  # in the outbox until the transaction commits
    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.vn", "binh@example.vn"]
    [sent] = [m for m in mail.outbox if m.to == ["binh@example.vn"]]
    assert sent.alternatives[0][0] == "<p>Xem <b>chứng chỉ</b></p>"
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 2


def test_a_batch_goes_over_one_session_and_a_refused_email_is_retried_alone(on_commit, monkeypatch):
    from django.core.mail import EmailMessage, get_connection
    from django.core.mail.backends.locmem import EmailBackend

    sessions, refused = [], []
    real_open, real_send = EmailBackend.open, EmailBackend.send_messages

    def open_session(self):
        sessions.append(self)
        return real_open(self)

    def send_once_refused(self, messages):
        if messages[0].to == ["binh@example.vn"] and not refused:
            refused.append(messages[0])
            raise SMTPServerDisconnected("máy chủ thư ngắt kết nối")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "open", open_session)
    monkeypatch.setattr(EmailBackend, "send_messages", send_once_refused)
    readers = ["an@example.vn", "binh@example.vn", "chi@example.vn"]
    with on_commit():
        get_connection().send_messages(
            [EmailMessage("Chứng chỉ của bạn", "Xem chứng chỉ", to=[to]) for to in readers]
        )
    assert sorted(m.to[0] for m in mail.outbox) == readers  # each once, the refused one too
    retried = OutgoingEmail.objects.get(to=["binh@example.vn"])
    assert retried.sent_at is not None and retried.attempts == 2
    assert len(sessions) == 1  # one session opened for the three (the retry sends alone)
