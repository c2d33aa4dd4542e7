"""Sessions (``cms.sessions``): read from the cache with the pages version, kept in the
database, so losing the cache signs nobody out."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from cms import sessions
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


def test_the_session_read_ahead_is_this_learners_and_the_version_the_current_one(client, learner):
    client.force_login(learner)
    key = client.session.session_key
    caching.pages_changed()  # an editor publishes: a new version
    current = cache.get(caching.PAGES_VERSION)
    with caching.one_version():
        sessions.read_ahead(key)
        assert caching.pages_version() == current
        assert SessionStore(key).load()["_auth_user_id"] == str(learner.pk)
        # Read ahead once: a second load (another store in this request) asks again.
        assert SessionStore(key).load()["_auth_user_id"] == str(learner.pk)
    sessions.read_ahead("not-a-session-key-anyone-has-00000000")
    assert SessionStore("not-a-session-key-anyone-has-00000000").load() == {}


def test_a_forged_or_expired_cookie_is_a_visitor_not_signed_in(client, learner):
    client.cookies["sessionid"] = "khong-phai-phien-nao-ca-0123456789abcdef"
    response = client.get("/hoc-tap/khoa-hoc-cua-toi/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
