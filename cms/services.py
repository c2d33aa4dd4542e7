from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from .models import HomePage, WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Note that ``hostname`` is alive now. Safe to run any number of times."""
    heartbeat, _ = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"last_seen": timezone.now()}
    )
    WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(
        last_seen=timezone.now(), beats=F("beats") + 1
    )
    heartbeat.refresh_from_db()
    return heartbeat


@transaction.atomic
def home_page_publish(
    *, title: str, lead: str, intro: str, body: list[tuple[str, str]]
) -> HomePage:
    """Publish the site's home page with this content, unless it already says exactly that.

    Skipping unchanged content keeps the revision history meaningful when the demo seed or a
    deployment runs again.
    """
    page = default_site_ensure()
    current_body = [(block.block_type, _block_source(block.value)) for block in page.body]
    if (page.title, page.lead, page.intro, current_body) == (
        title,
        lead,
        intro,
        body,
    ) and page.live:
        return page
    page.title = title
    page.draft_title = title
    page.lead = lead
    page.intro = intro
    page.body = body
    page.save_revision().publish()
    return page


def _block_source(value) -> str:
    return getattr(value, "source", value)


@transaction.atomic
def default_site_ensure() -> HomePage:
    """The default site's home page, creating the tree's root, the home page and the site if
    they are missing (a fresh database flushed of the migration's data, or a broken install)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        page = site.root_page.specific
        if not isinstance(page, HomePage):
            raise ValueError("The default site's root page is not a HomePage.")
        return page
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(
        language_code=settings.LANGUAGE_CODE
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=HomePage(title="Bình dân học vụ số", slug="home", locale=locale))
    Site.objects.create(
        hostname="localhost", site_name="Bình dân học vụ số", root_page=home, is_default_site=True
    )
    return home
