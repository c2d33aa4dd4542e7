"""The Redis cache backend's own behaviour (``cms.cache``), on the real Redis CI provides."""

import pytest
from django.core.cache import caches

from cms.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache),
    reason="the cache is in local memory here; CI's second step runs these on Redis",
)


def test_a_counter_goes_up_and_still_expires():
    cache = caches["default"]
    cache.set("ratelimit-counter", 1, 60)
    assert cache.incr("ratelimit-counter") == 2
    assert cache.incr("ratelimit-counter", 3) == 5
    assert cache.get("ratelimit-counter") == 5
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("ratelimit-counter")) <= 60


def test_a_counter_that_expired_is_not_brought_back_without_a_timeout():
    cache = caches["default"]
    with pytest.raises(ValueError):
        cache.incr("ratelimit-gone")
    assert cache.get("ratelimit-gone") is None
    client = cache._cache.get_client(write=True)
    assert not client.exists(cache.make_key("ratelimit-gone"))


def test_a_rate_counter_counts_in_one_call_and_starts_with_a_timeout():
    import threading

    cache = caches["default"]
    assert cache.count("rate-hits", 60) == 1
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("rate-hits")) <= 60
    # Many workers at once: no hit lost, and the counter still expires.
    threads = [
        threading.Thread(target=lambda: [cache.count("rate-hits", 60) for _ in range(50)])
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("rate-hits") == 401
    assert 0 < client.ttl(cache.make_key("rate-hits")) <= 60


@pytest.mark.django_db
def test_a_signed_in_page_reads_its_session_with_the_pages_version(client, learner, monkeypatch):
    """One round trip for both, at the start of the request; neither is asked again."""
    import redis

    from cms.sessions import SessionStore
    from courses import caching

    client.force_login(learner)
    client.get("/hoc-tap/khoa-hoc-cua-toi/")  # the user row and the page's reads are kept
    cache = caches["default"]
    session = cache.make_key(SessionStore.cache_key_prefix + client.session.session_key)
    version = cache.make_key(caching.PAGES_VERSION)
    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *args, **options: sent.append(args) or execute(self, *args, **options),
    )
    assert client.get("/hoc-tap/khoa-hoc-cua-toi/").status_code == 200
    assert sent[0] == ("MGET", session, version)
    assert not [args for args in sent[1:] if session in args or version in args]
