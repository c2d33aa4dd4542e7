"""On a phone: a learner takes a timed quiz, loses the connection, reloads halfway and finds
every answer kept, submits, passes, and sees the lesson marked complete."""

import pytest
from django.conf import settings

from learning import services as learning
from tests.factories import UserFactory, course_tree, lesson_with_quiz, quiz_of, sample_questions

from .test_learner_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def question(page, text):
    return page.locator("fieldset.question", has_text=text)


def at_short_quiz(page, username: str):
    """``page``, signed in as a new learner ``username``, on a lesson whose two-question quiz
    they may start (the lesson before it done)."""
    bank = sample_questions()
    course, lessons = course_tree(lessons=("Mở đầu",))
    lesson = lesson_with_quiz(course, quiz_of([bank["ATM-01"], bank["ATM-02"]]))
    learner = UserFactory(username=username)
    learning.enrolment_create(user=learner, course=course)
    learning.lesson_complete(user=learner, lesson=lessons[0])
    log_in(page, username)
    page.goto(lesson.url)
    return page


def test_learner_takes_a_timed_quiz_resumes_it_and_passes(phone):
    bank = sample_questions()
    course, lessons = course_tree(lessons=("Mở đầu",))
    quiz = quiz_of(
        [bank["ATM-01"], bank["ATM-02"], bank["DVC-01"], bank["ATM-03"], bank["DVC-02"]],
        time_limit_minutes=10,
        pass_mark=70,
    )
    lesson = lesson_with_quiz(course, quiz)
    learner = UserFactory(username="hocvien.mai", full_name="Võ Thị Mai")
    learning.enrolment_create(user=learner, course=course)
    learning.lesson_complete(user=learner, lesson=lessons[0])

    page = phone
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "hocvien.mai")
    page.goto(lesson.url)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.get_by_text("Thời gian còn lại:").wait_for()
    assert page.locator(".timer-value").inner_text().startswith(("10:", "09:"))

    status = page.locator(".save-status")
    question(page, "mạnh nhất").get_by_label("Ngua-Vang-7-Song!").check()
    status.get_by_text("Đã lưu lúc").wait_for()
    question(page, "mã OTP").get_by_label("Sai").check()
    status.get_by_text("Đã lưu lúc").wait_for()

    # The signal drops in the commune hall: the answer waits on the phone, then goes.
    page.context.set_offline(True)
    question(page, "định danh điện tử").get_by_label("Câu trả lời của bạn").fill("vneid")
    status.get_by_text("Mất kết nối").wait_for()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    status.get_by_text("Đã lưu lúc").wait_for()

    page.reload()
    assert question(page, "mạnh nhất").get_by_label("Ngua-Vang-7-Song!").is_checked()
    assert question(page, "mã OTP").get_by_label("Sai").is_checked()
    assert (
        question(page, "định danh điện tử").get_by_label("Câu trả lời của bạn").input_value()
        == "vneid"
    )
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360

    scams = question(page, "lừa đảo")
    scams.get_by_label("Giục chuyển tiền gấp").check()
    scams.get_by_label('Gửi đường link lạ để "xác minh"').check()
    matching = question(page, "Ghép mỗi nơi")
    matching.get_by_label("VNeID").select_option(label="Xuất trình căn cước điện tử")
    matching.get_by_label("Cổng Dịch vụ công quốc gia").select_option(label="Nộp hồ sơ trực tuyến")
    matching.get_by_label("Ứng dụng ngân hàng").select_option(label="Chuyển khoản")
    page.get_by_role("button", name="Nộp bài").click()

    page.get_by_text("Đã nộp bài. Bạn đã đạt với 100%.").wait_for()
    assert "Điểm của bạn: 100%" in page.locator(".attempt-result").inner_text()
    page.get_by_role("link", name="Quay lại bài học").click()
    page.get_by_text("Bạn đã hoàn thành bài học này.").wait_for()
    assert "Điểm của bạn: 100%" in page.locator(".quiz-panel").inner_text()
    assert blocked == []


def test_an_answer_chosen_before_the_script_arrives_is_saved_when_it_does(phone):
    # On a slow link the questions can be read and answered before the page's script has
    # arrived: that answer must not wait for the learner's next change to be saved.
    page = at_short_quiz(phone, "hocvien.lan")
    late = "**/learning/attempt*.js"
    page.route(late, lambda route: route.abort())  # not arrived yet
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    question(page, "mạnh nhất").get_by_label("Ngua-Vang-7-Song!").check()
    status = page.locator(".save-status")
    assert "Đã lưu lúc" not in status.inner_text()

    page.unroute(late)
    page.add_script_tag(url=page.locator("script[src*='attempt']").get_attribute("src"))
    status.get_by_text("Đã lưu lúc").wait_for()
    page.evaluate("localStorage.clear()")  # what follows comes from the server alone
    page.reload()
    assert question(page, "mạnh nhất").get_by_label("Ngua-Vang-7-Song!").is_checked()


def test_a_learner_signed_out_mid_quiz_is_told_so_and_loses_nothing(phone):
    page = at_short_quiz(phone, "hocvien.hoa")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    status = page.locator(".save-status")
    question(page, "mạnh nhất").get_by_label("Ngua-Vang-7-Song!").check()
    status.get_by_text("Đã lưu lúc").wait_for()
    attempt_url = page.url

    # The session ended (it expired, or the learner logged out on another tab or device).
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    question(page, "mã OTP").get_by_label("Sai").check()
    status.get_by_text("Bạn đã bị đăng xuất").wait_for()
    assert "Mất kết nối" not in status.inner_text()  # the network is fine: not its fault

    log_in(page, "hocvien.hoa")
    page.goto(attempt_url)  # the answer kept on the phone is sent now
    status.get_by_text("Đã lưu lúc").wait_for()
    page.evaluate("localStorage.clear()")
    page.reload()
    assert question(page, "mã OTP").get_by_label("Sai").is_checked()
    assert question(page, "mạnh nhất").get_by_label("Ngua-Vang-7-Song!").is_checked()
