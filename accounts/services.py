"""Writes to accounts: users, the organisation tree and memberships.

These are the only functions that save these models; other apps call them.
"""

from allauth.account.models import EmailAddress
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from .models import Membership, Organisation, User, normalise_phone


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
    if password is not None:
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


def email_send(*, subject: str, body: str, html: str, to: list[str], from_email: str) -> None:
    """Send one email. Raises on SMTP failure so the Celery task retries it."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
