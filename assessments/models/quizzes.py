"""Quizzes, their slots, and what learners do with them: attempts, answers and grades.

The invariants the database keeps (house style 9):
- one open attempt per learner and quiz (a partial unique constraint), so two tabs or a
  double click can never start two;
- attempt numbers are unique per learner and quiz;
- one answer row per attempt and slot, one grade row per learner and quiz.
Grading happens only in ``services.attempts``, inside a transaction that locks the attempt.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index


class Quiz(index.Indexed, ClusterableModel):
    class Grading(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")
        AVERAGE = "average", _("Average of attempts")

    class Review(models.TextChoices):
        AFTER_SUBMIT = "after_submit", _("Right after each attempt")
        AFTER_FINAL = "after_final", _("Once passed or out of attempts")
        NEVER = "never", pgettext_lazy("quiz review", "Never")

    title = models.CharField(_("title"), max_length=255)
    intro = RichTextField(_("instructions"), blank=True, features=["bold", "italic", "ol", "ul"])
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("Empty: no time limit. The server closes the attempt when time is up."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 = unlimited.")
    )
    grading_method = models.CharField(
        _("grade to keep"), max_length=10, choices=Grading.choices, default=Grading.HIGHEST
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    shuffle_questions = models.BooleanField(_("shuffle the questions"), default=False)
    show_feedback = models.CharField(
        _("show feedback"), max_length=16, choices=Review.choices, default=Review.AFTER_SUBMIT
    )
    show_correct_answers = models.CharField(
        _("show the correct answers"),
        max_length=16,
        choices=Review.choices,
        default=Review.AFTER_FINAL,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        InlinePanel("slots", label=_("Questions"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]),
                FieldRowPanel([FieldPanel("grading_method"), FieldPanel("pass_mark")]),
                FieldPanel("shuffle_questions"),
            ],
            heading=_("Timing and grading"),
        ),
        MultiFieldPanel(
            [FieldPanel("show_feedback"), FieldPanel("show_correct_answers")],
            heading=_("Review after an attempt"),
        ),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuizSlot(Orderable):
    """One place in the quiz: a fixed question, or questions drawn at random from a category
    (with its subcategories) or from a competence (optionally at one level)."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        "assessments.Question",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    random_category = models.ForeignKey(
        "assessments.QuestionCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or random from category"),
    )
    include_subcategories = models.BooleanField(_("include subcategories"), default=True)
    random_competence = models.ForeignKey(
        "assessments.Competence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or random from competence"),
        limit_choices_to={"kind": "competence", "framework__is_current": True},
    )
    random_level = models.PositiveSmallIntegerField(
        _("at level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    count = models.PositiveSmallIntegerField(
        _("how many (random)"), default=1, validators=[MinValueValidator(1)]
    )
    mark = models.DecimalField(
        _("mark"),
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Empty: the question's default mark."),
    )

    panels = [
        FieldPanel("question"),
        FieldRowPanel([FieldPanel("random_category"), FieldPanel("include_subcategories")]),
        FieldRowPanel([FieldPanel("random_competence"), FieldPanel("random_level")]),
        FieldRowPanel([FieldPanel("count"), FieldPanel("mark")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz question")

    def clean(self):
        chosen = [self.question_id, self.random_category_id, self.random_competence_id]
        if sum(1 for value in chosen if value) != 1:
            raise ValidationError(
                _("Choose one question, or one category, or one competence to draw from.")
            )


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", pgettext_lazy("attempt state", "In progress")
        NEEDS_GRADING = "needs_grading", _("Waiting for the teacher")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    # No index of its own: assessments_attempt_number (user, quiz, number) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    context_id = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Where the attempt was started (learning passes the lesson's id).",
    )
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    closed_by_timer = models.BooleanField(default=False)
    marks = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    max_marks = models.DecimalField(max_digits=9, decimal_places=3, default=Decimal(0))
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="assessments_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(state="in_progress"),
                name="assessments_one_open_attempt",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.quiz} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS


class AttemptAnswer(models.Model):
    """A learner's response to one slot. ``layout`` holds the order the choices were shown
    in (answer ids, or matching pair ids); the browser only ever sees positions in it."""

    # No index of its own: assessments_answer_slot (attempt, slot) leads with it.
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    slot = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        "assessments.Question", on_delete=models.PROTECT, related_name="attempt_answers"
    )
    mark = models.DecimalField(max_digits=7, decimal_places=3)
    layout = models.JSONField(default=dict)
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    fraction = models.DecimalField(max_digits=8, decimal_places=7, null=True, blank=True)
    awarded = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    needs_grading = models.BooleanField(default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    grader_comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "slot"], name="assessments_answer_slot")
        ]
        indexes = [
            models.Index(
                fields=["needs_grading"],
                condition=Q(needs_grading=True),
                name="assessments_to_grade",
            )
        ]
        ordering = ["attempt", "slot"]

    def __str__(self) -> str:
        return f"{self.attempt} – {self.slot}"


class QuizGrade(models.Model):
    """A learner's grade for a quiz under its grading method, kept current after each
    graded attempt."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="grades")
    # No index of its own: assessments_one_grade (user, quiz) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_grades",
        db_index=False,
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    passed = models.BooleanField()
    attempts_graded = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz"], name="assessments_one_grade")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.quiz}: {self.percent}%"
