"""The catalogue a learner browses on a phone: filters, diacritic-free search, cacheable."""

import pytest

from assessments.services import framework_load_shipped
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses():
    framework_load_shipped()
    basic = course_tree(competences=("4.1", "2.6"))[0]
    resolution = course_tree(
        title="Tìm hiểu Nghị quyết 57-NQ/TW",
        slug="tim-hieu-nghi-quyet-57",
        lessons=("Bối cảnh", "Mục tiêu"),
        target_groups=("civil_servant",),
        competences=("5.2",),
        summary="Đột phá khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.",
    )[0]
    return basic, resolution


def titles(response) -> list[str]:
    return [card.page.title for card in response.context["catalogue"].cards]


def test_catalogue_lists_courses_with_duration_lessons_and_audience(client, courses):
    response = client.get("/khoa-hoc/")
    html = response.content.decode()
    assert titles(response) == ["Kỹ năng số cơ bản", "Tìm hiểu Nghị quyết 57-NQ/TW"]
    assert "36 phút · 3 bài học" in html  # 11 + 12 + 13 minutes
    assert "Người dân" in html
    assert "Công chức" in html
    assert '<abbr title="Bảo vệ thiết bị">4.1</abbr>' in html


def test_course_addresses_are_plain_vietnamese_words(courses):
    assert courses[0].url == "/khoa-hoc/ky-nang-so-co-ban/"


@pytest.mark.parametrize("query", ["ky nang so", "KỸ NĂNG SỐ", "kỹ năng", "Ky Nang"])
def test_search_ignores_diacritics_and_case(client, courses, query):
    assert titles(client.get("/khoa-hoc/", {"q": query})) == ["Kỹ năng số cơ bản"]


def test_search_finds_words_of_the_summary_and_nothing_unrelated(client, courses):
    assert titles(client.get("/khoa-hoc/", {"q": "doi moi sang tao"})) == [
        "Tìm hiểu Nghị quyết 57-NQ/TW"
    ]
    response = client.get("/khoa-hoc/", {"q": "nấu ăn"})
    assert titles(response) == []
    assert "Không có khóa học phù hợp" in response.content.decode()


def test_filter_by_target_group_and_competence(client, courses):
    assert titles(client.get("/khoa-hoc/", {"doi-tuong": "citizen"})) == ["Kỹ năng số cơ bản"]
    assert titles(client.get("/khoa-hoc/", {"nang-luc": "5.2"})) == ["Tìm hiểu Nghị quyết 57-NQ/TW"]
    assert titles(client.get("/khoa-hoc/", {"doi-tuong": "student"})) == []


def test_unpublished_course_is_not_listed(client, courses):
    courses[1].unpublish()
    assert titles(client.get("/khoa-hoc/")) == ["Kỹ năng số cơ bản"]


def test_catalogue_is_cacheable_for_anonymous_visitors(client, courses):
    response = client.get("/khoa-hoc/")
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_catalogue_is_private_for_a_logged_in_learner(client, courses, learner):
    client.force_login(learner)
    assert "private" in client.get("/khoa-hoc/")["Cache-Control"]


def test_catalogue_query_budget(client, courses, django_assert_max_num_queries):
    from cms.demo.images import cover_image

    for course in courses:
        course.image = cover_image(title=f"Ảnh {course.slug}", colours=("#b3261e", "#ffb74d"))
        course.save_revision().publish()
    client.get("/khoa-hoc/")  # renditions are created on the first view
    with django_assert_max_num_queries(12):
        client.get("/khoa-hoc/", {"q": "ky nang", "doi-tuong": "citizen"})


def test_cached_catalogue_does_not_redraw_cover_images(client, courses, monkeypatch):
    from wagtail.images.models import Image

    from cms.demo.images import cover_image

    courses[0].image = cover_image(title="Ảnh bìa", colours=("#b3261e", "#ffb74d"))
    courses[0].save_revision().publish()
    drawn = []
    original = Image.create_rendition

    def counting(self, filter):
        drawn.append(filter.spec)
        return original(self, filter)

    monkeypatch.setattr(Image, "create_rendition", counting)
    client.get("/khoa-hoc/")
    client.get("/khoa-hoc/")
    client.get("/khoa-hoc/")
    assert len(drawn) <= 1  # drawn once at most, then found again
