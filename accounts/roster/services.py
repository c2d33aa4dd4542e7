"""The roster services: upload and check, confirm, import, fail, discard, sweep."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Membership, RosterImport, User
from .files import MAX_UPLOAD_BYTES, RosterFileError
from .rows import Row, read_rows, resolve
from .writing import lock_imports, progress_writer, write

PREVIEW_ROWS = 50
# A checked roster can be confirmed for this long after its upload; then it is swept. The
# bound also dates an import that never ended, since a roster has no other clock.
CONFIRM_WITHIN = timedelta(days=2)
# Checking or importing this long means the worker died or the task was lost.
STUCK_AFTER = timedelta(days=2)

logger = logging.getLogger(__name__)


def _plan(roster: RosterImport, user: User | None) -> list[Row]:
    organisations, members = _scope_of(user)
    try:
        with roster.file.open("rb") as handle:
            data = handle.read()
    except (ValueError, OSError) as error:  # no file any more (ValueError), or unreadable
        raise RosterFileError(
            _("The file of this roster is no longer kept: upload it again.")
        ) from error
    rows = read_rows(data, roster.file_name)
    resolve(rows, organisations=organisations, members=members)
    return rows


def _errors(rows: list[Row]) -> list[dict]:
    return [{"row": r.number, "errors": r.errors} for r in rows if r.errors]


def _scope_of(user: User | None):
    """The units the roster may name and the memberships of the people it may match, or
    (None, None): the whole province. ``user`` None is the ``import_staff`` command, run by
    an administrator of the server."""
    if user is None:
        return None, None
    if not permissions.can(user, "import_roster"):
        raise RosterFileError(_("You may not import staff rosters."))
    organisations = permissions.organisations_scope(user)
    if organisations is None:
        return None, None
    return organisations, permissions.members_visible_to(user)


def _language(roster: RosterImport) -> str:
    """Row errors are stored in the language of the person who uploaded, whoever runs the
    check (a worker has no request to take it from)."""
    return roster.summary.get("language") or settings.LANGUAGE_CODE


@transaction.atomic
def roster_upload(
    *, user: User | None, upload: File, file_name: str, enqueue: bool = True
) -> RosterImport:
    """Keep an uploaded roster (under a random name: it holds ID numbers), CHECKING, and
    queue its check (up to 200,000 rows: a worker's job, not a request's). Without
    ``enqueue`` the caller runs ``roster_check_uploaded`` itself."""
    from ..tasks import check_roster

    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise RosterFileError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 2**20}
        )
    _scope_of(user)  # refuses, before anything is kept, someone who may not import
    roster = RosterImport(
        requested_by=user,
        file_name=file_name[:255],
        state=RosterImport.State.CHECKING,
        summary={"whole_province": user is None, "language": translation.get_language()},
    )
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "bin"
    roster.file.save(f"{secrets.token_urlsafe(16)}.{extension[:8]}", upload, save=False)
    roster.save()
    if enqueue:
        check_roster.delay(roster_id=roster.pk)
    return roster


def roster_check_uploaded(*, roster_id: int) -> RosterImport | None:
    """Check a roster ``roster_upload`` kept, as the person who uploaded it, in their language.

    Idempotent: a roster no longer CHECKING (checked, failed, swept) is left as it is; one
    whose check was interrupted is checked again from the file (a check writes nothing but
    the roster). An unexpected error rolls back and leaves it CHECKING, for a retry of the
    task; ``roster_check_fail`` ends it when there will be none.
    """
    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().filter(pk=roster_id).first()
        if roster is None or roster.state != RosterImport.State.CHECKING:
            return roster
        user = roster.requested_by
        with translation.override(_language(roster)):
            if user is None and not roster.summary.get("whole_province"):
                message = _("The person who uploaded this roster no longer exists.")
                return _check_failed(roster, message)
            return roster_check(roster=roster, user=user)


def _check_failed(roster: RosterImport, message: str) -> RosterImport:
    roster.file.delete(save=False)  # nothing to confirm; the ID numbers go at once
    roster.state = RosterImport.State.FAILED
    roster.error = message[:500]
    roster.finished_at = timezone.now()
    roster.save(update_fields=["file", "state", "error", "finished_at"])
    return roster


def roster_check_fail(*, roster_id: int) -> None:
    """The check of an upload failed for good (a bug, the time limit, retries spent): FAILED
    with a generic message (the exception's text may hold personal data; it goes to the
    log), and the file goes, as nobody can confirm the roster any more."""
    with transaction.atomic():
        roster = (
            RosterImport.objects.select_for_update()
            .filter(pk=roster_id, state=RosterImport.State.CHECKING)
            .first()
        )
        if roster is not None:
            _check_failed(roster, _stopped(checking=True, language=_language(roster)))


@transaction.atomic
def roster_check(*, roster: RosterImport, user: User | None) -> RosterImport:
    """Read and validate the roster for the preview: CHECKED with its errors and counts, or
    FAILED with the one reason the file cannot be imported. Writes no account."""
    try:
        rows = _plan(roster, user)
    except RosterFileError as error:
        return _check_failed(roster, str(error))
    good = [r for r in rows if not r.errors]
    labels = dict(Membership.TargetGroup.choices)
    roster.state = RosterImport.State.CHECKED
    roster.total = len(rows)
    roster.done = 0
    roster.errors = _errors(rows)
    roster.error = ""
    roster.summary = {
        "rows": len(rows),
        "valid": len(good),
        "error_rows": len(rows) - len(good),
        "new": sum(1 for r in good if r.user_id is None),
        "matched": sum(1 for r in good if r.user_id is not None),
        "invitations": sum(1 for r in good if r.user_id is None and r.email),
        "without_email": sum(1 for r in good if r.user_id is None and not r.email),
        "whole_province": user is None,
        "language": translation.get_language(),
        "preview": [
            {
                "row": r.number,
                "full_name": r.full_name,
                "email": r.email,
                "phone": r.phone,
                "national_id": bool(r.digest),
                "unit_code": r.unit_code,
                "unit_name": r.unit_name,
                "position": r.position,
                "target_group": str(labels[r.target_group]),
                "existing": r.user_id is not None,
            }
            for r in good[:PREVIEW_ROWS]
        ],
    }
    roster.save(update_fields=["state", "total", "done", "errors", "error", "summary"])
    return roster


@transaction.atomic
def roster_confirm(*, roster: RosterImport, user: User | None, enqueue: bool = True) -> bool:
    """The officer has read the preview: queue the import. Returns False (and changes
    nothing) unless the roster is checked, recent (``CONFIRM_WITHIN``), has a row to import,
    and ``user`` may import."""
    from ..tasks import import_roster

    roster = RosterImport.objects.select_for_update().get(pk=roster.pk)
    if roster.state != RosterImport.State.CHECKED or not roster.summary.get("valid"):
        return False
    if roster.created_at < timezone.now() - CONFIRM_WITHIN:
        return False
    if user is not None and not permissions.can(user, "import_roster"):
        return False
    RosterImport.objects.filter(pk=roster.pk).update(state=RosterImport.State.PENDING)
    if enqueue:
        import_roster.delay(roster_id=roster.pk)
    return True


@transaction.atomic
def roster_discard(*, roster: RosterImport) -> bool:
    """Drop a roster that imported nothing (checked, failed, or a check that seems lost),
    with its file. One being imported, or imported, stays on record. Returns whether it was
    dropped."""
    if roster.state not in {RosterImport.State.CHECKED, RosterImport.State.FAILED} and not (
        _check_seems_lost(roster)
    ):
        return False
    roster.file.delete(save=False)
    roster.delete()
    return True


# A check takes seconds; one still waiting after this was lost (a broker outage at upload,
# a killed worker) and is queued again when the officer's page asks.
CHECK_LOST_AFTER = timedelta(minutes=5)


def _check_seems_lost(roster: RosterImport) -> bool:
    return (
        roster.state == RosterImport.State.CHECKING
        and roster.created_at < timezone.now() - CHECK_LOST_AFTER
    )


def roster_check_requeue(*, roster: RosterImport) -> bool:
    """Queue the check of a roster again if it seems lost, at most every few minutes (the
    check is idempotent: a second one finds the roster checked and does nothing)."""
    from django.core.cache import cache

    from ..tasks import check_roster

    if not _check_seems_lost(roster):
        return False
    if not cache.add(f"roster-requeue:{roster.pk}", 1, timeout=CHECK_LOST_AFTER.seconds):
        return False
    check_roster.delay(roster_id=roster.pk)
    return True


def roster_sweep(
    *, older_than: timedelta = CONFIRM_WITHIN, stuck_after: timedelta = STUCK_AFTER
) -> int:
    """The uploaded files hold ID numbers: a roster checked and never confirmed is dropped
    after ``older_than``, and a failed one loses its file (its message stays). One stuck
    checking or importing for ``stuck_after`` (its worker died, its task was lost) is marked
    failed and loses its file too. Returns how many were swept.

    A roster records only its upload time: an import is stuck once the roster is older than
    the last moment it could be confirmed (``CONFIRM_WITHIN``) plus ``stuck_after``, so one
    confirmed late and importing now is never taken for dead.
    """
    now = timezone.now()
    states = RosterImport.State
    stuck = RosterImport.objects.filter(
        Q(state=states.CHECKING, created_at__lt=now - stuck_after)
        | Q(
            state__in=[states.PENDING, states.RUNNING],
            created_at__lt=now - CONFIRM_WITHIN - stuck_after,
        )
    )
    count = 0
    for roster in stuck.iterator():
        message = _stopped(checking=roster.state == states.CHECKING, language=_language(roster))
        # Only if it is still where it was stuck: a worker may have finished it meanwhile.
        if RosterImport.objects.filter(pk=roster.pk, state=roster.state).update(
            state=states.FAILED, error=message[:500], finished_at=now, file=""
        ):
            roster.file.delete(save=False)
            count += 1
    stale = RosterImport.objects.filter(
        created_at__lt=now - older_than, state__in=[states.CHECKED, states.FAILED]
    ).exclude(file="")
    for roster in stale.iterator():
        with transaction.atomic():
            roster.file.delete(save=False)
            if roster.state == states.CHECKED:
                roster.delete()
            else:
                roster.save(update_fields=["file"])
        count += 1
    return count


def _stopped(*, checking: bool, language: str | None = None) -> str:
    """The message for a check or an import that ended without saying why, in the language
    of the person who uploaded."""
    with translation.override(language or settings.LANGUAGE_CODE):
        if checking:
            return _(
                "Checking the file stopped because of an unexpected error. Upload it again; "
                "if it fails again, tell the administrator."
            )
        return _(
            "The import stopped because of an unexpected error, and nothing was imported. "
            "Try again; if it fails again, tell the administrator."
        )


def roster_fail(*, roster_id: int, error: str = "") -> None:
    """Mark an import failed. Without ``error``, the generic message: an exception's text may
    hold SQL or personal data, so it goes to the log, not to the page."""
    if not error:
        found = RosterImport.objects.filter(pk=roster_id).first()
        error = _stopped(checking=False, language=_language(found) if found else None)
    message = error
    RosterImport.objects.filter(pk=roster_id).exclude(state=RosterImport.State.DONE).update(
        state=RosterImport.State.FAILED, error=message[:500], finished_at=timezone.now()
    )


def roster_import(*, roster_id: int) -> RosterImport | None:
    """Import a confirmed roster: every good row, or nothing.

    Idempotent: a checked (unconfirmed) or finished roster is left as it is; one interrupted
    (worker lost, retried) starts again from the file, its first attempt having been rolled
    back. The file is read and every row checked again, against the database and the
    requester's scope as they are now; rows that have become wrong are skipped and listed.

    All writes happen in one transaction, so a fatal error (the file gone, the database, a
    bug, the time limit) leaves no account or membership behind. Progress must still reach
    the officer's page while that transaction is open, and on PostgreSQL nothing written in
    it is visible to others before the commit; so ``done`` is written through a second
    database connection in autocommit. That connection only ever touches the ``done`` column
    of this roster's row, which the import transaction does not lock until its last
    statement, so the two cannot wait for each other. Where a second connection cannot help
    (SQLite, or when called inside an outer transaction, as in tests) progress is written in
    the transaction and seen at the end.

    Imports are serialised by a transaction-level advisory lock on PostgreSQL (SQLite
    serialises writers anyway): two rosters naming the same new person one after the other
    then match the account the first created instead of failing on the unique email.
    """
    roster = RosterImport.objects.select_related("requested_by").filter(pk=roster_id).first()
    if roster is None or roster.state in {RosterImport.State.CHECKED, RosterImport.State.DONE}:
        return roster
    started = (
        RosterImport.objects.filter(pk=roster.pk)
        .exclude(state__in=[RosterImport.State.CHECKED, RosterImport.State.DONE])
        .update(state=RosterImport.State.RUNNING, done=0, error="")
    )
    if not started:
        return roster
    try:
        with (
            translation.override(_language(roster)),
            progress_writer(roster.pk) as progress,
            transaction.atomic(),
        ):
            lock_imports()
            if RosterImport.objects.filter(pk=roster.pk, state=RosterImport.State.DONE).exists():
                return roster  # the same task, delivered twice, finished meanwhile
            user = roster.requested_by
            if user is None and not roster.summary.get("whole_province"):
                raise RosterFileError(_("The person who uploaded this roster no longer exists."))
            rows = _plan(roster, user)
            summary = write(rows, roster, progress)
            RosterImport.objects.filter(pk=roster.pk).update(
                state=RosterImport.State.DONE,
                total=len(rows),
                done=len(rows),
                errors=_errors(rows),
                summary=summary,
                file="",
                finished_at=timezone.now(),
            )
            file_name = roster.file.name
            storage = roster.file.storage
            # The ID numbers in the file are kept no longer than needed.
            transaction.on_commit(lambda: storage.delete(file_name) if file_name else None)
    except RosterFileError as error:
        roster_fail(roster_id=roster.pk, error=str(error))
    except Exception:
        # Everything was rolled back; the page says so (a retry of the task, after a lost
        # connection, sets it running again). The exception goes on, to the log and Celery.
        logger.exception("Roster import %s failed", roster.pk)
        roster_fail(roster_id=roster.pk)
        raise
    roster.refresh_from_db()
    return roster
