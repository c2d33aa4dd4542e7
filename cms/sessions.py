"""Sessions kept as Django's ``cached_db`` keeps them, read with the pages version.

Every signed-in request reads its session from the cache and, soon after, the pages version
(``courses.caching``): here one round trip asks for both. After a cache miss the session is
read as Django reads it (the cache again, then the database).
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db

from courses.caching import PAGES_VERSION, pages_version_seen


class SessionStore(cached_db.SessionStore):
    def load(self):
        if settings.SESSION_CACHE_ALIAS != "default":  # the pages version lives in "default"
            return super().load()
        try:
            found = self._cache.get_many([self.cache_key, PAGES_VERSION])
        except Exception:  # noqa: BLE001 - as Django: a cache that fails, the database answers
            found = {}
        pages_version_seen(found.get(PAGES_VERSION))
        data = found.get(self.cache_key)
        return super().load() if data is None else data
