"""Writing a checked roster: accounts, addresses, memberships and invitations in bulk."""

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator, default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Membership, OutgoingEmail, RosterImport, User
from ..services import emails_queue
from ..signals import memberships_changed
from .rows import Row, chunks

CHUNK = 1000  # rows written, and progress saved, per step


@contextmanager
def progress_writer(roster_pk: int) -> Iterator[Callable[[int], None]]:
    """A function saving how many rows are done, seen by the officer's page at once: through
    a second connection in autocommit on PostgreSQL, where the import's own transaction
    hides its writes until it commits (see ``roster_import``)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:

        def inline(done: int) -> None:
            RosterImport.objects.filter(pk=roster_pk).update(done=done)

        yield inline
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    quote = side.ops.quote_name
    sql = "UPDATE {} SET {} = %s WHERE {} = %s".format(  # noqa: S608 (names from the model)
        quote(RosterImport._meta.db_table), quote("done"), quote("id")
    )

    def separate(done: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(sql, [done, roster_pk])

    try:
        yield separate
    finally:
        side.close()


def lock_imports() -> None:
    """One roster import at a time, until the caller's transaction ends (PostgreSQL; SQLite
    lets one writer in anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x524F53544552])  # "ROSTER"


def write(rows: list[Row], roster: RosterImport, progress: Callable[[int], None]) -> dict:
    """Accounts, addresses, memberships and invitations for the good rows, a chunk at a
    time, in the caller's transaction. Returns the summary."""
    good = [r for r in rows if not r.errors]
    usernames = _usernames([r for r in good if r.user_id is None])
    counts = dict.fromkeys(
        ("created", "matched", "memberships_added", "memberships_updated", "invited"), 0
    )
    counts["without_email"] = 0
    for start in range(0, len(rows), CHUNK):
        chunk = [r for r in rows[start : start + CHUNK] if not r.errors]
        if chunk:
            _write_chunk(chunk, usernames, counts)
        progress(min(start + CHUNK, len(rows)))
    return {
        "rows": len(rows),
        "valid": len(good),
        "error_rows": len(rows) - len(good),
        "memberships": counts["memberships_added"] + counts["memberships_updated"],
        "whole_province": roster.summary.get("whole_province", False),
        **counts,
    }


def _write_chunk(rows: list[Row], usernames: dict[int, str], counts: dict[str, int]) -> None:
    """New accounts for the rows matching none, and a membership for every row.

    An existing account is never written to: not its name, email, phone or ID, and no
    address is added to it. A roster is a list typed by someone else, and an address it
    adds (verified, with a link to choose the password) would hand the account to whoever
    owns that mailbox. Only the accounts created here are invited.
    """
    matched = [r.user_id for r in rows if r.user_id]
    new_users: list[User] = [
        User(
            username=usernames[row.number],
            email=row.email,
            full_name=row.full_name,
            phone=row.phone,
            national_id_digest=row.digest,
            # ``make_password(None)``, with a faster source of the same randomness.
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
        )
        for row in rows
        if row.user_id is None
    ]
    User.objects.bulk_create(new_users)
    addresses: list[EmailAddress] = []
    invite: list[tuple[User, Row]] = []
    new_by_username = {u.username: u for u in new_users}
    for row in rows:
        if row.user_id is None:
            user = new_by_username[usernames[row.number]]
            row.user_id = user.pk
            if row.email:
                addresses.append(
                    EmailAddress(user=user, email=row.email, primary=True, verified=True)
                )
                invite.append((user, row))
            else:
                counts["without_email"] += 1
    EmailAddress.objects.bulk_create(addresses, ignore_conflicts=True)

    had = set(
        Membership.objects.filter(user_id__in=matched).values_list("user_id", "organisation_id")
    )
    # The role is left as it is: an HR officer or teacher listed in the roster stays one.
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=r.user_id,
                organisation_id=r.organisation_id,
                position=r.position,
                target_group=r.target_group,
            )
            for r in rows
        ],
        update_conflicts=True,
        unique_fields=["user", "organisation"],
        update_fields=["position", "target_group"],
    )
    updated = sum(1 for r in rows if (r.user_id, r.organisation_id) in had)
    counts["memberships_updated"] += updated
    counts["memberships_added"] += len(rows) - updated
    counts["created"] += len(new_users)
    counts["matched"] += len(rows) - len(new_users)
    counts["invited"] += _invite(invite)
    # Inside the transaction: a listener's bookkeeping commits or rolls back with the import.
    memberships_changed.send(sender=RosterImport, user_ids=[r.user_id for r in rows])


