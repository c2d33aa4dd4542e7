"""Writes of certificates: issue, render, notify, re-issue, revoke, arm a course, export.

Issuing is split into idempotent steps, so a task redelivered after a worker died at any
point finishes the job without doing any step twice:

1. ``certificate_issue`` creates the row (serial, code) unless the learner has one for the
   course: the unique constraint decides between concurrent attempts;
2. ``certificates_finish``, in a second transaction with the rows locked, draws the PDF if
   the stored one is older than the certificate and queues the email once (the outbox row
   and ``notified_at`` are written together). The sweep finishes what a lost task left the
   same way; ``certificate_render`` draws a PDF alone (one asked for, an export).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import secrets
import tempfile
import unicodedata
import zipfile
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.spreadsheets import cell_text
from courses.models import CoursePage
from learning import selectors as learning_selectors
from learning.models import CourseCompletion

from . import pdf, selectors
from .models import (
    Certificate,
    CertificateEvent,
    CertificateExport,
    CertificateTemplate,
    CourseCertification,
    SerialCounter,
)
from .signals import certificates_changed

logger = logging.getLogger(__name__)

CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read off paper too


class CertificateError(Exception):
    """A refused action; the message is for the person who asked."""


def code_new() -> str:
    """An unguessable verification code: 22 characters, about 110 bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(22))


def recipient_hash(email: str, salt: str) -> str:
    """Open Badges 2.0 hashed identity: sha256 of the lower-cased email followed by the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def _counter_locked(year: int) -> SerialCounter:
    """The year's serial counter, locked until the transaction ends. Every new certificate
    takes this lock, so whoever holds it sees every certificate committed before."""
    SerialCounter.objects.get_or_create(year=year)
    return SerialCounter.objects.select_for_update().get(year=year)


def _serials_next(year: int, count: int = 1) -> list[str]:
    """The next ``count`` serials of ``year``, e.g. NA-2026-000123. The counter row stays
    locked until the transaction ends, so serials are unique and, if the certificates are not
    created after all, the numbers are given back with the rollback: no gaps.

    One ``UPDATE … RETURNING`` takes the lock and the numbers (a lock, a read and a write
    were three statements of every certificate); the year's first certificate creates the
    row first. Only the model's own names are put into the SQL; the values are parameters."""
    table, column, key = (
        connection.ops.quote_name(name) for name in (SerialCounter._meta.db_table, "last", "year")
    )
    sql = f"UPDATE {table} SET {column} = {column} + %s WHERE {key} = %s RETURNING {column}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, year])
        row = cursor.fetchone()
        if row is None:
            SerialCounter.objects.get_or_create(year=year)
            cursor.execute(sql, [count, year])
            row = cursor.fetchone()
    last = row[0]
    prefix = settings.CERTIFICATE_SERIAL_PREFIX
    return [f"{prefix}-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def _certificate_new(
    *, user, course, template, serial: str, now, expires_at, grade=""
) -> Certificate:
    salt = secrets.token_hex(8)
    return Certificate(
        user=user,
        course=course,
        course_key=course.pk,
        template=template,
        issuing_body=template.issuing_body,
        serial=serial,
        code=code_new(),
        holder_name=user.get_full_name(),
        course_title=course.title,
        issuing_body_name=template.issuing_body.name,
        issued_at=now,
        expires_at=expires_at,
        grade=grade,
        recipient_salt=salt,
        recipient_hash=recipient_hash(user.email or user.username, salt),
        version=1,
    )


def _expiry(course: CoursePage | None, issued_at: datetime) -> datetime | None:
    months = selectors.valid_months(course)
    return issued_at + relativedelta(months=months) if months else None


