"""StreamField blocks of a lesson.

``LESSON_BLOCKS`` is the one list a lesson body is built from. A block whose class sets
``graded = True`` (a quiz, an H5P activity) produces a score: a lesson holding one
is completed by that result, recorded by ``learning``, not by the learner's button.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

YOUTUBE_ID = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/)|youtu\.be/)"
    r"(?P<id>[A-Za-z0-9_-]{11})"
)
RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/figure.html"


class VideoFileBlock(blocks.StructBlock):
    """A video uploaded to the document library, with a captions file (WebVTT)."""

    video = DocumentChooserBlock(label=_("Video file (MP4 or WebM)"))
    captions = DocumentChooserBlock(label=_("Captions (WebVTT .vtt)"), required=False)
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.RichTextBlock(
        label=_("Transcript"), required=False, features=["bold", "italic", "ol", "ul"]
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video_file.html"

    def clean(self, value):
        value = super().clean(value)
        video = value.get("video")
        if video and video.file_extension.lower() not in {"mp4", "webm"}:
            raise blocks.StructBlockValidationError(
                {"video": ValidationError(_("Choose an MP4 or WebM file."))}
            )
        captions = value.get("captions")
        if captions and captions.file_extension.lower() != "vtt":
            raise blocks.StructBlockValidationError(
                {"captions": ValidationError(_("Captions must be a WebVTT (.vtt) file."))}
            )
        return value


class YouTubeBlock(blocks.StructBlock):
    """A YouTube video, played from youtube-nocookie.com so no tracking cookie is set."""

    url = blocks.URLBlock(label=_("YouTube address"))
    title = blocks.CharBlock(label=_("Title"), max_length=200)

    class Meta:
        icon = "media"
        label = _("YouTube video")
        template = "courses/blocks/youtube.html"

    def clean(self, value):
        value = super().clean(value)
        if not YOUTUBE_ID.match(value.get("url") or ""):
            raise blocks.StructBlockValidationError(
                {"url": ValidationError(_("Enter the address of a YouTube video."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        match = YOUTUBE_ID.match(value["url"])
        context["video_id"] = match.group("id") if match else ""
        return context


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        label = _("Downloadable document")
        template = "courses/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning"))],
        default="tip",
        widget=forms.RadioSelect,
    )
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "warning"
        label = _("Tip or warning")
        template = "courses/blocks/callout.html"


class QuizBlock(blocks.StructBlock):
    """A quiz from the question banks, taken inside the lesson. Its panel (start, resume,
    grade) comes from ``quiz_states``, which learning puts in the lesson's context."""

    graded = True

    quiz = SnippetChooserBlock("assessments.Quiz", label=_("Quiz"))

    def is_ready(self, value) -> bool:
        """False once the quiz was deleted: the lesson then completes by its button again,
        rather than waiting for a quiz nobody can take."""
        return value.get("quiz") is not None

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "courses/blocks/quiz.html"


class H5PBlock(blocks.StructBlock):
    """An H5P activity, played in a sandboxed frame from the content origin. Its panel
    (status, score) comes from ``h5p``, which learning puts in the lesson's context."""

    graded = True

    activity = SnippetChooserBlock("assessments.H5PActivity", label=_("H5P activity"))

    def is_ready(self, value) -> bool:
        return value.get("activity") is not None

    class Meta:
        icon = "pick"
        label = _("H5P activity")
        template = "courses/blocks/h5p.html"


LESSON_BLOCKS = [
    ("paragraph", blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)),
    ("figure", FigureBlock()),
    ("video", VideoFileBlock()),
    ("youtube", YouTubeBlock()),
    ("document", DocumentBlock()),
    ("callout", CalloutBlock()),
    ("quiz", QuizBlock()),
    ("h5p", H5PBlock()),
]
