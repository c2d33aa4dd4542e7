"""A teacher creates a class, a student joins by its code on a phone, the teacher assigns a
course, the student completes it, and the teacher's grid shows it done."""

import pytest

from accounts.models import Membership
from tests.factories import MembershipFactory, UserFactory, course_tree, organisation

from .test_learner_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_teacher_assigns_a_course_and_sees_the_student_done(browser, live_server):
    course, lessons = course_tree(lessons=("Định danh điện tử", "Phòng chống lừa đảo"))
    school = organisation("NA.HTK", "Trường THPT Huỳnh Thúc Kháng", kind="school")
    teacher = UserFactory(username="co.hoa", full_name="Phan Thị Hoa")
    MembershipFactory(user=teacher, organisation=school, role=Membership.Role.TEACHER)
    UserFactory(username="em.nam", full_name="Lương Văn Nam")

    def device(width):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="vi-VN", base_url=live_server.url
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    desk, phone = device(1024), device(360)

    log_in(desk, "co.hoa")
    desk.get_by_role("link", name="Lớp học").first.click()
    desk.get_by_role("link", name="Tạo lớp mới").click()
    desk.get_by_label("Tên lớp").fill("Lớp 11A2")
    desk.get_by_role("button", name="Lưu").click()
    code = desk.locator(".class-code").inner_text().strip()

    log_in(phone, "em.nam")
    phone.get_by_role("link", name="Lớp học").first.click()
    phone.get_by_label("Mã lớp").fill(code.lower())
    phone.get_by_role("button", name="Vào lớp").click()
    phone.get_by_text("Bạn đã vào lớp “Lớp 11A2”.").wait_for()

    desk.reload()
    assert "Lương Văn Nam" in desk.locator(".class-grid").inner_text()
    desk.get_by_role("link", name="Giao khóa học").click()
    desk.get_by_label("Khóa học").select_option(label="Kỹ năng số cơ bản")
    desk.get_by_role("button", name="Lưu").click()
    desk.get_by_text("Đã giao bài. Học viên đã được ghi danh.").wait_for()
    assert "Chưa bắt đầu" in desk.locator(".class-grid").inner_text()

    phone.goto("/hoc-tap/khoa-hoc-cua-toi/")
    assigned = phone.locator(".assignments")
    assert "Kỹ năng số cơ bản" in assigned.inner_text()
    assigned.get_by_role("link", name="Kỹ năng số cơ bản").click()
    phone.get_by_role("link", name=lessons[0].title).click()
    for lesson in lessons:
        phone.get_by_role("heading", name=lesson.title, exact=True).wait_for()
        phone.get_by_role("button", name="Hoàn thành bài học").click()
    phone.get_by_text("Chúc mừng!").first.wait_for()

    desk.reload()
    row = desk.locator(".class-grid tbody tr", has_text="Lương Văn Nam")
    assert "Đã xong" in row.inner_text()
    assert "1/1" in row.inner_text()