def _username_base(row: Row) -> str:
    """From the email's local part, else the name: "Nguyễn Văn An" → "nguyenvanan". A phone
    number is never a username, which other people may see."""
    source = row.email.split("@", 1)[0] if row.email else row.full_name
    value = unicodedata.normalize("NFD", source.replace("đ", "d").replace("Đ", "D"))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9._-]", "", value).strip("._-")[:30] or "nguoidung"


def _usernames(rows: list[Row]) -> dict[int, str]:
    """A unique username for each new account (row number → username).

    Compared case-insensitively, as allauth looks usernames up. A taken name gets a number
    (``nguyenvanan2``, ``nguyenvanan3``…); each round asks the database about the names still
    in doubt only, and after a few rounds a random suffix ends the search.
    """
    bases = {r.number: _username_base(r) for r in rows}
    wanted = dict(bases)
    counter: dict[str, int] = {}
    used: set[str] = set()
    pending = [r.number for r in rows]
    for _round in range(8):
        taken: set[str] = set()
        for chunk in chunks({wanted[n] for n in pending}):
            taken.update(
                User.objects.annotate(lower=Lower("username"))
                .filter(lower__in=chunk)
                .values_list("lower", flat=True)
            )
        still = []
        for number in pending:
            name = wanted[number]
            if name in taken or name in used:
                base = bases[number]
                counter[base] = counter.get(base, 1) + 1
                wanted[number] = f"{base}{counter[base]}"
                still.append(number)
            else:
                used.add(name)
        pending = still
        if not pending:
            return wanted
    for number in pending:
        wanted[number] = f"{bases[number]}.{secrets.token_hex(4)}"
    return wanted


class _NewAccountTokens(EmailAwarePasswordResetTokenGenerator):
    """allauth's password-reset token for an account created in this import, whose only
    address is ``user.email``: the same token, without the two queries per person allauth
    spends finding the addresses, which 100,000 new accounts cannot afford. The tests follow
    an invitation link through allauth's own view, so a change in allauth shows at once."""

    def _make_hash_value(self, user, timestamp) -> str:
        return PasswordResetTokenGenerator._make_hash_value(self, user, timestamp) + user.email


_new_account_tokens = _NewAccountTokens()


def _invite(people: list[tuple[User, Row]]) -> int:
    """Email each person whose account this import created a link to set their password
    (queued in the outbox, sent by the worker once the import commits).

    The link is allauth's password reset, so the page, its checks and its expiry are the
    ones every user knows. The address was marked verified when the account was made: it
    comes from the agency's own roster, and opening this link (the only way to a password)
    proves the mailbox just as a confirmation email would, so a second email to the same
    address before the first login would add a step and no safety. Accounts without an
    email get none (there is no SMS); the summary counts them.
    """
    if not people:
        return 0
    generic = type(default_token_generator) is EmailAwarePasswordResetTokenGenerator
    site = settings.SITE_URL.rstrip("/")
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    emails = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = prefix + _("Your account on Bình dân học vụ số")
        text = _(
            "Hello %(name)s,\n\n"
            "%(unit)s has registered you on Bình dân học vụ số, the digital skills platform, "
            "so you can take the courses assigned to you.\n\n"
            "Your username: %(username)s\n"
            "Your email address: %(email)s\n\n"
            "Choose your password here (the link works once, for %(days)s days):\n"
            "%(link)s\n\n"
            "Then log in at %(login)s. If the link has expired, ask for a new one at "
            "%(reset)s with this email address.\n"
        )
        login_url = site + reverse("account_login")
        reset_url = site + reverse("account_reset_password")
        # Reversed once, filled in per person, as allauth builds its own reset links.
        key_url = site + reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
        )
    for user, row in people:
        tokens = _new_account_tokens if generic else default_token_generator
        key = f"{user_pk_to_url_str(user)}-{tokens.make_token(user)}"
        body = text % {
            "name": user.full_name,
            "unit": row.unit_name,
            "username": user.username,
            "email": user.email,
            "days": days,
            "link": key_url.replace("UID-KEY", key),
            "login": login_url,
            "reset": reset_url,
        }
        emails.append(
            OutgoingEmail(
                subject=subject,
                body=body,
                html="",
                to=[user.email],
                from_email=settings.DEFAULT_FROM_EMAIL,
            )
        )
    emails_queue(emails)
    return len(emails)
