from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Site

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
    site = Site.objects.get(is_default_site=True)
    page = site.root_page.specific
    if not isinstance(page, HomePage):
        raise ValueError("The default site's root page is not a HomePage.")
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
