"""Django's Redis cache, with one client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call,
and redis-py fills each new client's table of about 170 reply handlers: a lesson page asks
the cache a dozen times, and those tables were a third of its time. A client is safe to
share between threads (connections come from the pool), so one per pool is kept.

``incr`` is one round trip instead of two (``EXISTS`` then ``INCR``), and atomic: between
Django's two calls the key could expire, and ``INCR`` would then create it without a
timeout, so a rate-limit counter (``django-ratelimit`` counts every H5P statement this way)
would never be reset and its learner would stay refused.

``count`` adds one to a counter that starts with a timeout, in one atomic round trip: the
H5P rate limit (``courses.caching.over_rate``) asks it on every statement, where
django-ratelimit's ``add`` then ``incr`` took two. ``count_reading`` reads other keys in the
same round trip (the statement's enrolment), so that a statement asks Redis three times, not
four.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        found = self.get_client(key, write=True).eval(_INCR_IF_EXISTS, 1, key, delta)
        if found is None:
            raise ValueError(f"Key '{key}' not found.")
        return found

    def count(self, key, timeout, reading=()):
        hits, *values = self.get_client(key, write=True).eval(
            _COUNT, 1 + len(reading), key, *reading, timeout
        )
        return hits, [None if value is None else self._serializer.loads(value) for value in values]


_COUNT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local reply = {hits}
for i = 2, #KEYS do reply[i] = redis.call('GET', KEYS[i]) end
return reply
"""

_INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return nil
"""


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

    def count(self, key, timeout: int, version=None) -> int:
        """Add one to the counter ``key`` and return it; a new counter expires after
        ``timeout`` seconds."""
        return self.count_reading(key, timeout, (), version=version)[0]

    def count_reading(self, key, timeout: int, reading, version=None) -> tuple[int, dict]:
        """``count``, and the values of the keys ``reading`` found in the cache, read in
        the same round trip."""
        key = self.make_and_validate_key(key, version=version)
        names = {self.make_and_validate_key(name, version=version): name for name in reading}
        hits, values = self._cache.count(key, timeout, list(names))
        found = {
            name: value
            for name, value in zip(names.values(), values, strict=True)
            if value is not None
        }
        return hits, found
