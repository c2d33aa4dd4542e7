"""Who people are and where they belong.

The user is custom from the first migration. A Vietnamese name is one field in its natural
order ("Nguyễn Văn An"): splitting it into first and last names loses the middle name and
sorts people wrongly, so ``first_name``/``last_name`` are removed.
"""

import re

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

phone_validator = RegexValidator(
    regex=r"^(\+84|0)\d{9,10}$",
    message=_("Enter a Vietnamese phone number, for example 0912345678 or +84912345678."),
)


def normalise_phone(phone: str) -> str:
    """Drop the spaces, dots, dashes and brackets people type; keep everything else to validate."""
    return re.sub(r"[\s.\-()]", "", phone)


class User(AbstractUser):
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        blank=True,
        help_text=_("In Vietnamese order: family name, middle name, given name."),
    )
    phone = models.CharField(
        _("phone number"), max_length=16, blank=True, validators=[phone_validator]
    )
    # The personal identification number (số định danh cá nhân) is never stored: only a keyed
    # hash of it, enough to match a roster row to an existing account, useless if leaked.
    national_id_digest = models.CharField(max_length=64, blank=True, editable=False)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("An account with this email address already exists."),
            ),
            models.UniqueConstraint(
                fields=["national_id_digest"],
                condition=~models.Q(national_id_digest=""),
                name="accounts_user_national_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["phone"], name="accounts_user_phone")]

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        # In Vietnamese the given name, by which people are addressed, comes last.
        return self.full_name.split()[-1] if self.full_name.strip() else self.username


def user_display(user: User) -> str:
    """How allauth names a user in messages ("Đăng nhập thành công với tên …")."""
    return user.get_full_name()


class Organisation(MP_Node):
    """A node of the province's organisation tree (UBND tỉnh → sở/ban/ngành → phòng; xã/phường).

    The tree is a materialised path so that "this agency and everything under it", the scope of
    an HR officer, is one indexed prefix query.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Provincial People's Committee")
        DEPARTMENT = "department", _("Department or agency")
        PUBLIC_UNIT = "public_unit", _("Public service unit")
        DIVISION = "division", _("Division")
        COMMUNE = "commune", _("Commune or ward")
        SCHOOL = "school", _("School")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(
        _("active until"),
        null=True,
        blank=True,
        help_text=_("The last day it existed (dissolved or merged); empty while it exists."),
    )
    # Communes were merged in 2025: a merged organisation stays, closed, pointing at the one
    # it became, so its past (who was there, its coverage over time) can still be read.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.active_until is None


class Membership(models.Model):
    """A person's place in one organisation: position, target group and role there."""

    class TargetGroup(models.TextChoices):
        CADRE = "cadre", _("Cadre")
        CIVIL_SERVANT = "civil_servant", _("Civil servant")
        PUBLIC_EMPLOYEE = "public_employee", _("Public employee")
        WORKER = "worker", _("Worker")
        CITIZEN = "citizen", _("Citizen")
        STUDENT = "student", _("Student")

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        TEACHER = "teacher", _("Teacher")
        HR_OFFICER = "hr_officer", _("HR officer")
        PROVINCE_ADMIN = "province_admin", _("Province administrator")

    # No index of its own: the unique (user, organisation) leads with it.
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
        db_index=False,
    )
    # No index of its own: accounts_membership_cover (organisation, ...) leads with it.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
        db_index=False,
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    target_group = models.CharField(_("target group"), max_length=16, choices=TargetGroup.choices)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="accounts_membership_one_per_organisation"
            )
        ]
        # The coverage rollup counts people per organisation and target group.
        indexes = [
            models.Index(
                fields=["organisation", "target_group", "user"], name="accounts_membership_cover"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


# Cadres, civil servants and public employees: "officials" (CBCCVC) in the province's targets.
OFFICIAL_GROUPS = (
    Membership.TargetGroup.CADRE,
    Membership.TargetGroup.CIVIL_SERVANT,
    Membership.TargetGroup.PUBLIC_EMPLOYEE,
)


class MembershipMove(models.Model):
    """A membership carried from an organisation that was merged into another: the history
    of where a person belonged, since the membership itself now points at the new one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="moves_out"
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="moves_in"
    )
    target_group = models.CharField(max_length=16, choices=Membership.TargetGroup.choices)
    position = models.CharField(max_length=150, blank=True)
    moved_on = models.DateField()

    class Meta:
        verbose_name = _("membership move")
        verbose_name_plural = _("membership moves")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.from_organisation_id} → {self.to_organisation_id}"


class Progress:
    """``percent`` of a job that counts ``done`` out of ``total`` (roster imports, exports)."""

    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.done else 0)


class RosterImport(Progress, models.Model):
    """One staff roster upload by an HR officer or an administrator: checked, previewed, then
    imported by a worker in one transaction, with its progress and per-row errors kept."""

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to="accounts/rosters/")
    file_name = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CHECKED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # [{"row": 7, "errors": ["…"]}] in the language of the person who uploaded.
    errors = models.JSONField(default=list)
    # {"created": n, "matched": n, "memberships": n, "invited": n}
    summary = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"


class OutgoingEmail(models.Model):
    """An email waiting to be sent, or sent: the outbox between a request and the mail server.

    The request writes the message here in its own transaction; a Celery task sends it and
    marks it sent, so a slow or failing mail server never fails a sign-up, a redelivered task
    never sends twice, and a lost task is picked up by the periodic sweep. The body holds
    confirmation and password-reset links, so it is erased once sent and never travels through
    the broker.
    """

    to = models.JSONField(_("recipients"))
    from_email = models.CharField(_("from"), max_length=320)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("body"), blank=True)
    html = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="accounts_outbox_pending")]

    def __str__(self) -> str:
        return self.subject
