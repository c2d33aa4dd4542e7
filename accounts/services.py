"""Writes to accounts: users, the organisation tree and memberships.

These are the only functions that save these models; other apps call them.
"""

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .models import (
    Membership,
    MembershipMove,
    Organisation,
    OutgoingEmail,
    User,
    normalise_phone,
)
from .signals import memberships_changed


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


def email_queue(
    *, subject: str, body: str, html: str, to: list[str], from_email: str
) -> OutgoingEmail:
    """Put one email in the outbox and have it sent once this transaction commits."""
    [email] = emails_queue(
        [OutgoingEmail(subject=subject, body=body, html=html, to=to, from_email=from_email)]
    )
    return email


EMAILS_PER_TASK = 100  # at a slow mail server's 10 a second, well within a task's limit


def emails_queue(emails: list[OutgoingEmail]) -> list[OutgoingEmail]:
    """Put these emails (unsaved rows) in the outbox in one insert, and have them sent once
    this transaction commits: one alone by its own task, more (a batch of certificates, a
    roster's invitations) a hundred to a task over one connection to the mail server."""
    from .tasks import send_email, send_emails  # tasks import services: deferred, not circular

    with transaction.atomic():
        OutgoingEmail.objects.bulk_create(emails)
    if len(emails) == 1:
        send_email.delay(email_id=emails[0].pk)
    else:
        for start in range(0, len(emails), EMAILS_PER_TASK):
            batch = emails[start : start + EMAILS_PER_TASK]
            send_emails.delay(email_ids=[email.pk for email in batch])
    return emails


def emails_send(*, email_ids: list[int]) -> list[int]:
    """Send these queued emails over one connection to the mail server (one SMTP session
    for a batch, not one each). Returns the ids not sent, for each to be retried on its own;
    every attempt is recorded on its row as ``email_send`` records it."""
    delivery = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    try:
        delivery.open()
    except OSError:  # the server is not answering: each is retried on its own
        return list(email_ids)
    failed = []
    try:
        for email_id in email_ids:
            try:
                email_send(email_id=email_id, connection=delivery)
            except EmailNotSent:
                failed.append(email_id)
    finally:
        delivery.close()
    return failed


