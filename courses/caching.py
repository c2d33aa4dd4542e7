"""What page reads may keep in the cache until any page changes: one version for the tree.

Publishing, withdrawing, moving or deleting a page, changing who may see one, saving a quiz,
an H5P activity, an image or a document, or moving a unit starts a new version, so every key
built on ``pages_version()`` is forgotten at once (they expire on their own soon after).
The portal (``cms``) builds its anonymous page cache on the same version.

A request reads the version once (``one_version``, around every request in ``cms``'s
middleware): a lesson page asked Redis for it five times.
"""

import re
import threading
import time
import zlib
from contextlib import contextmanager

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from wagtail.models import PageViewRestriction, Site

PAGES_VERSION = "pages:version"
TTL = 600
MISSING = "∅"  # cached for "there is none", since the cache cannot hold None


_request = threading.local()  # gunicorn's sync workers: one request per thread at a time


def pages_version() -> int:
    version = getattr(_request, "version", None)
    if version is None:
        version = cache.get_or_set(PAGES_VERSION, time.time_ns, None)
        if getattr(_request, "open", False):
            _request.version = version
    return version


def pages_version_seen(version) -> None:
    """The version, read along with something else at the start of a request (the session,
    ``cms.sessions``), is this request's version unless it has one already."""
    if version is not None and getattr(_request, "open", False) and _request.version is None:
        _request.version = version


def pages_changed(**_kwargs) -> None:
    """A new version now, and again when the transaction commits: a request that read the
    old rows in between would otherwise keep them under the new version."""

    def bump():
        _request.version = None
        cache.set(PAGES_VERSION, time.time_ns(), None)

    def committed():
        # Wagtail forgets its sites' root paths when a site changes, inside the transaction:
        # a request in between could have read them again from the old rows.
        Site.clear_site_root_paths_cache()
        bump()

    bump()
    transaction.on_commit(committed)


@contextmanager
def one_version():
    """Within the block the pages version is read from the cache once (and again after a
    change made inside it)."""
    _request.open, _request.version = True, None
    try:
        yield
    finally:
        _request.open, _request.version = False, None


def cached_many(names: dict, load, timeout: int = TTL) -> dict:
    """Values by id, kept until a page changes. ``names``: {id: key name}; ``load(ids)``
    returns {id: value} for the ids not found (an id it leaves out is kept as none).

    Two levels: this process's memory, then the shared cache. A key holds the pages version,
    so what a process keeps can never be out of date, only forgotten; only the version is
    asked of Redis on every request. The process keeps the objects themselves (unpickling
    a lesson page for every request cost more than the rest of the lookup): whoever reads
    them must not change them (a learner's lessons done are kept beside them, never on them).
    """
    version = pages_version()
    if _local.get(VERSION) != version:
        _local.clear()  # only the current version's values are ever asked for again
        _local[VERSION] = version
    keys = {id_: f"pages:{version}:{name}" for id_, name in names.items()}
    now = time.monotonic()
    kept = {key: _local.get(key, _ABSENT) for key in keys.values()}
    found = {key: pair[1] for key, pair in kept.items() if pair is not _ABSENT and pair[0] > now}
    wanted = [key for key in keys.values() if key not in found]
    if wanted:
        shared = cache.get_many(wanted)
        _keep(shared, timeout)
        found.update(shared)
    missing = [id_ for id_, key in keys.items() if key not in found]
    if missing:
        fresh = load(missing)
        values = {keys[id_]: fresh.get(id_, MISSING) for id_ in missing}
        cache.set_many(values, timeout)
        _keep(values, timeout)
        found.update(values)
    return {id_: found[key] for id_, key in keys.items() if not _missing(found[key])}


_local: dict = {}  # this process's copy of the current version's values
_ABSENT = object()
VERSION = "version"
LOCAL_ENTRIES = 5000


def _keep(values: dict, timeout: int) -> None:
    """Kept as long as in the shared cache at most: objects loaded later through a kept
    page (a quiz in a lesson's body) are then re-read at least that often."""
    if len(_local) + len(values) > LOCAL_ENTRIES:
        version = _local.get(VERSION)
        _local.clear()  # a bound on memory; the shared cache still has them
        _local[VERSION] = version
    deadline = time.monotonic() + timeout
    _local.update({key: (deadline, value) for key, value in values.items()})


def _missing(value) -> bool:
    return isinstance(value, str) and value == MISSING


def cached(key: str, compute, timeout: int = TTL):
    """``compute()``, kept under ``key`` until a page changes (``None`` is kept too)."""
    return cached_many({0: key}, lambda _ids: {0: compute()}, timeout).get(0)


def kept_rows(model, rows: list):
    """A queryset of ``model`` holding ``rows`` (read from the cache): iterating it asks
    nothing, while anything built on it (``order_by``, ``update``…) queries for the same rows
    by primary key. The filter is deferred, as Django's related managers defer theirs, until
    something needs the query: building it for every page served cost more than reading
    the rows from the cache."""
    queryset = model._default_manager.get_queryset()
    queryset._deferred_filter = (False, (), {"pk__in": [row.pk for row in rows]})
    queryset._result_cache, queryset._prefetch_done = rows, True
    return queryset


class CachedViewRestrictions:
    """For page models: the privacy settings of the page and its ancestors from the cache.

    Wagtail asks for them on every page served and walks the ancestors in two queries. The
    queryset returned holds the cached rows, so iterating it (serving) asks nothing, while
    anything that builds on it (the admin's ``order_by``) queries afresh (``kept_rows``).
    """

    def get_view_restrictions(self):
        found = cached(
            f"restrictions:{self.pk}",
            lambda: list(super(CachedViewRestrictions, self).get_view_restrictions()),
        )
        return kept_rows(PageViewRestriction, found)


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def over_rate(name: str, rate: str) -> bool:
    """Whether this hit of ``name`` goes over ``rate`` ("240/m": hits a minute; "100/5m",
    "10/s", "1000/h", "5000/d"), counted in fixed windows.

    For the limits asked on every request of a busy endpoint (each H5P statement): with
    Redis one atomic round trip (``cms.cache.RedisCache.count_reading``), where django-ratelimit's
    ``add`` then ``incr`` took two; any other cache adds then increments.
    """
    return over_rate_reading(name, rate, ())[0]


def over_rate_reading(name: str, rate: str, keys) -> tuple[bool, dict]:
    """``over_rate``, and the cached values of ``keys`` (those found), read in the same
    round trip to Redis: an H5P statement's enrolment is read with its rate."""
    match = re.fullmatch(r"(\d+)/([1-9]\d*)?([smhd])", rate)
    if match is None:
        raise ImproperlyConfigured(f"A rate is hits/period, such as 240/m, not {rate!r}")
    limit = int(match[1])
    period = int(match[2] or 1) * PERIODS[match[3]]
    # Each name's windows start at its own offset, so counters do not all reset together.
    offset = zlib.crc32(name.encode()) % period
    key = f"rate:{name}:{(int(time.time()) + offset) // period}"
    count = getattr(cache, "count_reading", None)
    if count is not None:
        hits, found = count(key, period + 1, keys)
        return hits > limit, found
    if cache.add(key, 1, period + 1):
        hits = 1
    else:
        try:
            hits = cache.incr(key)
        except ValueError:  # expired in between: a new window
            hits = 1
    return hits > limit, cache.get_many(keys) if keys else {}
