"""Question banks: banks, nested categories, questions with their answers and pairs.

A question keeps what Moodle's formats keep (so a GIFT or Moodle XML round trip loses no
supported field) plus a competence and level of the current framework. Answers and pairs are
children of a ClusterableModel so editors change them in one Wagtail form.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from ..interchange import common


class QuestionBank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionCategory(models.Model):
    """A category in a bank; ``path`` ("Kỹ năng số/Thư điện tử") is unique in the bank."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=255)
    path = models.CharField(_("path"), max_length=1000, editable=False)

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["bank", "path"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "path"], name="assessments_category_path")
        ]

    def __str__(self) -> str:
        return f"{self.bank} › {self.path.replace('/', ' › ')}"

    def save(self, *args, **kwargs):
        name = self.name.replace("/", "∕")
        self.path = f"{self.parent.path}/{name}" if self.parent_id else name
        super().save(*args, **kwargs)
        for child in self.children.all():
            child.save()

    def clean(self):
        if self.parent_id and self.parent.bank_id != self.bank_id:
            raise ValidationError({"parent": _("The parent category must be in the same bank.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            ancestor = ancestor.parent

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))


class TaggedQuestion(TaggedItemBase):
    content_object = ParentalKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class QuestionForm(WagtailAdminModelForm):
    """What the importer checks, checked in the editor too: a question that saves can be
    taken and graded."""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("qtype")
        answers = self._rows("answers")
        pairs = self._rows("pairs")
        credited = [row for row in answers if (row.cleaned_data.get("fraction") or 0) > 0]
        if kind in (Question.Type.SINGLE_CHOICE, Question.Type.MULTIPLE_CHOICE):
            if len(answers) < 2 or not credited:
                self.add_error(
                    None, _("A choice question needs two choices or more, one of them with credit.")
                )
        elif kind == Question.Type.TRUE_FALSE:
            texts = sorted((row.cleaned_data.get("text") or "").strip().lower() for row in answers)
            if texts != ["false", "true"] or len(credited) != 1:
                self.add_error(
                    None,
                    _(
                        'A true/false question has exactly two answers, "true" and "false"; '
                        "give credit 1 to the right one."
                    ),
                )
        elif kind in (Question.Type.SHORT_ANSWER, Question.Type.NUMERICAL) and not credited:
            self.add_error(None, _("Give at least one accepted answer some credit."))
        elif kind == Question.Type.MATCHING and (
            sum(1 for row in pairs if (row.cleaned_data.get("prompt") or "").strip()) < 2
        ):
            self.add_error(None, _("A matching question needs two pairs or more."))
        if kind == Question.Type.NUMERICAL:
            for row in answers:
                text = (row.cleaned_data.get("text") or "").strip()
                number = text.replace(",", ".")
                try:
                    common.number(number) if number != "*" else None
                except ValueError:
                    row.add_error(
                        "text", _("Write a number, such as 12 or 3.5 (or * for any other answer).")
                    )
                else:
                    row.cleaned_data["text"] = number
                    row.instance.text = number
        return cleaned

    def _rows(self, name: str) -> list:
        formset = self.formsets.get(name)
        if formset is None or not formset.is_valid():
            return []
        return [
            row for row in formset.forms if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]


class Question(index.Indexed, ClusterableModel):
    class Type(models.TextChoices):
        SINGLE_CHOICE = common.SINGLE_CHOICE, _("Single choice")
        MULTIPLE_CHOICE = common.MULTIPLE_CHOICE, _("Multiple choice")
        TRUE_FALSE = common.TRUE_FALSE, _("True or false")
        SHORT_ANSWER = common.SHORT_ANSWER, _("Short answer")
        MATCHING = common.MATCHING, _("Matching")
        NUMERICAL = common.NUMERICAL, _("Numerical")
        ESSAY = common.ESSAY, _("Essay (graded by a teacher)")
        DESCRIPTION = common.DESCRIPTION, _("Description (no answer)")

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        MOODLE = "moodle", _("Text with line breaks")
        PLAIN = "plain", _("Plain text")
        MARKDOWN = "markdown", "Markdown"

    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("category"),
    )
    qtype = models.CharField(_("type"), max_length=20, choices=Type.choices)
    name = models.CharField(_("name"), max_length=255)
    text = models.TextField(_("question text"), blank=True)
    text_format = models.CharField(
        _("text format"), max_length=10, choices=Format.choices, default=Format.HTML
    )
    general_feedback = models.TextField(
        _("general feedback"), blank=True, help_text=_("Shown to everyone after the attempt.")
    )
    correct_feedback = models.TextField(_("feedback when correct"), blank=True)
    partial_feedback = models.TextField(_("feedback when partly correct"), blank=True)
    incorrect_feedback = models.TextField(_("feedback when incorrect"), blank=True)
    default_mark = models.DecimalField(
        _("default mark"),
        max_digits=7,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    competence = models.ForeignKey(
        "assessments.Competence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("competence"),
        limit_choices_to={"kind": "competence", "framework__is_current": True},
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("Proficiency level 1–8 of the framework that this question shows."),
    )
    shuffle_answers = models.BooleanField(_("shuffle the choices"), default=True)
    case_sensitive = models.BooleanField(_("upper and lower case must match"), default=False)
    ignore_diacritics = models.BooleanField(
        _("accept answers typed without diacritics"),
        default=False,
        help_text=_("“ky nang so” then counts as “kỹ năng số”."),
    )
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True)
    tags = ClusterTaggableManager(through=TaggedQuestion, blank=True, verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("category"), FieldPanel("qtype")]),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("text_format"), FieldPanel("default_mark")]),
        FieldPanel("text"),
        InlinePanel("answers", label=_("Answers")),
        InlinePanel("pairs", label=_("Matching pairs")),
        MultiFieldPanel(
            [
                FieldPanel("shuffle_answers"),
                FieldPanel("case_sensitive"),
                FieldPanel("ignore_diacritics"),
            ],
            heading=_("Options"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("general_feedback"),
                FieldPanel("correct_feedback"),
                FieldPanel("partial_feedback"),
                FieldPanel("incorrect_feedback"),
            ],
            heading=_("Feedback"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("competence"), FieldPanel("level")]),
                FieldPanel("tags"),
                FieldPanel("idnumber"),
            ],
            heading=_("Competence and tags"),
        ),
    ]
    base_form_class = QuestionForm
    search_fields = [
        index.SearchField("name"),
        index.SearchField("text"),
        index.FilterField("qtype"),
        index.FilterField("category"),
    ]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["category", "pk"]
        indexes = [models.Index(fields=["competence", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def graded(self) -> bool:
        return self.qtype != self.Type.DESCRIPTION

    @property
    def needs_teacher(self) -> bool:
        return self.qtype == self.Type.ESSAY


class Answer(Orderable):
    """A choice, an accepted short answer, or a number with its tolerance.

    True/false questions have two answers whose texts are "true" and "false". A numerical
    answer "*" matches anything (Moodle's "any other answer", for its feedback).
    """

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"))
    fraction = models.DecimalField(
        _("credit"),
        max_digits=8,
        decimal_places=7,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(-1)), MaxValueValidator(Decimal(1))],
        help_text=_("1 = full marks, 0.5 = half, negative for a penalty (down to -1)."),
    )
    feedback = models.TextField(_("feedback"), blank=True)
    tolerance = models.DecimalField(
        _("tolerance (numbers)"), max_digits=20, decimal_places=10, null=True, blank=True
    )

    panels = [
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("fraction"), FieldPanel("tolerance")]),
        FieldPanel("feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("answer")


class MatchPair(Orderable):
    """A prompt and the answer it matches; an empty prompt is an extra (wrong) answer."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="pairs")
    prompt = models.TextField(_("prompt"), blank=True)
    answer = models.CharField(_("matching answer"), max_length=500)

    panels = [FieldPanel("prompt"), FieldPanel("answer")]

    class Meta(Orderable.Meta):
        verbose_name = _("matching pair")


class QuestionFile(models.Model):
    """An image embedded in an imported question (Moodle XML ``<file>``), referred to in the
    text as ``@@PLUGINFILE@@/name`` and kept in the image library."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "name"], name="assessments_file_name")
        ]

    def __str__(self) -> str:
        return self.name


class QuestionImport(models.Model):
    """An uploaded file waiting for the importer to confirm its preview, then its report."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    atomic = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEW)
    report = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question import")

    def __str__(self) -> str:
        return self.filename
