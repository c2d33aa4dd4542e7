"""Site pages and the small bits of state the site itself owns."""

import functools

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index


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
        ten queries for a lesson). A page's ``url_path`` already names the whole path, so it
        is looked up directly (through the indexed slug) and asked to route itself, which
        keeps its own live check and 404s. Anything it does not match falls back to Wagtail's
        walk. While any page type routes its own sub-paths (RoutablePageMixin), where an
        ancestor's sub-route must win over a child's slug, the walk is always used.
        """
        if path_components and not _has_routable_page_types():
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            found = (
                Page.objects.filter(slug=path_components[-1], url_path=url_path)
                .filter(locale_id=self.locale_id)
                .only("id", "content_type_id")
                .first()
            )
            if found is not None:
                model = found.specific_class
                queryset = getattr(model, "routing_queryset", model.objects.all)()
                page = queryset.filter(pk=found.pk).first()
                if page is not None:
                    return page.route(request, [])
        return super().route(request, path_components)


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
