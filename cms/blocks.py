"""The blocks of a news article. Lesson blocks (figure, video, YouTube, documents) are reused
from ``courses``; pictures need a text alternative unless marked decorative (Wagtail's
ImageBlock), infographics a longer description too."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from courses.blocks import DocumentBlock, FigureBlock, VideoFileBlock, YouTubeBlock

RICH_TEXT = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote"]


class InfographicBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Infographic"))
    description = blocks.TextBlock(
        label=_("What the infographic says"),
        help_text=_("Its text and figures, for screen readers and search."),
    )

    class Meta:
        icon = "image"
        label = _("Infographic")
        template = "cms/blocks/infographic.html"


class CaptionedVideoBlock(VideoFileBlock):
    """In the news, an uploaded video must carry captions (WCAG 2.1 AA, 1.2.2)."""

    def clean(self, value):
        value = super().clean(value)
        if not value.get("captions"):
            raise blocks.StructBlockValidationError(
                {"captions": ValidationError(_("A video needs captions (a WebVTT .vtt file)."))}
            )
        return value


class CaptionedYouTubeBlock(YouTubeBlock):
    """YouTube's captions cannot be checked from here: the editor confirms them, or gives a
    transcript."""

    has_captions = blocks.BooleanBlock(label=_("The video has captions on YouTube"), required=False)
    transcript = blocks.RichTextBlock(
        label=_("Transcript"), required=False, features=["bold", "italic", "ol", "ul"]
    )

    def clean(self, value):
        value = super().clean(value)
        if not value.get("has_captions") and not value.get("transcript"):
            raise blocks.StructBlockValidationError(
                {
                    "transcript": ValidationError(
                        _("Give a transcript, or confirm the video has captions.")
                    )
                }
            )
        return value


ARTICLE_BLOCKS = [
    ("paragraph", blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT)),
    ("figure", FigureBlock()),
    ("infographic", InfographicBlock()),
    ("video", CaptionedVideoBlock()),
    ("youtube", CaptionedYouTubeBlock()),
    ("document", DocumentBlock()),
    (
        "media",
        SnippetChooserBlock(
            "cms.MediaItem",
            label=_("From the media library"),
            template="cms/blocks/media_item.html",
        ),
    ),
]
