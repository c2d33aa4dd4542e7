"""Classes ("lớp học") run by teachers, their students, and the modules assigned to them.

An assignment points at a course (and optionally some of its lessons); what a student has
done is read from ``learning`` (lesson progress, course completion), never copied here.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in class


def class_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


class Classroom(models.Model):
    name = models.CharField(_("class name"), max_length=150)
    code = models.CharField(_("join code"), max_length=12, unique=True, default=class_code)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="classes_taught", verbose_name=_("teachers")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes",
        verbose_name=_("school or agency"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClassMember(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="classes_one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.classroom_id}: {self.user_id}"


class Assignment(models.Model):
    class LatePolicy(models.TextChoices):
        MARK_LATE = "mark", _("Accept late work, marked late")
        IGNORE = "ignore", _("No late marking")

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    course_title = models.CharField(_("course"), max_length=255)
    lessons = models.ManyToManyField(
        "courses.LessonPage",
        blank=True,
        related_name="+",
        verbose_name=_("lessons"),
        help_text=_("Leave empty to assign the whole course."),
    )
    # Chosen lessons can be deleted later; the assignment must not turn into the whole course.
    whole_course = models.BooleanField(default=True, editable=False)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("students"),
        help_text=_("Leave empty to assign it to the whole class."),
    )
    starts_on = models.DateField(_("start date"))
    due_at = models.DateTimeField(_("due"))
    late_policy = models.CharField(
        _("late work"), max_length=8, choices=LatePolicy.choices, default=LatePolicy.MARK_LATE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return self.course_title

    @property
    def upcoming(self) -> bool:
        """Whether the work opens later (the start date is in the future, Việt Nam time)."""
        return self.starts_on > timezone.localdate()


class Reminder(models.Model):
    """One reminder or digest sent: the unique key makes sending it a second time impossible
    (``due3:<assignment>``, ``due1:<assignment>``, ``digest:<ISO year-week>``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="classes_reminder_once")
        ]

    def __str__(self) -> str:
        return self.key


class ReminderOptOut(models.Model):
    """Someone who followed the unsubscribe link in a reminder."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.user_id)
