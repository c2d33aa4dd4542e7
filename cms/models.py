"""Site pages and the small bits of state the site itself owns."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index
from wagtail.url_routing import RouteResult


class HomePage(Page):
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

    def route(self, request, path_components):
        """Find a page anywhere below in two queries instead of two per level.

        Wagtail walks the tree one level at a time (a lookup and a ``.specific`` per level, so
        ten queries for a lesson). A page's ``url_path`` already names the whole path, so it is
        looked up directly; anything it does not match (a sub-route of a routable page, a
        missing page) falls back to Wagtail's own walk, which keeps its behaviour and its 404s.
        """
        if path_components:
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            page = Page.objects.filter(url_path=url_path, locale_id=self.locale_id).first()
            if page is not None:
                page = page.specific
                if page.live:
                    return RouteResult(page)
        return super().route(request, path_components)


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
