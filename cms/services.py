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


# --- Campaign sections (issue 10) ---------------------------------------------------------

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")  # write and submit, never publish
APPROVER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
LIBRARY_PERMISSIONS = (
    ("wagtailimages", ("add_image", "choose_image")),
    ("wagtaildocs", ("add_document", "choose_document")),
)
# The media library (a snippet): editors and approvers add and improve its items.
MEDIA_PERMISSIONS = ("add_mediaitem", "change_mediaitem", "view_mediaitem")


@transaction.atomic
def section_create(*, home: HomePage, title: str, slug: str, organisation=None, intro: str = ""):
    """A section with its own editors and approvers, or the existing one with that slug.

    Two groups, "Biên tập – <title>" (write articles and submit them) and "Duyệt – <title>"
    (publish), hold Wagtail page permissions on this section alone, so an editor of one
    agency's section cannot touch another's. A workflow of the section sends every article
    to its approvers before it is published. Returns (section, editors, approvers).
    """
    from .models import SectionPage

    section = SectionPage.objects.child_of(home).filter(slug=slug).first()
    if section is None:
        section = SectionPage(title=title, slug=slug, intro=intro, organisation=organisation)
        home.add_child(instance=section)
        section.save_revision().publish()
    editors, approvers = section_moderation_ensure(section=section)
    return section, editors, approvers


@transaction.atomic
def section_moderation_ensure(*, section):
    """The section's editor and approver groups, their permissions on it alone, and its
    moderation workflow; created if missing (also when an administrator adds a section in
    the admin). Returns (editors, approvers)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    # Named with the page's id too: two communes may share a name, and must never share groups.
    title = f"{section.title[:120]} (#{section.pk})"
    editors, _created = Group.objects.get_or_create(name=f"Biên tập – {title}")
    approvers, _created = Group.objects.get_or_create(name=f"Duyệt – {title}")
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    # The root collection comes with Wagtail's migrations; a flushed database lacks it.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for group, codenames in (
        (editors, EDITOR_PAGE_PERMISSIONS),
        (approvers, APPROVER_PAGE_PERMISSIONS),
    ):
        group.permissions.add(admin_access)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="cms", codename__in=MEDIA_PERMISSIONS
            )
        )
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=section, permission=permission
            )
        for app_label, library in LIBRARY_PERMISSIONS:
            for codename in library:
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )
    workflow, created = Workflow.objects.get_or_create(name=f"Duyệt tin – {title}")
    if created:
        task = GroupApprovalTask.objects.create(name=f"Duyệt – {title}")
        task.groups.set([approvers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
    return editors, approvers
