"""Sessions (``cms.sessions``): read from the cache with the pages version, kept in the
database, so losing the cache signs nobody out."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from cms import sessions
from cms.sessions import SessionStore
from courses import caching
from tests.factories import UserFactory

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


def test_the_session_read_ahead_is_this_learners_and_the_version_the_current_one(
    client, learner, monkeypatch
):
    client.force_login(learner)
    key = client.session.session_key
    caching.pages_changed()  # an editor publishes: a new version
    current = cache.get(caching.PAGES_VERSION)
    with caching.one_version():
        sessions.read_ahead(key)
        assert caching.pages_version() == current
        store = SessionStore(key)
        asked = []
        get = store._cache.get
        monkeypatch.setattr(store._cache, "get", lambda *a, **k: asked.append(a) or get(*a, **k))
        # The store takes what was read ahead, without asking the cache again…
        assert store.load()["_auth_user_id"] == str(learner.pk)
        assert asked == []
        # …once: another store in this request asks.
        assert SessionStore(key).load()["_auth_user_id"] == str(learner.pk)
        assert len(asked) == 1


def test_what_was_read_ahead_for_one_session_is_never_another_ones(client, learner):
    from django.test import Client

    client.force_login(learner)
    mine = client.session.session_key
    other, someone = UserFactory(username="nguoikhac"), Client()
    someone.force_login(other)
    theirs = someone.session.session_key
    with caching.one_version():
        sessions.read_ahead(mine)
        assert SessionStore(theirs).load()["_auth_user_id"] == str(other.pk)
        assert SessionStore(mine).load()["_auth_user_id"] == str(learner.pk)


def test_a_page_that_fails_leaves_nothing_read_ahead(client, learner, monkeypatch):
    from learning import views

    client.force_login(learner)
    key = client.session.session_key
    client.raise_request_exception = False
    monkeypatch.setattr(views.selectors, "dashboard", lambda **kw: 1 / 0)
    assert client.get("/hoc-tap/khoa-hoc-cua-toi/").status_code == 500
    assert getattr(sessions._ahead, "sessions", {}) == {}
    cache.delete(SessionStore.cache_key_prefix + key)
    assert SessionStore(key).load()["_auth_user_id"] == str(learner.pk)  # from the database


def test_a_forged_or_expired_cookie_is_a_visitor_not_signed_in(client, learner):
    client.cookies["sessionid"] = "khong-phai-phien-nao-ca-0123456789abcdef"
    response = client.get("/hoc-tap/khoa-hoc-cua-toi/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
