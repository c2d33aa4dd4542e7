"""What page reads may keep in the cache until any page changes: one version for the tree.

Publishing, withdrawing, moving or deleting a page, changing who may see one, saving an H5P
activity or moving a unit starts a new version, so every key built on ``pages_version()`` is
forgotten at once (they expire on their own soon after). The portal (``cms``) builds its
anonymous page cache on the same version.
"""

import time

from django.core.cache import cache
from wagtail.models import PageViewRestriction

PAGES_VERSION = "pages:version"
TTL = 600
MISSING = "∅"  # cached for "there is none", since the cache cannot hold None


def pages_version() -> int:
    return cache.get_or_set(PAGES_VERSION, time.time_ns, None)


def pages_changed(**_kwargs) -> None:
    cache.set(PAGES_VERSION, time.time_ns(), None)


def cached(key: str, compute, timeout: int = TTL):
    """``compute()``, kept under ``key`` until a page changes (``None`` is kept too)."""
    key = f"pages:{pages_version()}:{key}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, MISSING if value is None else value, timeout)
    return None if value == MISSING else value


class CachedViewRestrictions:
    """For page models: the privacy settings of the page and its ancestors from the cache.

    Wagtail asks for them on every page served and walks the ancestors in two queries. The
    queryset returned holds the cached rows, so iterating it (serving) asks nothing, while
    anything that builds on it (the admin's ``order_by``) queries afresh.
    """

    def get_view_restrictions(self):
        found = cached(
            f"restrictions:{self.pk}",
            lambda: list(super(CachedViewRestrictions, self).get_view_restrictions()),
        )
        queryset = PageViewRestriction.objects.filter(pk__in=[r.pk for r in found])
        queryset._result_cache = found
        return queryset
