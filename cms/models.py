"""Site pages and the small bits of state the site itself owns."""

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index

from courses.caching import CachedViewRestrictions, cached

from .blocks import ARTICLE_BLOCKS


class HomePage(CachedViewRestrictions, Page):
    """The front page of a site: the campaign's promise and where to start."""

    lead = models.CharField(_("lead"), max_length=300, blank=True)
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            ("image", ImageBlock(label=_("Image"))),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("lead"),
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        """The landing page of the campaign: the headline figure, the latest news and courses."""
        from courses.models import CoursePage

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["news"] = list(selectors.articles()[:6])
        context["courses"] = list(
            CoursePage.objects.live().public().select_related("image").order_by("path")[:4]
        )
        context["coverage"] = selectors.headline_coverage()
        context["sections"] = list(SectionPage.objects.live().public().child_of(self))
        return context

    def route(self, request, path_components):
        """Find a page anywhere below in two queries instead of two per level, and then in
        none until a page changes (``courses.caching``).

        Wagtail walks the tree one level at a time (a lookup and a ``.specific`` per level, so
        ten queries for a lesson). A page's ``url_path`` already names the whole path, so it
        is looked up directly (through the indexed slug) and asked to route itself, which
        keeps its own live check and 404s. Anything it does not match falls back to Wagtail's
        walk. While any page type routes its own sub-paths (RoutablePageMixin), where an
        ancestor's sub-route must win over a child's slug, the walk is always used.
        """
        if path_components and not _has_routable_page_types():
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            page = cached(f"route:{self.locale_id}:{url_path}", lambda: self._find(url_path))
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def _find(self, url_path: str) -> Page | None:
        """The page at ``url_path``, as its own type; kept until a page changes."""
        found = (
            Page.objects.filter(slug=url_path.rstrip("/").rsplit("/", 1)[-1], url_path=url_path)
            .filter(locale_id=self.locale_id)
            .only("id", "content_type_id")
            .first()
        )
        if found is None:
            return None
        model = found.specific_class
        queryset = getattr(model, "routing_queryset", model.objects.all)()
        return queryset.filter(pk=found.pk).first()


@functools.cache
def _has_routable_page_types() -> bool:
    from wagtail.contrib.routable_page.models import RoutablePageMixin
    from wagtail.models import get_page_models

    return any(issubclass(model, RoutablePageMixin) for model in get_page_models())


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker proved it can run a task and write to the database.

    Written by the ``worker_heartbeat`` task (scheduled by beat) and read by ``/healthz/``,
    so operators see a stuck or missing worker before learners miss their certificates.
    """

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    last_seen = models.DateTimeField(_("last seen"))
    beats = models.PositiveBigIntegerField(_("heartbeats"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.hostname


# --- The campaign portal: sections, articles and the media library (issue 10) -------------


class MediaItem(index.Indexed, models.Model):
    """A short video or an infographic in the campaign's media library, with its licence and
    author, ready to place in articles and to re-post. A video needs captions and an
    infographic a text alternative (WCAG 2.1 AA)."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Short video")
        INFOGRAPHIC = "infographic", _("Infographic")

    class Licence(models.TextChoices):
        CC_BY = "cc-by-4.0", "CC BY 4.0"
        CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
        PUBLIC = "public-domain", _("Public domain")
        AGENCY = "agency", _("© the publishing agency, re-posting allowed")

    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    video = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("video file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    captions = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("captions (WebVTT .vtt)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    alt_text = models.CharField(
        _("text alternative"),
        max_length=500,
        blank=True,
        help_text=_("What the picture shows or says, for people who cannot see it."),
    )
    author = models.CharField(_("author"), max_length=255)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices)
    source_url = models.URLField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("kind"),
        FieldPanel("video"),
        FieldPanel("captions"),
        FieldPanel("image"),
        FieldPanel("alt_text"),
        FieldPanel("author"),
        FieldPanel("licence"),
        FieldPanel("source_url"),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("media item")
        verbose_name_plural = _("media library")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if self.kind == self.Kind.VIDEO:
            if self.video is None:
                errors["video"] = _("A video needs its file.")
            if self.captions is None:
                errors["captions"] = _("A video needs captions (a WebVTT .vtt file).")
            elif self.captions.file_extension.lower() != "vtt":
                errors["captions"] = _("Captions must be a WebVTT (.vtt) file.")
        if self.kind == self.Kind.INFOGRAPHIC:
            if self.image is None:
                errors["image"] = _("An infographic needs its picture.")
            if not self.alt_text.strip():
                errors["alt_text"] = _("An infographic needs a text alternative.")
        if errors:
            raise ValidationError(errors)


class SectionPage(CachedViewRestrictions, Page):
    """A section ("chuyên trang, chuyên mục") of an agency or commune. Its editors and
    approvers are groups of its own, with a moderation workflow (``services.section_create``)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency or commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("organisation")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]
    page_size = 12

    class Meta:
        verbose_name = _("news section")

    def articles(self):
        return (
            ArticlePage.objects.live()
            .public()
            .child_of(self)
            .select_related("image")
            .order_by("-first_published_at")
        )

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = Paginator(self.articles(), self.page_size).get_page(
            request.GET.get("trang")
        )
        return context


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(CachedViewRestrictions, Page):
    """News about Resolution 57 and digital transformation, written by a section's editors,
    published through its approvers, and re-posted by grassroots systems from the feeds."""

    lead = models.TextField(_("lead"), max_length=600)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown in lists, feeds and when the article is shared."),
    )
    image_alt = models.CharField(_("cover image text alternative"), max_length=300, blank=True)
    body = StreamField(ARTICLE_BLOCKS, blank=True, verbose_name=_("body"))
    audio = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("audio for loudspeakers"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An MP3 read aloud, for commune loudspeaker systems (goes in the feeds)."),
    )
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("tags"))
    related_courses = ParentalManyToManyField(
        "courses.CoursePage", blank=True, verbose_name=_("related courses"), related_name="+"
    )

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
        FieldPanel("audio"),
        FieldPanel("tags"),
        FieldPanel("related_courses", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("lead"),
        index.SearchField("body"),
        index.SearchField("search_folded"),
    ]
    parent_page_types = ["cms.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("article")

    @property
    def search_folded(self) -> str:
        from courses.models import fold

        text = " ".join(
            str(block.value.source if hasattr(block.value, "source") else "")
            for block in self.body
            if block.block_type == "paragraph"
        )
        return fold(f"{self.title} {self.lead} {strip_tags(text)}")

    def clean(self):
        super().clean()
        errors = {}
        if self.image_id and not self.image_alt.strip():
            errors["image_alt"] = _("Describe the cover image for people who cannot see it.")
        if self.audio_id and self.audio.file_extension.lower() not in {"mp3", "m4a"}:
            errors["audio"] = _("Choose an MP3 or M4A file.")
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["section"] = self.get_parent()  # its title, slug and URL: no specific needed
        # Only courses anyone may see: a restricted course's title stays private.
        context["courses"] = list(self.related_courses.live().public())
        return context
