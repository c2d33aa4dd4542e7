"""The roster services: upload and check, confirm, import, fail, discard."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Membership, RosterImport, User
from .files import MAX_UPLOAD_BYTES, RosterFileError
from .rows import Row, read_rows, resolve
from .writing import lock_imports, progress_writer, write

PREVIEW_ROWS = 50

logger = logging.getLogger(__name__)


def _plan(roster: RosterImport, scope) -> list[Row]:
    try:
        with roster.file.open("rb") as handle:
            data = handle.read()
    except (ValueError, OSError) as error:  # no file any more (ValueError), or unreadable
        raise RosterFileError(
            _("The file of this roster is no longer kept: upload it again.")
        ) from error
    rows = read_rows(data, roster.file_name)
    resolve(rows, scope)
    return rows


def _errors(rows: list[Row]) -> list[dict]:
    return [{"row": r.number, "errors": r.errors} for r in rows if r.errors]


def _scope_of(user: User | None):
    """Whose units the roster may name. ``user`` None is the ``import_staff`` command, run by
    an administrator of the server: the whole province."""
    if user is None:
        return None
    if not permissions.can(user, "import_roster"):
        raise RosterFileError(_("You may not import staff rosters."))
    return permissions.organisations_scope(user)


@transaction.atomic
def roster_upload(*, user: User | None, upload: File, file_name: str) -> RosterImport:
    """Keep an uploaded roster (under a random name: it holds ID numbers) and check it."""
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise RosterFileError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 2**20}
        )
    roster = RosterImport(requested_by=user, file_name=file_name[:255])
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "bin"
    roster.file.save(f"{secrets.token_urlsafe(16)}.{extension[:8]}", upload, save=False)
    roster.save()
    return roster_check(roster=roster, user=user)


@transaction.atomic
def roster_check(*, roster: RosterImport, user: User | None) -> RosterImport:
    """Read and validate the roster for the preview: CHECKED with its errors and counts, or
    FAILED with the one reason the file cannot be imported. Writes no account."""
    try:
        rows = _plan(roster, _scope_of(user))
    except RosterFileError as error:
        roster.file.delete(save=False)  # nothing to confirm; the ID numbers go at once
        roster.state = RosterImport.State.FAILED
        roster.error = str(error)[:500]
        roster.finished_at = timezone.now()
        roster.save(update_fields=["file", "state", "error", "finished_at"])
        return roster
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
    nothing) unless the roster is checked, has a row to import, and ``user`` may import."""
    from ..tasks import import_roster

    roster = RosterImport.objects.select_for_update().get(pk=roster.pk)
    if roster.state != RosterImport.State.CHECKED or not roster.summary.get("valid"):
        return False
    if user is not None and not permissions.can(user, "import_roster"):
        return False
    RosterImport.objects.filter(pk=roster.pk).update(state=RosterImport.State.PENDING)
    if enqueue:
        import_roster.delay(roster_id=roster.pk)
    return True


@transaction.atomic
def roster_discard(*, roster: RosterImport) -> bool:
    """Drop a roster that imported nothing (checked, or failed), with its file. One being
    imported, or imported, stays on record. Returns whether it was dropped."""
    if roster.state not in {RosterImport.State.CHECKED, RosterImport.State.FAILED}:
        return False
    roster.file.delete(save=False)
    roster.delete()
    return True


def roster_sweep(*, older_than: timedelta = timedelta(days=2)) -> int:
    """The uploaded files hold ID numbers: a roster checked and never confirmed is dropped
    after ``older_than``, and a failed one loses its file (its message stays). Returns how
    many were swept."""
    stale = RosterImport.objects.filter(
        created_at__lt=timezone.now() - older_than,
        state__in=[RosterImport.State.CHECKED, RosterImport.State.FAILED],
    ).exclude(file="")
    count = 0
    for roster in stale.iterator():
        with transaction.atomic():
            roster.file.delete(save=False)
            if roster.state == RosterImport.State.CHECKED:
                roster.delete()
            else:
                roster.save(update_fields=["file"])
        count += 1
    return count


def roster_fail(*, roster_id: int, error: str = "") -> None:
    """Mark an import failed. Without ``error``, the generic message: an exception's text may
    hold SQL or personal data, so it goes to the log, not to the page."""
    with translation.override(settings.LANGUAGE_CODE):
        message = error or _(
            "The import stopped because of an unexpected error, and nothing was imported. "
            "Try again; if it fails again, tell the administrator."
        )
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
        with progress_writer(roster.pk) as progress, transaction.atomic():
            lock_imports()
            if RosterImport.objects.filter(pk=roster.pk, state=RosterImport.State.DONE).exists():
                return roster  # the same task, delivered twice, finished meanwhile
            user = roster.requested_by
            if user is None and not roster.summary.get("whole_province"):
                raise RosterFileError(_("The person who uploaded this roster no longer exists."))
            rows = _plan(roster, _scope_of(user))
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
