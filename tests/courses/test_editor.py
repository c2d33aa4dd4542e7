"""What an editor can do in the Wagtail admin with courses."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from courses.models import CoursePage
from tests.factories import course_tree, organisation

pytestmark = pytest.mark.django_db


def course_form(index_pk, **overrides):
    return nested_form_data(
        {
            "title": "Học tập Nghị quyết 57",
            "slug": "hoc-tap-nq57",
            "summary": "Khóa học bắt buộc của sở.",
            "description": rich_text("<p>Mô tả</p>"),
            "level": "basic",
            "enrolment": "mandated",
            "sequential": "on",
            "mandates": inline_formset([]),
            "comments": inline_formset([]),
            **overrides,
        }
    )


def test_a_mandated_course_needs_its_organisations(client, superuser):
    index = course_tree()[0].get_parent()
    department = organisation("NA.SKHCN", "Sở Khoa học và Công nghệ")
    client.force_login(superuser)
    url = f"/admin/pages/add/courses/coursepage/{index.pk}/"

    refused = client.post(url, course_form(index.pk))
    assert refused.status_code == 200
    assert "Hãy chọn các tổ chức được giao khóa học bắt buộc này" in refused.content.decode()
    assert not CoursePage.objects.filter(slug="hoc-tap-nq57").exists()

    accepted = client.post(
        url, course_form(index.pk, mandates=inline_formset([{"organisation": department.pk}]))
    )
    assert accepted.status_code == 302
    course = CoursePage.objects.get(slug="hoc-tap-nq57")
    assert [m.organisation for m in course.mandates.all()] == [department]


def test_editor_sees_course_settings_in_vietnamese(client, superuser):
    from assessments.services import framework_load_shipped

    framework_load_shipped()
    course, _ = course_tree()
    client.force_login(superuser)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "Ghi danh và hoàn thành" in html
    assert "Học theo thứ tự" in html or "học theo thứ tự" in html
    assert "4.1 Bảo vệ thiết bị" in html  # competences as checkboxes
