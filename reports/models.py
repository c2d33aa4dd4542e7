"""What the province measures, and the tables that keep the measure current.

A ``Standard`` says what counts ("a valid certificate of any of these courses"); a ``Target``
says how much of which target group, by when. ``Qualification`` records, per person, that they
meet a standard (kept by the rollup service when certificates and completions change), and
``Coverage``/``CoverageMonth`` hold the counts per organisation subtree, so that a dashboard
reads a few rows instead of counting a million people on every page view.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Progress

# The target group of a Coverage row that counts every group at once (people once each).
ALL_GROUPS = ""


class Standard(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("A valid certificate of any of these courses")
        COMPLETION = "completion", _("Completion of any of these courses")

    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short and stable, used in commands and links, e.g. ksc-757 or nq57."),
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("what counts"), max_length=16, choices=Kind.choices)
    courses = models.ManyToManyField(
        "courses.CoursePage", related_name="+", verbose_name=_("courses"), blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """``percent`` of ``target_group`` meet ``standard`` by ``deadline``."""

    class Denominator(models.TextChoices):
        MEMBERS = "members", _("Registered members")
        POPULATION = "population", _("Official population figure")

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="targets", verbose_name=_("standard")
    )
    target_group = models.CharField(
        _("target group"), max_length=16, choices=Membership.TargetGroup.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("deadline"))
    percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)
    denominator = models.CharField(
        _("counted against"),
        max_length=16,
        choices=Denominator.choices,
        default=Denominator.MEMBERS,
        help_text=_(
            "Registered members of each organisation, or the population figures the "
            "administrator enters per commune (for adults, most of whom never register)."
        ),
    )

    class Meta:
        ordering = ["standard", "year", "target_group"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "target_group", "year"], name="reports_one_target_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100),
                name="reports_target_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.year} {self.get_target_group_display()} {self.percent}%"


class PopulationFigure(models.Model):
    """The official number of people of a target group in an organisation's area (adults of
    a commune, from the statistics office), entered by the administrator."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="population_figures",
        verbose_name=_("organisation"),
    )
    target_group = models.CharField(
        _("target group"), max_length=16, choices=Membership.TargetGroup.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("number of people"))

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "target_group", "year"],
                name="reports_one_population_figure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.target_group}: {self.count}"


class Qualification(models.Model):
    """``user`` meets ``standard`` from ``since`` until ``until`` (open-ended when empty).

    ``counted`` is what the rollup tables count for this person right now. Each change is
    decided against it (a certificate after an expired one adds one, not two), and a
    qualification past ``until`` is found by it and taken out within the minute.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    counted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["standard", "user"], name="reports_one_qualification")
        ]
        indexes = [
            models.Index(
                fields=["until"], condition=models.Q(counted=True), name="reports_counted_until"
            ),
            models.Index(
                fields=["since"], condition=models.Q(counted=False), name="reports_uncounted_since"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.standard_id}"


class Coverage(models.Model):
    """People of ``target_group`` (or of every group, ``ALL_GROUPS``) with a membership in the
    subtree of ``organisation``, and how many of them meet ``standard`` today."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    target_group = models.CharField(max_length=16, blank=True)
    members = models.PositiveIntegerField(default=0)
    certified = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "standard", "target_group"], name="reports_one_coverage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.standard_id} {self.certified}/{self.members}"


class CoverageMonth(models.Model):
    """How many of today's members had met ``standard`` by the end of ``month``: the trend."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    target_group = models.CharField(max_length=16, blank=True)
    month = models.DateField()
    certified = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "standard", "target_group", "month"],
                name="reports_one_coverage_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.standard_id} {self.month}: {self.certified}"


class PendingChange(models.Model):
    """A person whose qualifications or memberships changed since the rollup last ran.

    Written in the same transaction as the change (a certificate, a completion, a
    membership), so the rollup cannot miss one even if the broker was down; the rollup task
    deletes the rows it has processed. ``user_id`` is not a foreign key: a deleted account
    must still be taken out of the counts. ``organisation_id`` names an organisation whose
    counts changed without any one person's qualification changing (a membership removed).
    """

    user_id = models.BigIntegerField(null=True, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    # The person's memberships changed (not only their certificates): their organisations
    # are recounted rather than adjusted by one.
    memberships = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.user_id)


class ReportExport(Progress, models.Model):
    """An XLSX built by a worker; the person waits on a page that shows ``done`` of ``total``."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # {"level": "people" | "units", "target_group": "", "status": ""}
    filters = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="reports/exports/", blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pk} {self.state}"
