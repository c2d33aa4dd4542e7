"""A lesson's text is rendered once and kept until a page changes; what a learner sees is
always the published lesson, never an editor's draft, and never another learner's scores."""

import pytest
from django.test import RequestFactory

from courses.services import page_publish
from learning import services as learning
from tests.factories import UserFactory, course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def studying(client):
    course, lessons = course_tree(lessons=("Định danh điện tử",))
    learner = UserFactory()
    learning.enrolment_create(user=learner, course=course)
    client.force_login(learner)
    return course, lessons[0]


def _publish(course, body):
    return page_publish(
        parent=course,
        page_class=type(course.get_children().first().specific),
        slug="bai-1",
        fields={"title": "Định danh điện tử", "estimated_minutes": 11, "body": body},
    )


def test_the_lesson_text_and_a_tip_show_and_a_published_change_shows_at_once(client, studying):
    course, lesson = studying
    html = client.get(lesson.url).content.decode()
    assert '<div class="block block-paragraph"><p>Nội dung bài 1</p></div>' in html
    _publish(
        course,
        [
            {"type": "paragraph", "value": "<p>Cài đặt VNeID mức 2</p>"},
            {"type": "callout", "value": {"kind": "warning", "text": "<p>Không đưa mã OTP</p>"}},
        ],
    )
    html = client.get(lesson.url).content.decode()
    assert "Nội dung bài 1" not in html and "Cài đặt VNeID mức 2" in html
    assert '<aside class="callout callout-warning">' in html and "Cảnh báo" in html
    # The English page has the English words around the same text.
    english = client.get(f"/en{lesson.url}").content.decode()
    assert "Warning" in english and "Cài đặt VNeID mức 2" in english


def test_an_editors_preview_of_a_draft_never_reaches_learners(client, studying, admin_user):
    _course, lesson = studying
    assert "Nội dung bài 1" in client.get(lesson.url).content.decode()  # kept
    draft = lesson.specific
    draft.body = [("paragraph", "<p>Bản nháp chưa duyệt</p>")]
    request = RequestFactory().get(lesson.url)
    request.user = admin_user
    preview = draft.make_preview_request(original_request=request)
    assert "Bản nháp chưa duyệt" in preview.render().content.decode()
    html = client.get(lesson.url).content.decode()
    assert "Nội dung bài 1" in html and "Bản nháp chưa duyệt" not in html


def test_a_new_site_reaches_the_links_at_once(client, studying):
    """The sites' root paths, from which Wagtail writes every link, are kept with the pages:
    a site added for the courses (their own address) is in the next page's."""
    from wagtail.models import Site

    course, lesson = studying
    first = client.get(lesson.url)
    assert f'href="{course.url}"' in first.content.decode()
    kept = first.wsgi_request._wagtail_cached_site_root_paths
    assert [path.root_path for path in kept] == ["/home/"]
    Site.objects.create(hostname="daotao.example.vn", port=80, root_page=course.get_parent())
    kept = client.get(lesson.url).wsgi_request._wagtail_cached_site_root_paths
    assert [path.root_path for path in kept] == ["/home/khoa-hoc/", "/home/"]


def test_a_deploy_forgets_what_the_previous_release_rendered(client, studying):
    """A deploy runs migrate: a lesson's kept blocks, drawn by the old templates, are drawn
    again by the new ones."""
    from django.core.cache import cache
    from django.core.management import call_command

    from courses import caching

    _course, lesson = studying
    client.get(lesson.url)
    before = cache.get(caching.PAGES_VERSION)
    call_command("migrate", verbosity=0)
    assert cache.get(caching.PAGES_VERSION) != before
