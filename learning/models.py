"""A learner's path through a course: enrolment, lesson progress, completion.

Records point at pages with ``SET_NULL`` and keep the title they had: deleting or moving a
page in the CMS never deletes what a person has achieved. Progress is kept per lesson (not
per enrolment), so a lesson moved to another course keeps its completion there.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNMENT = "assignment", _("Assigned by a teacher")
        MANDATE = "mandate", _("Mandated by the agency")

    # No index of its own: learning_one_enrolment (user, course) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    course_title = models.CharField(_("course"), max_length=255)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="learning_one_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.course_title}"


class LessonProgress(models.Model):
    # No index of its own: learning_one_progress (user, lesson) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_progress",
        db_index=False,
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lesson_title = models.CharField(_("lesson"), max_length=255)
    completed_at = models.DateTimeField(_("completed at"))
    score = models.DecimalField(
        _("score (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For lessons completed by quizzes: the learner's grade, kept current."),
    )

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="learning_one_progress")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.lesson_title}"


class CompletionRuleVersion(models.Model):
    """What completing a course required, frozen each time the editors change it.

    A completion records the version it was earned under; a later, stricter rule never
    takes it away.
    """

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField()
    required_lesson_ids = models.JSONField(default=list)
    min_score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("completion rule version")
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="learning_rule_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class CourseCompletion(models.Model):
    # No index of its own: learning_one_completion (user, course) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_completions",
        db_index=False,
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    course_title = models.CharField(_("course"), max_length=255)
    rule = models.ForeignKey(CompletionRuleVersion, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="learning_one_completion")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.course_title}"
