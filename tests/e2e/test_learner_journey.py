"""On a 360-px phone a learner enrols, completes every lesson in order, sees 100 %, and finds the
course under completed courses."""

import pytest

from tests.factories import PASSWORD, UserFactory, course_tree

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Tài khoản đăng nhập:", exact=True).fill(username)
    page.get_by_label("Mật khẩu:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Hồ sơ của tôi").wait_for()


def test_learner_completes_a_course_in_order_on_a_phone(phone):
    course, lessons = course_tree()
    UserFactory(username="hocvien.thu", full_name="Phạm Thị Thu")
    page = phone
    log_in(page, "hocvien.thu")

    page.get_by_role("link", name="Khóa học", exact=True).first.click()
    page.get_by_role("link", name="Kỹ năng số cơ bản").click()
    page.get_by_role("button", name="Đăng ký học").click()

    for number, lesson in enumerate(lessons, start=1):
        page.get_by_role("heading", name=lesson.title, exact=True).wait_for()
        assert f"Bài {number}/3" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Hoàn thành bài học").click()

    page.get_by_text("Chúc mừng! Bạn đã hoàn thành khóa học “Kỹ năng số cơ bản”.").wait_for()
    assert page.locator(".course-actions progress").get_attribute("value") == "100"
    assert page.get_by_text("Đã hoàn thành 100%").first.is_visible()

    page.get_by_role("link", name="Khóa học của tôi").click()
    completed = page.locator(".completed-courses")
    assert "Kỹ năng số cơ bản" in completed.inner_text()
