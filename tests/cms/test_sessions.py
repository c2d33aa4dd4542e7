"""Sessions (``cms.sessions``): read from the cache with the pages version, kept in the
database, so losing the cache signs nobody out."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from cms.sessions import SessionStore
from courses import caching

pytestmark = pytest.mark.django_db


def test_a_learner_stays_signed_in_when_the_cache_is_lost(client, learner):
    client.force_login(learner)
    assert client.get("/hoc-tap/khoa-hoc-cua-toi/").status_code == 200
    cache.clear()  # Redis restarted
    page = client.get("/hoc-tap/khoa-hoc-cua-toi/")
    assert page.status_code == 200 and "Đăng xuất" in page.content.decode()
    # …and read from the database, the session is kept in the cache again.
    key = client.session.session_key
    assert cache.get(SessionStore.cache_key_prefix + key) is not None


def test_signing_out_ends_the_session_everywhere(client, learner):
    client.force_login(learner)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/hoc-tap/khoa-hoc-cua-toi/").status_code == 302


def test_the_pages_version_read_with_the_session_is_the_current_one(client, learner):
    client.force_login(learner)
    store = SessionStore(client.session.session_key)
    caching.pages_changed()  # an editor publishes: a new version
    current = cache.get(caching.PAGES_VERSION)
    with caching.one_version():
        assert store.load()["_auth_user_id"] == str(learner.pk)
        assert caching.pages_version() == current
