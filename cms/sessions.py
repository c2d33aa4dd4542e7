"""Sessions kept as Django's ``cached_db`` keeps them, read ahead with the pages version.

Every signed-in request reads its session from the cache and the pages version
(``courses.caching``), one after the other. ``read_ahead``, called where the request starts
(``cms.middleware.OnePagesVersionMiddleware``), asks for both in one round trip; the
session then loads what was read ahead, once, in this request only. Without it, or after a
cache miss, the session is read as Django reads it (the cache, then the database).
"""

import threading

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

from courses.caching import PAGES_VERSION, pages_version_seen

_ahead = threading.local()  # gunicorn's sync workers: one request per thread at a time


class SessionStore(cached_db.SessionStore):
    def load(self):
        data = getattr(_ahead, "sessions", {}).pop(self.session_key, None)
        return super().load() if data is None else data


def read_ahead(session_key: str) -> None:
    """Read this session and the pages version in one round trip (both live in the default
    cache unless sessions were given another)."""
    forget()
    if __name__ != settings.SESSION_ENGINE or settings.SESSION_CACHE_ALIAS != "default":
        return
    store = SessionStore(session_key)
    if store.session_key is None:  # not a key Django would accept
        return
    key = store.cache_key
    try:
        found = caches["default"].get_many([key, PAGES_VERSION])
    except Exception:  # noqa: BLE001 - as Django: a cache that fails, the database answers
        return
    pages_version_seen(found.get(PAGES_VERSION))
    if found.get(key) is not None:
        _ahead.sessions = {session_key: found[key]}


def forget() -> None:
    _ahead.sessions = {}
