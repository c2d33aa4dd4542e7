"""Certificates: who issues them, what they look like, which courses issue them, and the
certificates themselves with their history.

A certificate keeps its own copy of the holder's name, the course title and the issuing body,
so that it still verifies after a course page or an account is deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from accounts.models import Progress


class IssuingBody(index.Indexed, models.Model):
    """The agency in whose name certificates are issued: the Open Badges Issuer."""

    name = models.CharField(_("name"), max_length=255)
    parent_name = models.CharField(
        _("governing body"),
        max_length=255,
        blank=True,
        help_text=_('Printed above the name, e.g. "UBND TỈNH NGHỆ AN".'),
    )
    url = models.URLField(_("website"))
    email = models.EmailField(
        _("email"), help_text=_("Published in the Open Badges issuer profile.")
    )
    place = models.CharField(
        _("place"),
        max_length=100,
        blank=True,
        help_text=_('Printed before the date, e.g. "Nghệ An".'),
    )

    panels = [
        FieldPanel("parent_name"),
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("email"),
        FieldPanel("place"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CertificateTemplate(index.Indexed, models.Model):
    """How a certificate looks: one per course, or the default (no course).

    Only an active template is used for issuing; a new one is previewed with a sample learner
    before it is activated.
    """

    name = models.CharField(_("name"), max_length=255)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
        help_text=_("Leave empty for the default template of every course without its own."),
    )
    issuing_body = models.ForeignKey(
        IssuingBody,
        on_delete=models.PROTECT,
        related_name="templates",
        verbose_name=_("issuing body"),
    )
    national_header = models.BooleanField(
        _("national header"),
        default=True,
        help_text=_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc"),
    )
    heading = models.CharField(_("heading"), max_length=100, default="GIẤY CHỨNG NHẬN")
    body_text = models.CharField(
        _("text before the course title"),
        max_length=255,
        default="Đã hoàn thành khóa học",
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=150)
    signatory_title = models.CharField(
        _("signatory's title"), max_length=150, help_text=_('e.g. "GIÁM ĐỐC"')
    )
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature and seal image"),
    )
    background_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background image"),
        help_text=_("Landscape A4; it is stretched to the whole page."),
    )
    active = models.BooleanField(
        _("in use for issuing"),
        default=False,
        help_text=_("Preview the template before activating it. Activating issues nothing."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("course"),
        FieldPanel("issuing_body"),
        MultiFieldPanel(
            [FieldPanel("national_header"), FieldPanel("heading"), FieldPanel("body_text")],
            heading=_("Wording"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("signatory_name"),
                FieldPanel("signatory_title"),
                FieldPanel("signature_image"),
            ],
            heading=_("Signatory"),
        ),
        FieldPanel("background_image"),
        FieldPanel("active"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["course_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=Q(active=True), name="certificates_one_active_template"
            ),
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True, course__isnull=True),
                name="certificates_one_active_default_template",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CourseCertification(models.Model):
    """Whether a course issues certificates on completion, and how long they last.

    Issuing is "armed" explicitly, so that editing a template or a course never issues
    certificates to everybody who completed it long ago: only completions from ``armed_at``
    on are issued automatically, and the backlog only when an administrator confirms it.
    """

    course = models.OneToOneField(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    armed = models.BooleanField(_("issuing on completion"), default=False)
    armed_at = models.DateTimeField(_("armed at"), null=True, blank=True)
    armed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for certificates that do not expire."),
    )

    class Meta:
        verbose_name = _("course certification")
        verbose_name_plural = _("course certifications")

    def __str__(self) -> str:
        return str(self.course)


class SerialCounter(models.Model):
    """The last serial number given out in a year; locked while a certificate is issued, so
    serials have no duplicates and no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("certificate status", "Valid")
        EXPIRED = "expired", pgettext_lazy("certificate status", "Expired")
        REVOKED = "revoked", pgettext_lazy("certificate status", "Revoked")

    # No index of its own: certificates_one_per_course (user, course) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="certificates",
        verbose_name=_("holder"),
        db_index=False,
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("course"),
    )
    # The course's id, kept when the page is deleted: the Open Badges BadgeClass address
    # (/badges/classes/<course_key>/<issuer>/) must keep answering for certificates issued.
    course_key = models.PositiveIntegerField(editable=False, db_index=True)
    issuing_body = models.ForeignKey(
        IssuingBody, on_delete=models.PROTECT, related_name="certificates"
    )
    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    holder_name = models.CharField(_("holder's name"), max_length=255)
    course_title = models.CharField(_("course"), max_length=255)
    issuing_body_name = models.CharField(_("issuing body"), max_length=255)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    # Open Badges recipient: the email at issue, hashed with this certificate's salt.
    recipient_salt = models.CharField(max_length=32)
    recipient_hash = models.CharField(max_length=80)
    pdf = models.FileField(_("PDF"), upload_to="certificates/pdf/", blank=True)
    version = models.PositiveSmallIntegerField(default=0)
    rendered_version = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("time of revocation"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificates_one_per_course")
        ]
        indexes = [models.Index(fields=["issued_at"])]

    def __str__(self) -> str:
        return f"{self.serial} {self.holder_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("certificates:verify", args=[self.code])

    def status(self, moment=None) -> str:
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at and self.expires_at <= (moment or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.VALID

    def get_status_display(self) -> str:
        return self.Status(self.status()).label

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.get_absolute_url()


class CertificateEvent(models.Model):
    """What happened to a certificate, by whom and why: the audit trail admins asked for."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ISSUED_BY_HAND = "issued_by_hand", _("Issued by hand")
        REISSUED = "reissued", _("Re-issued")
        REVOKED = "revoked", pgettext_lazy("certificate event", "Revoked")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"


class CertificateExport(Progress, models.Model):
    """A ZIP of certificates built by a worker for an admin or HR officer; the person waits on
    a page that shows ``done`` of ``total``."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField(default=dict)
    description = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="certificates/exports/", blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pk} {self.state}"
