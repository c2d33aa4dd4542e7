"""Reads of certificates."""

from __future__ import annotations

from datetime import date, datetime, time
from time import time_ns

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from courses.models import CoursePage
from learning.models import CourseCompletion

from .models import Certificate, CertificateExport, CertificateTemplate, CourseCertification

TEMPLATES_VERSION = "certificates:templates:version"
TEMPLATES_TTL = 600
NONE = "∅"  # kept for "no template", since the cache cannot hold None


def templates_changed(**_kwargs) -> None:
    """Forget every cached template: now, and again when the transaction commits (a reader
    in between would otherwise keep the old row under the new version)."""

    def bump():
        cache.set(TEMPLATES_VERSION, time_ns(), None)

    bump()
    transaction.on_commit(bump)


def _kept_with_templates(name: str, find):
    """``find()``, kept until a template, an issuing body, an image or a certification
    changes (``templates_changed``); a None is kept too."""
    version = cache.get_or_set(TEMPLATES_VERSION, time_ns, None)
    key = f"certificates:template:{version}:{name}"
    found = cache.get(key)
    if found is None:
        found = find()
        cache.set(key, NONE if found is None else found, TEMPLATES_TTL)
    return None if isinstance(found, str) else found


def _templates() -> QuerySet[CertificateTemplate]:
    return CertificateTemplate.objects.select_related(
        "issuing_body", "signature_image", "background_image"
    )


def template_for(course: CoursePage | None) -> CertificateTemplate | None:
    """The course's own active template, else the active default one. Kept in the cache
    until a template, an issuing body or an image changes: every certificate issued asks."""

    def find():
        templates = _templates().filter(active=True)
        own = templates.filter(course=course).first() if course is not None else None
        return own or templates.filter(course__isnull=True).first()

    return _kept_with_templates(f"course:{course.pk if course else 0}", find)


def template_of(certificate: Certificate) -> CertificateTemplate | None:
    """The template a certificate was issued with (else its course's), from the cache."""
    if certificate.template_id is None:
        return template_for(certificate.course)
    pk = certificate.template_id
    return _kept_with_templates(f"id:{pk}", lambda: _templates().filter(pk=pk).first())


def valid_months(course: CoursePage | None) -> int | None:
    """How many months the course's certificates stay valid (None: for good), kept with the
    templates (a certification saved forgets them): every certificate issued asks."""
    if course is None:
        return None
    months = _kept_with_templates(
        f"months:{course.pk}",
        lambda: (
            CourseCertification.objects.filter(course=course)
            .values_list("valid_months", flat=True)
            .first()
            or 0
        ),
    )
    return months or None


def issues_for(certification: CourseCertification | None, completion: CourseCompletion) -> bool:
    """Whether this completion is issued automatically: the course is armed and the
    completion came after it was armed (earlier ones are the backlog)."""
    return bool(
        certification is not None
        and certification.armed
        and certification.armed_at is not None
        and completion.completed_at >= certification.armed_at
    )


def _without_certificate(completions: QuerySet[CourseCompletion]) -> QuerySet[CourseCompletion]:
    issued = Certificate.objects.filter(user=OuterRef("user"), course=OuterRef("course"))
    return completions.filter(~Exists(issued))


def backlog(*, course: CoursePage) -> QuerySet[CourseCompletion]:
    """Completions of ``course`` without a certificate, whenever they happened."""
    return _without_certificate(CourseCompletion.objects.filter(course=course)).order_by(
        "completed_at"
    )


def backlog_before_arming(*, course: CoursePage) -> int:
    """How many people completed the course before it was armed and have no certificate."""
    certification = CourseCertification.objects.filter(course=course).first()
    completions = CourseCompletion.objects.filter(course=course)
    if certification is not None and certification.armed and certification.armed_at:
        completions = completions.filter(completed_at__lt=certification.armed_at)
    return _without_certificate(completions).count()


def unissued_completions() -> QuerySet[CourseCompletion]:
    """Completions that should have a certificate by now and have none (a lost task)."""
    armed = CourseCertification.objects.filter(
        course=OuterRef("course"), armed=True, armed_at__lte=OuterRef("completed_at")
    )
    return (
        _without_certificate(CourseCompletion.objects.filter(Exists(armed), user__isnull=False))
        .select_related("user", "course")
        .order_by("completed_at")
    )