def email_send(*, email_id: int, connection=None) -> bool:
    """Send a queued email unless it was sent already. Returns whether it was sent now.

    The row is locked while sending, so two workers given the same task send it once.
    On failure the attempt is recorded and ``EmailNotSent`` raised for the task to retry.
    ``connection``: an open connection to the mail server to send it over (a batch's).
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
            connection=connection or get_connection(settings.EMAIL_DELIVERY_BACKEND),
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


# ---------------------------------------------------------------------------------------------
# The organisation tree (issue 7): create, edit, move, close and merge organisations.
#
# A node is never deleted: memberships, reports and certificates of the past refer to it. It is
# closed (``active_until``, the last day it existed) and, when merged, points at the
# organisation it became (``merged_into``). Treebeard trap: an instance held in memory keeps a
# stale path and ``numchild`` once other nodes change, so every function here re-reads the
# nodes it writes from the database.
# ---------------------------------------------------------------------------------------------


class OrganisationRefused(ValidationError):
    """A change to the tree that would break it or lose history; the message says why, in
    the language of the request."""

    def __str__(self) -> str:
        return " ".join(self.messages)


def _fresh(organisation: Organisation, *, lock: bool = False) -> Organisation:
    rows = Organisation.objects.select_for_update() if lock else Organisation.objects
    return rows.get(pk=organisation.pk)


def _subtree(organisation: Organisation):
    return Organisation.objects.filter(path__startswith=organisation.path)


def _check_fields(*, name: str, kind: str, active_from: date | None, active_until: date | None):
    if not name:
        raise OrganisationRefused(gettext("Give the organisation a name."))
    if len(name) > Organisation._meta.get_field("name").max_length:
        raise OrganisationRefused(gettext("The name is too long."))
    if kind not in Organisation.Kind.values:
        raise OrganisationRefused(gettext("Choose what kind of organisation this is."))
    if active_from and active_until and active_until < active_from:
        raise OrganisationRefused(
            gettext("The last day of an organisation cannot come before its first day.")
        )


def _check_closable(organisation: Organisation) -> None:
    """An organisation closes only once nothing current hangs off it: no active unit below
    it and nobody belonging to it or to its units (their reports would point at a ghost)."""
    below = _subtree(organisation).exclude(pk=organisation.pk)
    if below.filter(active_until__isnull=True).exists():
        raise OrganisationRefused(
            gettext("%(name)s (%(code)s) still has active units: move, merge or close them first.")
            % {"name": organisation.name, "code": organisation.code}
        )
    if Membership.objects.filter(organisation__path__startswith=organisation.path).exists():
        raise OrganisationRefused(
            gettext(
                "People still belong to %(name)s (%(code)s): merge it into another "
                "organisation, which carries them over, or move them first."
            )
            % {"name": organisation.name, "code": organisation.code}
        )


@transaction.atomic
def organisation_create(
    *,
    parent: Organisation | None,
    code: str,
    name: str,
    kind: str,
    active_from: date | None = None,
) -> Organisation:
    """Add an active organisation under ``parent`` (a root when None), kept sorted by code."""
    code, name = code.strip(), " ".join(name.split())
    if not code:
        raise OrganisationRefused(gettext("Give the organisation a code."))
    if len(code) > Organisation._meta.get_field("code").max_length:
        raise OrganisationRefused(gettext("The code is too long."))
    _check_fields(name=name, kind=kind, active_from=active_from, active_until=None)
    if Organisation.objects.filter(code=code).exists():
        raise OrganisationRefused(
            gettext("An organisation with code %(code)s already exists.") % {"code": code}
        )
    fields = {"code": code, "name": name, "kind": kind, "active_from": active_from}
    if parent is None:
        return Organisation.add_root(**fields)
    parent = _fresh(parent, lock=True)
    if not parent.is_active:
        raise OrganisationRefused(
            gettext("%(name)s is closed: nothing can be added under it.") % {"name": parent.name}
        )
    return parent.add_child(**fields)


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    name: str,
    kind: str,
    active_from: date | None,
    active_until: date | None,
) -> Organisation:
    """Change what an organisation is called, its kind and its dates, keeping its place.

    Setting the last day closes it, with the same checks as ``organisation_close``; a merged
    organisation cannot be reopened (its people were carried to the one it became), only its
    date corrected.
    """
    organisation = _fresh(organisation, lock=True)
    name = " ".join(name.split())
    _check_fields(name=name, kind=kind, active_from=active_from, active_until=active_until)
    if active_until is not None and organisation.is_active:
        _check_closable(organisation)
    if active_until is None and not organisation.is_active:
        if organisation.merged_into_id is not None:
            raise OrganisationRefused(
                gettext("%(name)s was merged into another organisation and cannot be reopened.")
                % {"name": organisation.name}
            )
        parent = organisation.get_parent(update=True)
        if parent is not None and not parent.is_active:
            raise OrganisationRefused(
                gettext("%(name)s is closed: nothing under it can be reopened.")
                % {"name": parent.name}
            )
    organisation.name = name
    organisation.kind = kind
    organisation.active_from = active_from
    organisation.active_until = active_until
    organisation.save(update_fields=["name", "kind", "active_from", "active_until"])
    return organisation


@transaction.atomic
def organisation_move(
    *, organisation: Organisation, new_parent: Organisation | None
) -> Organisation:
    """Put an organisation, with everything under it, under ``new_parent`` (a root when None).

    This changes whose HR officers see its people, so it is its own deliberate operation.
    A closed organisation stays where it was, so its history reads as it was. The people of
    the subtree are announced (``memberships_changed``) with the old parent, so the counts
    above both places are redone.
    """
    organisation = _fresh(organisation, lock=True)
    if not organisation.is_active:
        raise OrganisationRefused(
            gettext("%(name)s is closed and stays where it was.") % {"name": organisation.name}
        )
    current = organisation.get_parent(update=True)
    if new_parent is None:
        if current is None:
            return organisation
        organisation.move(Organisation.get_first_root_node(), "sorted-sibling")
        _announce_move(organisation, current)
        return _fresh(organisation)
    new_parent = _fresh(new_parent, lock=True)
    if new_parent.path.startswith(organisation.path):
        raise OrganisationRefused(
            gettext("%(name)s cannot be moved under itself or one of its own units.")
            % {"name": organisation.name}
        )
    if not new_parent.is_active:
        raise OrganisationRefused(
            gettext("%(name)s is closed: nothing can be moved under it.")
            % {"name": new_parent.name}
        )
    if current is not None and current.pk == new_parent.pk:
        return organisation
    organisation.move(new_parent, "sorted-child")
    _announce_move(organisation, current)
    return _fresh(organisation)


def _announce_move(organisation: Organisation, old_parent: Organisation | None) -> None:
    moved = _fresh(organisation)
    user_ids = list(
        Membership.objects.filter(organisation__path__startswith=moved.path)
        .values_list("user_id", flat=True)
        .distinct()
    )
    if user_ids:
        memberships_changed.send(
            sender=Organisation,
            user_ids=user_ids,
            organisation_ids=[old_parent.pk] if old_parent else [],
        )


@transaction.atomic
def organisation_close(*, organisation: Organisation, on: date) -> Organisation:
    """Dissolve an organisation: ``on`` is its last day. It stays in the tree, closed."""
    organisation = _fresh(organisation, lock=True)
    if not organisation.is_active:
        raise OrganisationRefused(
            gettext("%(name)s is already closed.") % {"name": organisation.name}
        )
    if organisation.active_from and on < organisation.active_from:
        raise OrganisationRefused(
            gettext("The last day of an organisation cannot come before its first day.")
        )
    _check_closable(organisation)
    organisation.active_until = on
    organisation.save(update_fields=["active_until"])
    return organisation


# A person keeps one membership in a merged organisation: the strongest role they held.
ROLE_RANK = {
    Membership.Role.MEMBER: 0,
    Membership.Role.TEACHER: 1,
    Membership.Role.HR_OFFICER: 2,
    Membership.Role.PROVINCE_ADMIN: 3,
}


def _carried_role(role: str) -> str:
    """An HR officer saw the people of the old organisation only; the merged one's people are
    not theirs to see until an administrator says so."""
    return Membership.Role.MEMBER if role == Membership.Role.HR_OFFICER else role


@transaction.atomic
def organisation_merge(*, sources: list[Organisation], into: Organisation, on: date) -> int:
    """Merge ``sources`` into ``into`` from the day ``on`` (the 2025 commune merges).

    ``on`` is the first day of the merged organisation: each source's last day
    (``active_until``) is the day before, and it points at ``into``. Sources stay in the tree
    with their code and name, so old reports and lists still resolve. Every membership of a
    source moves to ``into``, and a ``MembershipMove`` row dated ``on`` records where it came
    from; a person already in ``into`` (or in two sources) keeps one membership, the one
    found first, and still gets a history row for each source. An HR officer's role is not
    carried: it covered the old organisation only, and the merged one's people are someone
    else's to see until an administrator grants it again.

    Refused, changing nothing: merging into itself or one of its own units, into a closed
    organisation, a closed source, or a source that still has active units (move or merge
    them first; carrying them silently would change who sees their people). Returns the
    number of history rows written.
    """
    if not sources:
        raise OrganisationRefused(gettext("Choose the organisations to merge."))
    if on > timezone.localdate():
        # Its people would move today while it still existed, and its figures be lost.
        raise OrganisationRefused(
            gettext(
                "A merge is recorded once it has taken effect: the date cannot be in the future."
            )
        )
    into = _fresh(into, lock=True)
    source_ids = list(dict.fromkeys(source.pk for source in sources))
    if into.pk in source_ids:
        raise OrganisationRefused(
            gettext("%(name)s cannot be merged into itself.") % {"name": into.name}
        )
    if not into.is_active:
        raise OrganisationRefused(
            gettext("%(name)s is closed: nothing can be merged into it.") % {"name": into.name}
        )
    if into.active_from and on < into.active_from:
        raise OrganisationRefused(
            gettext("%(name)s only exists from %(date)s.")
            % {"name": into.name, "date": into.active_from.strftime("%d/%m/%Y")}
        )
    merged = list(
        Organisation.objects.select_for_update().filter(pk__in=source_ids).order_by("path")
    )
    last_day = on - timedelta(days=1)
    for source in merged:
        if not source.is_active:
            raise OrganisationRefused(
                gettext("%(name)s (%(code)s) is already closed or merged.")
                % {"name": source.name, "code": source.code}
            )
        if into.path.startswith(source.path):
            raise OrganisationRefused(
                gettext("%(name)s cannot be merged into one of its own units.")
                % {"name": source.name}
            )
        if source.active_from and last_day < source.active_from:
            raise OrganisationRefused(
                gettext("%(name)s only exists from %(date)s.")
                % {"name": source.name, "date": source.active_from.strftime("%d/%m/%Y")}
            )
        if _subtree(source).exclude(pk=source.pk).filter(active_until__isnull=True).exists():
            raise OrganisationRefused(
                gettext("%(name)s (%(code)s) still has active units: move or merge them first.")
                % {"name": source.name, "code": source.code}
            )

    # user id → [the membership they keep, its role once merged]
    kept = {
        user_id: [pk, role]
        for pk, user_id, role in Membership.objects.select_for_update()
        .filter(organisation=into)
        .values_list("pk", "user_id", "role")
    }
    original_roles = {pk: role for pk, role in kept.values()}
    carried: list[int] = []
    dropped: list[int] = []
    moves: list[MembershipMove] = []
    for membership in (
        Membership.objects.select_for_update(of=("self",))
        .filter(organisation_id__in=[source.pk for source in merged])
        .order_by("organisation__path", "pk")
    ):
        original_roles[membership.pk] = membership.role
        role = _carried_role(membership.role)
        if membership.user_id in kept:
            dropped.append(membership.pk)
            keep = kept[membership.user_id]
            if ROLE_RANK[role] > ROLE_RANK[keep[1]]:
                keep[1] = role  # a teacher or administrator stays one in the merged organisation
        else:
            carried.append(membership.pk)
            kept[membership.user_id] = [membership.pk, role]
        moves.append(
            MembershipMove(
                user_id=membership.user_id,
                from_organisation_id=membership.organisation_id,
                to_organisation=into,
                target_group=membership.target_group,
                position=membership.position,
                moved_on=on,
            )
        )
    Membership.objects.filter(pk__in=dropped).delete()
    Membership.objects.filter(pk__in=carried).update(organisation=into)
    changed: dict[str, list[int]] = {}
    for pk, role in kept.values():
        if role != original_roles[pk]:
            changed.setdefault(role, []).append(pk)
    for role, pks in changed.items():
        Membership.objects.filter(pk__in=pks).update(role=role)
    MembershipMove.objects.bulk_create(moves)
    Organisation.objects.filter(pk__in=[source.pk for source in merged]).update(
        active_until=last_day, merged_into=into
    )
    user_ids = sorted({move.user_id for move in moves})
    if user_ids:
        # Inside the transaction: a listener's bookkeeping commits or rolls back with the merge.
        memberships_changed.send(
            sender=Organisation,
            user_ids=user_ids,
            organisation_ids=[source.pk for source in merged],
        )
    return len(moves)
