"""H5P activities: the package files (every version kept), attempts, grades, resume state
and every xAPI statement received, accepted or not.

The invariants the database keeps (house style 9):
- version numbers are unique per activity, and each version's folder is its own;
- one open attempt per learner, activity and lesson;
- an accepted statement id counts once per learner (a re-sent statement is not a second
  answer); rejected statements carry no such constraint, so every forgery is kept;
- one grade per learner and activity, one saved state per learner, activity and lesson.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class H5PActivity(index.Indexed, models.Model):
    class Grading(models.TextChoices):
        BEST = "best", _("Best attempt")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")

    title = models.CharField(_("title"), max_length=255)
    grading_method = models.CharField(
        _("score that counts"), max_length=10, choices=Grading.choices, default=Grading.BEST
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Separate from completion: an attempt passes only with at least this score, "
            "and never when the activity itself reports it failed."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> "H5PPackageVersion | None":
        """The newest version; older ones stay for the attempts that played them."""
        return self.versions.order_by("-number").first()

    def iri(self) -> str:
        """The activity's xAPI object id: the player puts it in every statement it emits."""
        return f"{settings.SITE_URL.rstrip('/')}/h5p/{self.pk}"


class H5PPackageVersion(models.Model):
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    package = models.FileField(_("package file"), upload_to="h5p/packages/", max_length=255)
    folder = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    title = models.CharField(max_length=255)
    main_library = models.CharField(max_length=255)
    language = models.CharField(max_length=10, blank=True)
    libraries = models.JSONField(default=list)
    content_types = models.JSONField(default=list)
    # From the package's own parameters, where its type defines one; else None, and each
    # learner's first scored statement sets theirs (services.h5p._maximum).
    max_score = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("H5P package version")
        ordering = ["activity", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="h5p_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.activity} v{self.number}"

    @property
    def library_names(self) -> list[str]:
        return [f"{lib['name']} {lib['version']}" for lib in self.libraries]


class H5PAttempt(models.Model):
    # No index of its own: h5p_attempt_number (user, activity, ...) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="h5p_attempts",
        db_index=False,
    )
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(H5PPackageVersion, on_delete=models.PROTECT, related_name="+")
    context_id = models.PositiveIntegerField(help_text="The lesson page it was played in.")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    raw_score = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity", "context_id"],
                condition=Q(finished_at__isnull=True),
                name="h5p_one_open_attempt",
            ),
            models.UniqueConstraint(
                fields=["user", "activity", "context_id", "number"], name="h5p_attempt_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.activity} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class H5PGrade(models.Model):
    """A learner's grade for an activity under its "score that counts", kept current."""

    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="grades")
    # No index of its own: h5p_one_grade (user, activity) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="h5p_grades",
        db_index=False,
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    raw_score = models.DecimalField(max_digits=9, decimal_places=2)
    max_score = models.DecimalField(max_digits=9, decimal_places=2)
    passed = models.BooleanField()
    attempts_graded = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "activity"], name="h5p_one_grade")]

    def __str__(self) -> str:
        return f"{self.user} – {self.activity}: {self.percent}%"


class H5PState(models.Model):
    """Where the learner left the activity (the player's ``contentUserData``), to resume."""

    # No index of its own: h5p_one_state (user, activity, context_id) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="+")
    context_id = models.PositiveIntegerField()
    version = models.ForeignKey(H5PPackageVersion, on_delete=models.CASCADE, related_name="+")
    data = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "activity", "context_id"], name="h5p_one_state")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} – {self.activity_id} @ {self.context_id}"


class H5PStatement(models.Model):
    """Every statement the endpoint received from a signed-in learner, for audit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_statements"
    )
    # No index of its own: the (activity, accepted) index leads with it.
    activity = models.ForeignKey(
        H5PActivity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
        db_index=False,
    )
    attempt = models.ForeignKey(
        H5PAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    context_id = models.PositiveIntegerField(null=True, blank=True)
    statement_id = models.UUIDField()
    verb = models.CharField(max_length=60, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True)
    counted = models.BooleanField(
        default=False, help_text="This statement's score graded its attempt."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "statement_id"],
                condition=Q(accepted=True),
                name="h5p_statement_once",
            )
        ]
        indexes = [models.Index(fields=["activity", "accepted"])]

    def __str__(self) -> str:
        return f"{self.statement_id} ({self.reason or 'ok'})"