def queued_behind(
    completion: CourseCompletion, *, armed_at: datetime, span: int
) -> QuerySet[CourseCompletion]:
    """Completions of the same course recorded after ``completion`` that are issued
    automatically and have no certificate yet: in a rush, those whose tasks wait in the
    queue behind its own. Only the next ``span`` completions are looked at, so the read
    costs the same however many the table holds."""
    return (
        _without_certificate(
            CourseCompletion.objects.filter(
                pk__gt=completion.pk,
                pk__lte=completion.pk + span,
                course_id=completion.course_id,
                completed_at__gte=armed_at,
                user__isnull=False,
            )
        )
        .select_related("user")
        .order_by("pk")
    )


def finished_for(*, course: CoursePage, users: list) -> set[int]:
    """Which of ``users`` hold a certificate of ``course`` with nothing left to finish (see
    ``unfinished_certificates``)."""
    return set(
        Certificate.objects.filter(course=course, user__in=users)
        .exclude(_unfinished())
        .values_list("user_id", flat=True)
    )


def certificate_of_completion(completion_id: int) -> Certificate | None:
    """The certificate of a completion's learner and course, if issued, with its holder: in
    a rush every queued task asks this once, and an earlier batch has issued most of them.
    One statement written out (the ORM's composition cost several times the statement
    itself, at one task per certificate), loading only what deciding whether it is finished
    reads; any other field loads when read, as with ``only()``. Only the models' own names
    go into the SQL; the id is a parameter."""

    def column(model, name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    loaded = ("id", "pdf", "version", "rendered_version", "notified_at", "revoked_at", "user")
    sql = (
        "SELECT "  # noqa: S608
        + ", ".join(f"c.{column(Certificate, name)}" for name in loaded)
        + f", u.{column(User, 'email')} AS holder_email"
        f" FROM {table(CourseCompletion)} cc JOIN {table(Certificate)} c"
        f" ON c.{column(Certificate, 'user')} = cc.{column(CourseCompletion, 'user')}"
        f" AND c.{column(Certificate, 'course')} = cc.{column(CourseCompletion, 'course')}"
        f" LEFT JOIN {table(User)} u ON u.{column(User, 'id')} = c.{column(Certificate, 'user')}"
        f" WHERE cc.{column(CourseCompletion, 'id')} = %s"
    )
    certificate = next(iter(Certificate.objects.raw(sql, [completion_id])), None)
    if certificate is not None and certificate.user_id is not None:
        # The holder as far as the check reads it (the rest loads when read): no query more.
        certificate.user = User.from_db(
            connection.alias, ["id", "email"], [certificate.user_id, certificate.holder_email]
        )
    return certificate


def _unfinished() -> Q:
    """A PDF missing (where a template can draw it) or old, or a holder not emailed."""
    return (
        Q(pdf="", template__isnull=False)
        | Q(rendered_version__lt=F("version"))
        | Q(
            notified_at__isnull=True,
            revoked_at__isnull=True,
            user__isnull=False,
            user__email__gt="",
        )
    )


def unfinished_certificates() -> QuerySet[Certificate]:
    """Certificates whose PDF is missing or old, or whose holder was not emailed."""
    return Certificate.objects.filter(_unfinished()).order_by("issued_at")


def mine(*, user) -> list[Certificate]:
    return list(
        Certificate.objects.filter(user=user).select_related("course").order_by("-issued_at")
    )


def mine_path() -> str:
    return reverse("certificates:mine")


def by_code(code: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("issuing_body", "course")
        .filter(code=code.strip().lower())
        .first()
    )


def export_queryset(export: CertificateExport) -> QuerySet[Certificate]:
    """The certificates an export holds: its filters, within what its requester may see."""
    from .permissions import certificates_visible_to

    filters = export.filters or {}
    certificates = certificates_visible_to(export.requested_by)
    if filters.get("course"):
        certificates = certificates.filter(course_id=filters["course"])
    if filters.get("organisation"):
        root = Organisation.objects.filter(pk=filters["organisation"]).first()
        if root is None:
            return certificates.none()
        members = Membership.objects.filter(organisation__path__startswith=root.path)
        certificates = certificates.filter(user_id__in=members.values("user_id"))
    if filters.get("issued_from"):
        certificates = certificates.filter(issued_at__gte=_start_of(filters["issued_from"]))
    if filters.get("issued_until"):
        certificates = certificates.filter(
            issued_at__lt=_start_of(filters["issued_until"], next_day=True)
        )
    return certificates.select_related("template__issuing_body").order_by("serial")


def _start_of(value: str, next_day: bool = False) -> datetime:
    day = date.fromisoformat(value)
    if next_day:
        day = date.fromordinal(day.toordinal() + 1)
    return timezone.make_aware(datetime.combine(day, time.min))
