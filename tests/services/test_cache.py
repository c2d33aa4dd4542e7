"""The Redis cache backend's own behaviour (``cms.cache``), on the real Redis CI provides."""

import pytest
from django.core.cache import caches

from cms.cache import RedisCache
from tests.factories import h5p_lesson_for

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


def test_a_rate_counter_reads_other_keys_in_the_same_call():
    cache = caches["default"]
    cache.set("enrolled-yes", True, 60)
    cache.set("a-number", 5, 60)
    wanted = ["enrolled-yes", "not-there", "a-number"]
    assert cache.count_reading("rate-reads", 60, wanted) == (
        1,
        {"enrolled-yes": True, "a-number": 5},
    )
    assert cache.count_reading("rate-reads", 60, wanted)[0] == 2
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("rate-reads")) <= 60


def _sent_to_redis(monkeypatch) -> list:
    import redis

    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *args, **options: sent.append(args) or execute(self, *args, **options),
    )
    return sent


@pytest.mark.django_db
def test_a_signed_in_page_reads_its_session_with_the_pages_version(client, learner, monkeypatch):
    """One round trip for both, at the start of the request; neither is asked again."""
    from cms.sessions import SessionStore
    from courses import caching

    client.force_login(learner)
    client.get("/hoc-tap/khoa-hoc-cua-toi/")  # the user row and the page's reads are kept
    cache = caches["default"]
    session = cache.make_key(SessionStore.cache_key_prefix + client.session.session_key)
    version = cache.make_key(caching.PAGES_VERSION)
    sent = _sent_to_redis(monkeypatch)
    assert client.get("/hoc-tap/khoa-hoc-cua-toi/").status_code == 200
    assert sent[0] == ("MGET", session, version)
    assert not [args for args in sent[1:] if session in args or version in args]


@pytest.mark.django_db
def test_an_h5p_statement_reads_its_enrolment_with_its_rate(
    client, monkeypatch, settings, tmp_path
):
    """Three round trips to Redis for a statement: the session with the pages version, the
    user, and the rate with the enrolment."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from learning.selectors import enrolled_key
    from tests.learning.test_h5p import activity_from, send, start, statement

    activity = activity_from()
    course, lesson, learner = h5p_lesson_for([activity])
    client.force_login(learner)
    attempt = start(client, lesson, activity).json()["attempt"]
    answer = statement(activity, verb="interacted")
    assert send(client, lesson, activity, attempt, answer).status_code == 200  # keeps the yes
    sent = _sent_to_redis(monkeypatch)
    assert send(client, lesson, activity, attempt, answer).json()["accepted"] is True
    enrolled = caches["default"].make_key(enrolled_key(learner.pk, course.pk))
    assert [args[0] for args in sent] == ["MGET", "GET", "EVAL"]
    assert enrolled in sent[2]
