"""The catalogue as Wagtail pages: CourseIndexPage → CoursePage → LessonPage.

Pages hold what editors write and the course's settings. Learning state (enrolment, progress,
completion) lives in ``learning``; it reaches these templates as the ``learner`` context
variable, supplied by learning's ``on_serve_page`` hook.
"""

import re

from anyascii import anyascii
from django import forms
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from accounts.models import Membership
from assessments.models import Level

from .blocks import LESSON_BLOCKS
from .caching import CachedViewRestrictions


def fold(text: str) -> str:
    """Lower-case ASCII: "Kỹ năng số" and "ky nang so" become the same words."""
    return re.sub(r"\s+", " ", anyascii(text or "")).strip().lower()


class TargetGroup(models.Model):
    """One of the four groups a course is written for (the same codes as memberships)."""

    code = models.CharField(max_length=16, unique=True, choices=Membership.TargetGroup.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")

    def __str__(self) -> str:
        return str(self.get_code_display())


class CoursePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enrolment") == CoursePage.Enrolment.MANDATED:
            mandates = self.formsets.get("mandates")
            chosen = [
                form
                for form in (mandates.forms if mandates is not None and mandates.is_valid() else [])
                if form.cleaned_data.get("organisation") and not form.cleaned_data.get("DELETE")
            ]
            if not chosen:
                self.add_error(
                    "enrolment",
                    _("Choose the organisations a mandated course is for, or nobody can enrol."),
                )
        return cleaned


class CourseIndexPage(CachedViewRestrictions, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = selectors.catalogue(index_page=self, params=request.GET)
        return context


class CoursePage(CachedViewRestrictions, Page):
    class Enrolment(models.TextChoices):
        OPEN = "open", _("Open: anyone signed in can enrol")
        ASSIGNMENT = "assignment", _("By assignment only (a teacher or HR officer enrols)")
        MANDATED = "mandated", _("Mandated for agencies: their people enrol")

    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences for the catalogue.")
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = RichTextField(_("description"), blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BASIC)
    target_groups = ParentalManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True
    )
    competences = ParentalManyToManyField(
        "assessments.Competence",
        verbose_name=_("competences"),
        blank=True,
        limit_choices_to={"kind": "competence", "framework__is_current": True},
    )
    enrolment = models.CharField(
        _("enrolment"), max_length=16, choices=Enrolment.choices, default=Enrolment.OPEN
    )
    sequential = models.BooleanField(
        _("lessons in order"),
        default=True,
        help_text=_("Each lesson opens only when the previous one is complete."),
    )
    quiz_must_pass = models.BooleanField(
        _("quizzes and H5P activities complete a lesson only when passed"),
        default=True,
        help_text=_(
            "Otherwise a graded quiz or H5P activity completes its lesson whatever the score."
        ),
    )
    h5p_low_stakes = models.BooleanField(
        _("H5P results are low-stakes"),
        default=False,
        help_text=_(
            "H5P activities are scored in the browser. Low-stakes: they count towards progress "
            "and complete lessons, but stay out of the course's average, and a course whose "
            "only graded work is H5P issues no certificate on completion."
        ),
    )
    completion_min_score = models.PositiveSmallIntegerField(
        _("minimum score (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Required average on graded activities (quizzes, H5P), once the course has any."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("level"),
                FieldPanel("target_groups", widget=forms.CheckboxSelectMultiple),
                FieldPanel("competences", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Audience and competences"),
        ),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldPanel("enrolment"),
                InlinePanel(
                    "mandates",
                    label=_("Mandated for"),
                    help_text=_(
                        "For mandated courses: the people of these organisations and their units."
                    ),
                ),
                FieldPanel("sequential"),
                FieldPanel("quiz_must_pass"),
                FieldPanel("h5p_low_stakes"),
                FieldPanel("completion_min_score"),
            ],
            heading=_("Enrolment and completion"),
            help_text=_(
                "The completion rule takes effect when the course or one of its lessons is "
                "published. A lesson leaves it only when deleted, moved or marked optional."
            ),
        ),
    ]
    base_form_class = CoursePageForm
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("search_folded"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")

    @classmethod
    def routing_queryset(cls):
        """How ``HomePage.route`` fetches a course: with its cover image in the same query."""
        return cls.objects.select_related("image")

    def search_folded(self) -> str:
        return fold(f"{self.title} {self.summary} {strip_tags(self.description)}")

    def get_context(self, request, *args, learner=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["learner"] = learner
        return context


class LessonPage(CachedViewRestrictions, Page):
    body = StreamField(LESSON_BLOCKS, blank=True, verbose_name=_("content"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=10)
    required = models.BooleanField(
        _("required for completion"),
        default=True,
        help_text=_("The course is complete when every required lesson is."),
    )
    competences = ParentalManyToManyField(
        "assessments.Competence",
        verbose_name=_("competences"),
        blank=True,
        limit_choices_to={"kind": "competence", "framework__is_current": True},
    )

    content_panels = Page.content_panels + [
        FieldPanel("body"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
        FieldPanel("competences", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")

    @property
    def has_graded_blocks(self) -> bool:
        """Whether the lesson holds a graded activity (quiz, H5P): those complete it, not the
        learner's "Hoàn thành bài học" button."""
        return any(
            getattr(block.block, "graded", False) and block.block.is_ready(block.value)
            for block in self.body
        )

    @property
    def quiz_ids(self) -> list[int]:
        """The quizzes in the lesson body, read from the stored JSON without a query."""
        return [
            block["value"]["quiz"]
            for block in self.body.raw_data
            if block["type"] == "quiz"
            and isinstance(block.get("value"), dict)
            and block["value"].get("quiz")
        ]

    @property
    def h5p_ids(self) -> list[int]:
        """The H5P activities in the lesson body, read from the stored JSON without a query."""
        return [
            block["value"]["activity"]
            for block in self.body.raw_data
            if block["type"] == "h5p"
            and isinstance(block.get("value"), dict)
            and block["value"].get("activity")
        ]

    def get_context(self, request, *args, learner=None, quizzes=None, h5p=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["learner"] = learner
        context["quizzes"] = quizzes or {}
        context["h5p"] = h5p or {}
        return context


class CourseMandate(Orderable):
    """An organisation whose people (and those of its units) a mandated course is for."""

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="mandates")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )

    panels = [FieldPanel("organisation")]

    class Meta(Orderable.Meta):
        verbose_name = _("mandated organisation")
        constraints = [
            models.UniqueConstraint(fields=["course", "organisation"], name="courses_one_mandate")
        ]