def certificate_issue(
    *,
    user,
    course: CoursePage,
    by_hand: bool = False,
    actor=None,
    reason: str = "",
    grade: str = "",
    render: bool = True,
) -> tuple[Certificate, bool]:
    """Issue ``user`` the certificate of ``course``, or return the one they have.

    Returns the certificate and whether this call created it. ``by_hand`` marks an issue by
    an administrator (``actor``, or a command), for which a reason is required; it needs
    neither a completion nor an armed course. With ``render`` the PDF is drawn and the
    learner emailed at once.
    """
    if by_hand and not reason.strip():
        raise CertificateError(_("Give a reason for issuing by hand."))
    certificate = Certificate.objects.filter(user=user, course=course).first()
    created = False
    if certificate is None:
        template = selectors.template_for(course)
        if template is None:
            raise CertificateError(_("There is no active certificate template for this course."))
        now = timezone.now()
        try:
            # Its own transaction (a savepoint if the caller has one): the unique constraint
            # decides between concurrent issues, and the loser's work is rolled back whole.
            with transaction.atomic():
                [serial] = _serials_next(timezone.localtime(now).year)
                certificate = _certificate_new(
                    user=user,
                    course=course,
                    template=template,
                    serial=serial,
                    now=now,
                    expires_at=_expiry(course, now),
                    grade=grade,
                )
                certificate.save(force_insert=True)
                CertificateEvent.objects.create(
                    certificate=certificate,
                    kind=(
                        CertificateEvent.Kind.ISSUED_BY_HAND
                        if by_hand
                        else CertificateEvent.Kind.ISSUED
                    ),
                    reason=reason.strip(),
                    actor=actor,
                )
                certificates_changed.send(sender=Certificate, user_ids=[user.pk])
                created = True
        except IntegrityError:
            # Issued a moment ago by a concurrent completion or a redelivered task.
            certificate = Certificate.objects.get(user=user, course=course)
    if render:
        certificate = _finish(certificate)
    return certificate, created


def _finish(certificate: Certificate) -> Certificate:
    """Draw the PDF and queue the email of one certificate, each if missing, in one
    transaction (waiting for a worker that holds the row to finish with it)."""
    found = certificates_finish(pks=[certificate.pk], wait=True)
    if not found:
        raise Certificate.DoesNotExist(f"certificate {certificate.pk} was deleted")
    [certificate] = found
    if _needs_drawing(certificate):
        raise CertificateError(_("There is no active certificate template for this course."))
    return certificate


def _finish_if_unfinished(certificate: Certificate) -> None:
    """``_finish`` only when its PDF or its email is missing: a finished one costs no lock."""
    if _needs_drawing(certificate) or _wants_notice(certificate):
        _finish(certificate)


def content_for(certificate: Certificate, template: CertificateTemplate) -> pdf.CertificateContent:
    body = template.issuing_body
    return pdf.CertificateContent(
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        serial=certificate.serial,
        verify_url=certificate.verify_url,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        grade=certificate.grade,
        issuer_parent=body.parent_name,
        issuer_name=certificate.issuing_body_name,
        place=body.place,
        national_header=template.national_header,
        heading=template.heading,
        body_text=template.body_text,
        signatory_name=template.signatory_name,
        signatory_title=template.signatory_title,
        signature_path=_image_path(template.signature_image),
        background_path=_image_path(template.background_image),
        language=settings.LANGUAGE_CODE,
    )


def _image_path(image) -> str:
    if image is None:
        return ""
    try:
        return image.file.path
    except NotImplementedError:  # remote storage: read through the storage instead
        return image.file.url


