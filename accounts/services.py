"""Writes to accounts: users, the organisation tree and memberships.

These are the only functions that save these models; other apps call them.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import Membership, Organisation, OutgoingEmail, User, normalise_phone


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, phone: str) -> User:
    """Change what a person may change about themselves; nothing else is touched."""
    user.full_name = " ".join(full_name.split())
    user.phone = normalise_phone(phone)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "phone"])
    return user


@transaction.atomic
def user_upsert(
    *,
    username: str,
    email: str,
    full_name: str,
    password: str | None = None,
    phone: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = False,
) -> tuple[User, bool]:
    """Create or update the account ``username``, keeping its id and history.

    Used by administrators and the demo seed; a verified primary email lets the account log
    in under mandatory email verification.
    """
    user, created = User.objects.get_or_create(username=username)
    user.email = email
    user.full_name = full_name
    user.phone = normalise_phone(phone)
    user.is_staff = is_staff or is_superuser
    user.is_superuser = is_superuser
    user.is_active = True
    if password is not None and not user.check_password(password):
        # Setting the same password again would log the person out everywhere.
        user.set_password(password)
    user.save()
    if email:
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
        EmailAddress.objects.update_or_create(
            user=user,
            email=email,
            defaults={"primary": True, "verified": email_verified},
        )
    return user, created


@transaction.atomic
def organisation_upsert(
    *, code: str, name: str, kind: str, parent: Organisation | None = None
) -> Organisation:
    """Create the organisation ``code`` under ``parent``, or rename it if it exists.

    Moving an existing organisation to another parent is a separate, deliberate operation
    (it changes who can see its people), so a changed parent here is refused.
    """
    existing = Organisation.objects.filter(code=code).first()
    if existing is not None:
        current_parent = existing.get_parent()
        if (current_parent.pk if current_parent else None) != (parent.pk if parent else None):
            raise ValueError(f"Organisation {code} already exists under another parent.")
        existing.name = name
        existing.kind = kind
        existing.save(update_fields=["name", "kind"])
        return existing
    if parent is None:
        return Organisation.add_root(code=code, name=name, kind=kind)
    return parent.add_child(code=code, name=name, kind=kind)


@transaction.atomic
def membership_upsert(
    *,
    user: User,
    organisation: Organisation,
    target_group: str,
    role: str = Membership.Role.MEMBER,
    position: str = "",
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user,
        organisation=organisation,
        defaults={"target_group": target_group, "role": role, "position": position},
    )
    return membership


MAX_EMAIL_ATTEMPTS = 10


class EmailNotSent(Exception):
    """The mail server refused or did not answer; the task retries later."""


@transaction.atomic
def email_queue(
    *, subject: str, body: str, html: str, to: list[str], from_email: str
) -> OutgoingEmail:
    """Put one email in the outbox and have it sent once this transaction commits."""
    from .tasks import send_email  # tasks import services; the import is deferred, not circular

    email = OutgoingEmail.objects.create(
        subject=subject, body=body, html=html, to=to, from_email=from_email
    )
    send_email.delay(email_id=email.pk)
    return email


def email_send(*, email_id: int) -> bool:
    """Send a queued email unless it was sent already. Returns whether it was sent now.

    The row is locked while sending, so two workers given the same task send it once.
    On failure the attempt is recorded and ``EmailNotSent`` raised for the task to retry.
    """
    error = ""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=email.from_email,
            to=email.to,
            connection=get_connection(settings.EMAIL_DELIVERY_BACKEND),
        )
        if email.html:
            message.attach_alternative(email.html, "text/html")
        email.attempts += 1
        try:
            message.send(fail_silently=False)
        except OSError as failure:  # smtplib's errors are OSErrors
            error = f"{type(failure).__name__}: {failure}"
            email.last_error = error[:2000]
            email.save(update_fields=["attempts", "last_error"])
        else:
            email.sent_at = timezone.now()
            email.body = email.html = ""
            email.last_error = ""
            email.save(update_fields=["attempts", "sent_at", "body", "html", "last_error"])
    if error:
        raise EmailNotSent(error)
    return True


def email_pending_ids(*, older_than_minutes: int = 5) -> list[int]:
    """Emails whose task seems lost (broker down at commit, worker gone): to send again."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return list(
        OutgoingEmail.objects.filter(
            sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=MAX_EMAIL_ATTEMPTS
        ).values_list("pk", flat=True)[:500]
    )
