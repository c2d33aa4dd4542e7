"""``over_rate``: the limit asked on every H5P statement, on whichever cache runs (local
memory here, Redis in CI's second step)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from courses import caching


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_hits_over_the_rate_are_refused_until_the_next_window(monkeypatch):
    now = [1_800_000_000.0]  # the start of a minute
    monkeypatch.setattr(caching.time, "time", lambda: now[0])
    assert [caching.over_rate("h5p:7", "3/m") for _ in range(5)] == [
        False, False, False, True, True
    ]  # fmt: skip
    assert caching.over_rate("h5p:8", "3/m") is False  # another learner counts apart
    now[0] += 60
    assert caching.over_rate("h5p:7", "3/m") is False


def test_rates_read_like_django_ratelimits(monkeypatch):
    monkeypatch.setattr(caching.time, "time", lambda: 1_800_000_000.0)
    assert [caching.over_rate("a", "1/5m") for _ in range(2)] == [False, True]
    assert [caching.over_rate("b", "2/h") for _ in range(3)] == [False, False, True]
    for wrong in ("240 a minute", "1/0m"):
        with pytest.raises(ImproperlyConfigured):
            caching.over_rate("c", wrong)
