"""The campaign portal in the CMS: cache headers for public pages, purges on publish, and
the media library in the admin menu."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from learning.wagtail_hooks import cache_for_audience

from . import services
from .models import ArticlePage, HomePage, MediaItem, SectionPage


@hooks.register("on_serve_page")
def public_pages_are_cacheable(next_serve):
    """Home, sections and articles are the same for every anonymous visitor: a proxy or CDN
    may keep them five minutes (a publish purges them, ``handlers``). Logged in, never."""

    def serve(page, request, args, kwargs):
        response = next_serve(page, request, args, kwargs)
        already = response.get("Cache-Control", "")
        if (
            isinstance(page, (HomePage, SectionPage, ArticlePage))
            and response.status_code == 200
            # Wagtail marks pages behind a login or password private: they stay so.
            and "private" not in already
            and "no-store" not in already
        ):
            cache_for_audience(request, response)
        return response

    return serve


@hooks.register("after_create_page")
def new_section_gets_its_editors_and_workflow(request, page):
    if isinstance(page.specific, SectionPage):
        services.section_moderation_ensure(section=page.specific)


class MediaItemViewSet(SnippetViewSet):
    model = MediaItem
    icon = "media"
    menu_label = _("Media library")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["title", "kind", "author", "licence"]
    list_filter = ["kind", "licence"]
    search_fields = ["title"]


register_snippet(MediaItemViewSet)