def certificate_render(*, certificate: Certificate) -> Certificate:
    """Draw and store the PDF unless the stored one is of the current version."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("template__issuing_body", "issuing_body")
            .get(pk=certificate.pk)
        )
        if not _needs_drawing(certificate):
            return certificate
        if not _draw(certificate):
            raise CertificateError(_("There is no active certificate template for this course."))
        certificate.save(update_fields=["pdf", "rendered_version"])
    return certificate


def _needs_drawing(certificate: Certificate) -> bool:
    return not certificate.pdf or certificate.rendered_version < certificate.version


def _draw(certificate: Certificate) -> bool:
    """Render the PDF of the current version and store it (the row is saved by the caller,
    in a transaction; once it commits, the previous version's file is deleted). False if no
    template applies."""
    template = selectors.template_of(certificate)
    if template is None:
        return False
    data = pdf.render(content_for(certificate, template))
    old_name = certificate.pdf.name
    certificate.pdf.save(
        f"{certificate.code}-{certificate.version}.pdf", ContentFile(data), save=False
    )
    certificate.rendered_version = certificate.version
    if old_name and old_name != certificate.pdf.name:
        storage = certificate.pdf.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return True


def _wants_notice(certificate: Certificate) -> bool:
    user = certificate.user
    return bool(
        certificate.notified_at is None
        and certificate.revoked_at is None
        and user is not None
        and user.email
    )


def _notification(certificate: Certificate) -> EmailMessage:
    """The email telling the holder their certificate is ready (or was re-issued)."""
    user = certificate.user
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "certificate": certificate,
            "name": user.get_short_name(),
            "verify_url": certificate.verify_url,
            "mine_url": settings.SITE_URL.rstrip("/") + selectors.mine_path(),
            "reissued": certificate.version > 1,
        }
        subject = (
            _("Your certificate was re-issued: %(course)s")
            if certificate.version > 1
            else _("Your certificate: %(course)s")
        )
        return EmailMessage(
            subject=subject % {"course": certificate.course_title},
            body=render_to_string("certificates/email/issued.txt", context),
            to=[user.email],
        )


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Draw the certificate again with the holder's current name, the course's current title
    and its current template, keeping the serial and code printed on the old copy, and email
    the holder. A revoked certificate becomes valid again. The reason is recorded."""
    if not reason.strip():
        raise CertificateError(_("Give a reason for re-issuing."))
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("user", "course")
            .get(pk=certificate.pk)
        )
        template = selectors.template_for(certificate.course) if certificate.course else None
        if template is None:
            template = certificate.template
        if template is None:
            raise CertificateError(_("There is no active certificate template for this course."))
        if certificate.user is not None:
            certificate.holder_name = certificate.user.get_full_name()
        if certificate.course is not None:
            certificate.course_title = certificate.course.title
        certificate.template = template
        certificate.issuing_body = template.issuing_body
        certificate.issuing_body_name = template.issuing_body.name
        certificate.version += 1
        certificate.revoked_at = None
        certificate.revocation_reason = ""
        certificate.notified_at = None
        certificate.save()
        CertificateEvent.objects.create(
            certificate=certificate,
            kind=CertificateEvent.Kind.REISSUED,
            reason=reason.strip(),
            actor=actor,
        )
        certificates_changed.send(sender=Certificate, user_ids=[certificate.user_id])
    return _finish(certificate)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke with a reason, which the verify page and the badge JSON show."""
    if not reason.strip():
        raise CertificateError(_("Give a reason for revoking."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason.strip()
        certificate.save(update_fields=["revoked_at", "revocation_reason"])
        CertificateEvent.objects.create(
            certificate=certificate,
            kind=CertificateEvent.Kind.REVOKED,
            reason=reason.strip(),
            actor=actor,
        )
        certificates_changed.send(sender=Certificate, user_ids=[certificate.user_id])
    return certificate


# --- Arming a course and issuing on completion --------------------------------------------


@transaction.atomic
def certification_arm(
    *, course: CoursePage, actor, valid_months: int | None = None, include_backlog: bool = False
) -> int:
    """Start issuing on completion. Returns how many earlier completions are queued too:
    none unless ``include_backlog``, which the confirmation screen asks for explicitly."""
    from .tasks import issue_backlog

    certification, _created = CourseCertification.objects.select_for_update().get_or_create(
        course=course
    )
    if selectors.template_for(course) is None:
        raise CertificateError(_("Activate a certificate template for this course first."))
    if not certification.armed:
        certification.armed = True
        certification.armed_at = timezone.now()
        certification.armed_by = actor
    certification.valid_months = valid_months
    certification.save()
    if not include_backlog:
        return 0
    backlog = selectors.backlog(course=course).count()
    if backlog:
        issue_backlog.delay(course_id=course.pk)
    return backlog


@transaction.atomic
def certification_disarm(*, course: CoursePage) -> None:
    CourseCertification.objects.filter(course=course).update(armed=False, armed_at=None)


def completion_certify(*, completion_id: int, batch: int = 50) -> list[int]:
    """Issue the certificate for one course completion, if its course was armed by then.
    Returns the ids of the other completions whose certificates the call issued and
    finished (their own tasks have nothing left to do).

    In a rush (the deadline), completions arrive faster than one certificate at a time is
    issued, and their tasks queue up. So the completions of the same course queued behind
    this one (up to ``batch`` in all) are issued with it through the bulk path: one
    transaction for the rows and one for the PDFs and emails, instead of two each. Their own
    tasks then find them issued in one read (or are revoked, ``tasks``). With nobody queued
    behind, this one is issued alone, as before, and the learner waits no longer."""
    certificate = selectors.certificate_of_completion(completion_id)
    if certificate is not None:
        _finish_if_unfinished(certificate)  # a worker died between the steps
        return []
    completion = (
        CourseCompletion.objects.select_related("user", "course").filter(pk=completion_id).first()
    )
    if completion is None or completion.course is None or completion.user is None:
        return []
    certification = CourseCertification.objects.filter(course=completion.course).first()
    if not selectors.issues_for(certification, completion):
        return []
    if not learning_selectors.certifies_on_completion(completion.course):
        return []
    behind = list(
        selectors.queued_behind(completion, armed_at=certification.armed_at, span=batch * 4)[
            : batch - 1
        ]
    )
    if not behind:  # a quiet moment: the single path, three statements fewer
        certificate_issue(user=completion.user, course=completion.course)
        return []
    certificates_issue_many(
        course=completion.course, users=[completion.user, *(c.user for c in behind)]
    )
    # This learner's own certificate, finished here if the batch did not: another worker's
    # batch issued it a moment ago and holds it (waited for, or finished if that worker
    # died), or its PDF failed in the batch (tried again, and the failure reported).
    mine = selectors.certificate_of_completion(completion_id)
    if mine is not None:
        _finish_if_unfinished(mine)
    # Those whose PDF failed, or whom another worker holds, are left to their own tasks.
    finished = selectors.finished_for(course=completion.course, users=[c.user for c in behind])
    return [c.pk for c in behind if c.user_id in finished]


def certificates_issue_many(*, course: CoursePage, users: list, chunk: int = 200) -> int:
    """Issue the certificates of ``course`` to many people at once (a confirmed backlog).

    Per chunk: the rows, serials and history in one transaction; then the PDFs drawn and
    stored and the emails queued in another. Each chunk commits on its own, so a crash loses
    nothing done, and running it again skips whoever has a certificate (the unique
    constraint still guards against a concurrent single issue). Returns how many it created.
    """
    template = selectors.template_for(course)
    if template is None:
        raise CertificateError(_("There is no active certificate template for this course."))
    created = 0
    for start in range(0, len(users), chunk):
        batch = users[start : start + chunk]
        with transaction.atomic():
            now = timezone.now()
            # Lock first, then look: a completion issued a moment ago is seen, not collided with.
            _counter_locked(timezone.localtime(now).year)
            have = set(
                Certificate.objects.filter(course=course, user__in=batch).values_list(
                    "user_id", flat=True
                )
            )
            batch = [user for user in batch if user.pk not in have]
            if not batch:
                continue
            expires_at = _expiry(course, now)
            serials = _serials_next(timezone.localtime(now).year, len(batch))
            certificates = Certificate.objects.bulk_create(
                _certificate_new(
                    user=user,
                    course=course,
                    template=template,
                    serial=serial,
                    now=now,
                    expires_at=expires_at,
                )
                for user, serial in zip(batch, serials, strict=True)
            )
            CertificateEvent.objects.bulk_create(
                CertificateEvent(certificate=c, kind=CertificateEvent.Kind.ISSUED)
                for c in certificates
            )
            certificates_changed.send(
                sender=Certificate, user_ids=[c.user_id for c in certificates]
            )
        created += len(certificates)
        certificates_finish(pks=[c.pk for c in certificates])
    return created


def certificates_finish(*, pks: list[int], wait: bool = False) -> list[Certificate]:
    """Draw the missing PDFs and send the missing emails of these certificates, in one
    transaction with their rows locked (rows another worker holds are left to it, or with
    ``wait`` waited for). Returns the certificates it held, as they are now."""
    with transaction.atomic():
        certificates = list(
            Certificate.objects.select_for_update(of=("self",), skip_locked=not wait)
            .select_related("template__issuing_body", "user")
            .filter(pk__in=pks)
        )
        now = timezone.now()
        messages, changed = [], []
        for certificate in certificates:
            fields = []
            if _needs_drawing(certificate):
                try:
                    drawn = _draw(certificate)
                except DatabaseError:
                    raise  # the transaction is broken: nothing of it can be kept
                except Exception:
                    if wait:
                        raise
                    # One holder's PDF failing (a storage error, a name the renderer
                    # refuses) must not hold up the rest of a batch: this one is left to
                    # the sweep, which finishes it alone.
                    logger.exception("certificate %s not drawn", certificate.pk)
                    continue
                if not drawn:
                    continue  # no template: left for an administrator to re-issue
                fields += ["pdf", "rendered_version"]
            if _wants_notice(certificate):
                messages.append(_notification(certificate))
                certificate.notified_at = now
                fields.append("notified_at")
            if fields:
                changed.append((certificate, fields))
        # The outbox rows and notified_at commit together: each email is queued once.
        if messages:
            get_connection().send_messages(messages)
        if len(changed) == 1:  # one issue: one plain UPDATE (bulk_update composes CASEs)
            certificate, fields = changed[0]
            certificate.save(update_fields=fields)
        elif changed:
            drawn = [c for c, fields in changed if "pdf" in fields]
            Certificate.objects.bulk_update(drawn, ["pdf", "rendered_version"])
            notified = [c.pk for c, fields in changed if "notified_at" in fields]
            Certificate.objects.filter(pk__in=notified).update(notified_at=now)
    return certificates


def backlog_issue(*, course: CoursePage) -> int:
    """Issue for every completion of ``course`` without a certificate (after an administrator
    confirmed it)."""
    if not learning_selectors.certifies_on_completion(course):
        return 0
    users = [c.user for c in selectors.backlog(course=course).select_related("user")]
    return certificates_issue_many(course=course, users=users)


def certificates_sweep(*, limit: int = 500) -> int:
    """Finish what a lost task left: completions of armed courses with no certificate,
    certificates not drawn or not emailed. Run by beat; returns how many it touched."""
    touched = 0
    certifies: dict[int, bool] = {}  # per course: a sweep holds many completions of a few
    for completion in selectors.unissued_completions()[:limit]:
        if completion.course_id not in certifies:
            certifies[completion.course_id] = learning_selectors.certifies_on_completion(
                completion.course
            )
        if not certifies[completion.course_id]:
            continue
        try:
            touched += certificate_issue(user=completion.user, course=completion.course)[1]
        except Exception:  # one broken course must not stop everyone else's certificates
            logger.exception("certificate for completion %s not issued", completion.pk)
    for certificate in selectors.unfinished_certificates()[:limit]:
        try:
            _finish(certificate)
            touched += 1
        except Exception:
            logger.exception("certificate %s not finished", certificate.pk)
    exports_fail_stale()
    return touched


def exports_fail_stale() -> int:
    """Mark failed the exports a lost task left waiting, so nobody watches them forever."""
    limit = timezone.now() - timedelta(seconds=settings.CELERY_LONG_TASK_TIME_LIMIT * 2)
    return CertificateExport.objects.filter(
        state__in=[CertificateExport.State.PENDING, CertificateExport.State.RUNNING],
        created_at__lt=limit,
    ).update(state=CertificateExport.State.FAILED, error="stale", finished_at=timezone.now())


# --- Bulk export --------------------------------------------------------------------------


def export_create(
    *,
    user,
    course: CoursePage | None = None,
    organisation=None,
    issued_from: date | None = None,
    issued_until: date | None = None,
    description: str = "",
) -> CertificateExport:
    from . import permissions
    from .tasks import build_export

    if not permissions.can(user, "export"):
        raise CertificateError(_("You may not export certificates."))
    filters = {
        "course": course.pk if course else None,
        "organisation": organisation.pk if organisation else None,
        "issued_from": issued_from.isoformat() if issued_from else None,
        "issued_until": issued_until.isoformat() if issued_until else None,
    }
    with transaction.atomic():
        export = CertificateExport.objects.create(
            requested_by=user, filters=filters, description=description
        )
        build_export.delay(export_id=export.pk)
    return export


def _zip_name(certificate: Certificate) -> str:
    """``NA-2026-000123 Nguyen Thi Hong Anh.pdf``: ASCII, so every unzip tool shows it."""
    plain = unicodedata.normalize(
        "NFKD", certificate.holder_name.replace("Đ", "D").replace("đ", "d")
    )
    plain = re.sub(r"[^A-Za-z0-9 ._-]", "", plain.encode("ascii", "ignore").decode()).strip()
    return f"{certificate.serial} {plain[:80]}.pdf".replace("  ", " ")


@translation.override(settings.LANGUAGE_CODE)  # the list's words, whichever worker builds it
def export_build(*, export_id: int) -> CertificateExport | None:
    """Build the ZIP in a temporary file, then store it. Progress is saved every 25
    certificates for the waiting page. Run again after a crash, it starts over."""
    export = CertificateExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or export.state == CertificateExport.State.READY:
        return export
    certificates = selectors.export_queryset(export)
    CertificateExport.objects.filter(pk=export.pk).update(
        state=CertificateExport.State.RUNNING, total=certificates.count(), done=0
    )
    done = 0
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        [
            _("Serial number"),
            _("Full name"),
            _("Course"),
            _("Date of issue"),
            _("Valid until"),
            _("Status"),
            _("Reason"),
            _("File"),
        ]
    )
    with tempfile.TemporaryFile() as spool:
        # PDFs are compressed already: storing them is as small as deflating, and faster.
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for certificate in certificates.iterator(chunk_size=200):
                certificate = certificate_render(certificate=certificate)
                name = _zip_name(certificate)
                with certificate.pdf.open("rb") as handle:
                    archive.writestr(name, handle.read())
                writer.writerow(_manifest_row(certificate, name))
                done += 1
                if done % 25 == 0:
                    CertificateExport.objects.filter(pk=export.pk).update(done=done)
            # The list says which certificates are revoked or expired: a PDF cannot.
            # With a byte-order mark, so Excel opens the Vietnamese correctly.
            archive.writestr(
                "danh-sach.csv",
                "\ufeff" + manifest.getvalue(),
                compress_type=zipfile.ZIP_DEFLATED,
            )
        spool.seek(0)
        export.file.save(f"{secrets.token_urlsafe(16)}.zip", File(spool), save=False)
    export.state = CertificateExport.State.READY
    export.done = done
    export.total = done
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "state", "done", "total", "finished_at"])
    return export


def _manifest_row(certificate: Certificate, file_name: str) -> list[str]:
    """One line of the ZIP's list (in the language active for the export)."""
    return [
        certificate.serial,
        cell_text(certificate.holder_name),
        cell_text(certificate.course_title),
        timezone.localtime(certificate.issued_at).strftime("%d/%m/%Y"),
        timezone.localtime(certificate.expires_at).strftime("%d/%m/%Y")
        if certificate.expires_at
        else "",
        str(certificate.get_status_display()),
        cell_text(certificate.revocation_reason),
        file_name,
    ]


def export_fail(*, export_id: int, error: str) -> None:
    CertificateExport.objects.filter(pk=export_id).update(
        state=CertificateExport.State.FAILED, error=error[:500], finished_at=timezone.now()
    )


def sample_pdf(*, template: CertificateTemplate) -> bytes:
    """The template drawn for a sample learner, for the preview before activating."""
    now = timezone.now()
    sample = Certificate(
        course_key=0,
        holder_name="Nguyễn Thị Minh Khai",
        course_title=template.course.title if template.course else "Kỹ năng số cơ bản",
        serial=f"{settings.CERTIFICATE_SERIAL_PREFIX}-{timezone.localtime(now).year}-000000",
        code="mau" * 7 + "u",
        issuing_body_name=template.issuing_body.name,
        issued_at=now,
        grade="",
    )
    return pdf.render(content_for(sample, template))
