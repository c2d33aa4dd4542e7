"""Public pages answered from the cache for visitors not signed in, and what must never be.

The deadline rush is mostly people opening the same few public pages; a cached page costs no
query. A signed-in learner, a visitor with a message waiting, a filtered list, or a page that
has just changed must each see the page as it is now.
"""

import pytest
from wagtail.models import PageViewRestriction

from courses.models import LessonPage
from courses.services import page_publish
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return course_tree()


def test_second_anonymous_visit_is_answered_from_the_cache_without_a_query(
    client, course, django_assert_num_queries
):
    page, _lessons = course
    first = client.get(page.url)
    assert first.status_code == 200 and "X-Cache" not in first
    with django_assert_num_queries(0):
        second = client.get(page.url)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"]
    assert "Content-Security-Policy" in second  # the headers are kept with the page


def test_a_published_change_shows_at_once(client, course):
    page, _lessons = course
    client.get(page.url)
    page.title = "Kỹ năng số cho mọi người"
    page.save_revision().publish()
    response = client.get(page.url)
    assert "X-Cache" not in response
    assert "Kỹ năng số cho mọi người" in response.content.decode()
    # …and on the catalogue, which lists it.
    assert "Kỹ năng số cho mọi người" in client.get("/khoa-hoc/").content.decode()


def test_signed_in_learner_never_gets_the_cached_page_nor_leaves_theirs(client, course, learner):
    page, _lessons = course
    anonymous = client.get(page.url).content.decode()
    assert "Đăng nhập để đăng ký học" in anonymous
    client.force_login(learner)
    mine = client.get(page.url)
    assert "X-Cache" not in mine
    assert "Đăng ký học" in mine.content.decode()
    assert "Đăng nhập để đăng ký học" not in mine.content.decode()
    client.logout()
    after = client.get(page.url)
    assert learner.full_name not in after.content.decode()
    assert "Đăng nhập để đăng ký học" in after.content.decode()


def test_a_visitor_with_a_message_waiting_sees_it(client, course):
    page, lessons = course
    client.get(page.url)  # cached for everyone else
    response = client.get(lessons[0].url, follow=True)
    assert response.redirect_chain[-1][0] == page.url
    assert "X-Cache" not in response
    assert "Hãy đăng nhập và đăng ký khóa học để học các bài." in response.content.decode()


def test_filtered_lists_and_other_languages_are_answered_afresh(client, course):
    client.get("/khoa-hoc/")
    filtered = client.get("/khoa-hoc/", {"q": "nấu ăn"})
    assert "X-Cache" not in filtered
    assert "Không có khóa học phù hợp" in filtered.content.decode()
    english = client.get("/en/khoa-hoc/")
    assert "X-Cache" not in english
    assert english["Content-Language"] == "en"
    assert client.get("/khoa-hoc/")["Content-Language"] == "vi"
    assert client.get("/en/khoa-hoc/")["Content-Language"] == "en"


def test_a_cookie_setting_or_failed_response_is_not_stored(client, course):
    assert client.get("/khong-co-trang-nay/").status_code == 404
    assert "X-Cache" not in client.get("/khong-co-trang-nay/")
    login = client.get("/accounts/login/")
    assert login.cookies  # the CSRF cookie
    assert "X-Cache" not in client.get("/accounts/login/")


def test_making_a_page_private_takes_effect_at_once(client, course):
    page, _lessons = course
    assert client.get(page.url).status_code == 200
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(page.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_learner_sees_a_new_lesson_and_loses_a_withdrawn_one_at_once(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    client.post(f"/hoc-tap/khoa-hoc/{page.pk}/dang-ky/")
    assert "Phòng chống lừa đảo" in client.get(page.url).content.decode()
    new = page_publish(
        parent=page, page_class=LessonPage, slug="bai-moi", fields={"title": "Thanh toán số"}
    )
    assert "Thanh toán số" in client.get(page.url).content.decode()
    assert client.get(new.url).status_code in (200, 302)  # routed at once (locked until done)
    lessons[2].unpublish()
    assert "Phòng chống lừa đảo" not in client.get(page.url).content.decode()
    assert client.get(lessons[2].url).status_code == 404


def test_privacy_settings_are_served_from_the_cache_and_edited_as_the_pages_own(
    course, django_assert_num_queries
):
    """A page's privacy settings come from the cache when it is served, while what the admin
    builds on them (its privacy dialog orders them; an edit updates them) reaches only that
    page's own, never another page's."""
    page, lessons = course
    own = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    other = PageViewRestriction.objects.create(
        page=lessons[0], restriction_type=PageViewRestriction.PASSWORD, password="khac"
    )
    page = page.specific_class.objects.get(pk=page.pk)
    assert [r.pk for r in page.get_view_restrictions()] == [own.pk]  # read once, kept
    with django_assert_num_queries(0):
        kept = page.get_view_restrictions()
        assert [r.pk for r in kept] == [own.pk] and len(kept) == 1 and kept.exists()
    assert [r.pk for r in kept.order_by("-page__depth")] == [own.pk]
    assert kept.count() == 1
    kept.update(password="moi")
    other.refresh_from_db()
    assert other.password == "khac"
    own.refresh_from_db()
    assert own.password == "moi"
