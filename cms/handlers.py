"""The portal reacts to publishing: each handler calls one thing."""

from django.urls import reverse
from wagtail.contrib.frontend_cache.utils import PurgeBatch


def article_published(sender, instance, **kwargs) -> None:
    """Wagtail purges the article's own page; its section, the home page and the feeds list
    it too. Without a front-end cache configured this does nothing."""
    section = instance.get_parent()
    site = section.get_site()
    batch = PurgeBatch()
    batch.add_page(section)
    if site is not None:
        batch.add_page(site.root_page)
    root = site.root_url if site is not None else ""
    for name, args in (
        ("news_rss", []),
        ("news_atom", []),
        ("news_json", []),
        ("section_rss", [section.slug]),
        ("section_atom", [section.slug]),
        ("section_json", [section.slug]),
        ("section_embed", [section.slug]),
    ):
        batch.add_url(root + reverse(name, args=args))
    batch.purge()
