"""A learner's path: enrol, study in order, complete, and see it on the dashboard."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from learning.models import CourseCompletion, Enrolment, LessonProgress
from learning.signals import course_completed
from tests.factories import UserFactory, course_tree, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return course_tree()


@pytest.fixture
def completed_events():
    events = []

    def receiver(sender, completion, **kwargs):
        events.append(completion)

    course_completed.connect(receiver)
    yield events
    course_completed.disconnect(receiver)


def enrol(client, course_page):
    return client.post(f"/hoc-tap/khoa-hoc/{course_page.pk}/dang-ky/")


def complete(client, lesson):
    return client.post(f"/hoc-tap/bai-hoc/{lesson.pk}/hoan-thanh/")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_anonymous_visitor_sees_the_course_and_is_asked_to_log_in(client, course):
    page, lessons = course
    response = client.get(page.url)
    html = response.content.decode()
    assert "Đăng nhập để đăng ký học" in html
    assert "Định danh điện tử" in html
    assert "public" in response["Cache-Control"]
    lesson = client.get(lessons[0].url)
    assert lesson.status_code == 302 and lesson["Location"] == page.url


def test_enrolled_learner_is_taken_to_the_first_lesson(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    assert "Đăng ký học" in client.get(page.url).content.decode()
    response = enrol(client, page)
    assert response["Location"] == lessons[0].url
    html = client.get(page.url).content.decode()
    assert "Tiếp tục học" in html
    assert "Đã hoàn thành 0%" in html
    assert Enrolment.objects.get(user=learner).source == "self"


def test_enrolling_twice_keeps_one_enrolment(client, course, learner):
    client.force_login(learner)
    enrol(client, course[0])
    enrol(client, course[0])
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_lesson_without_enrolment_sends_the_learner_to_enrol(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    response = client.get(lessons[0].url)
    assert response["Location"] == page.url
    assert messages_of(response) == ["Hãy đăng ký khóa học để học bài này."]


def test_sequential_course_opens_lessons_one_after_another(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    locked = client.get(lessons[1].url)
    assert locked["Location"] == lessons[0].url
    assert messages_of(locked)[-1] == "Hãy hoàn thành các bài trước."
    refused = complete(client, lessons[1])
    assert not LessonProgress.objects.filter(user=learner).exists()
    assert messages_of(refused)[-1] == "Hãy hoàn thành các bài trước."
    assert complete(client, lessons[0])["Location"] == lessons[1].url
    assert client.get(lessons[1].url).status_code == 200


def test_free_order_course_opens_every_lesson(client, learner):
    page, lessons = course_tree(sequential=False, slug="tu-do")
    client.force_login(learner)
    enrol(client, page)
    assert client.get(lessons[2].url).status_code == 200


def test_completing_the_last_lesson_completes_the_course_once(
    client, course, learner, completed_events, on_commit
):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    with on_commit():
        for lesson in lessons:
            response = complete(client, lesson)
    assert response["Location"] == page.url
    assert messages_of(response)[-1] == (
        "Chúc mừng! Bạn đã hoàn thành khóa học “Kỹ năng số cơ bản”."
    )
    completion = CourseCompletion.objects.get(user=learner)
    assert completion.rule.required_lesson_ids == sorted(lesson.pk for lesson in lessons)
    assert len(completed_events) == 1
    with on_commit():
        complete(client, lessons[-1])
    assert len(completed_events) == 1
    assert CourseCompletion.objects.filter(user=learner).count() == 1
    html = client.get(page.url).content.decode()
    assert "Bạn đã hoàn thành khóa học này." in html
    assert 'value="100"' in html


def test_a_stricter_rule_never_takes_away_a_completion(client, course, learner):
    page, lessons = course
    latecomer = UserFactory()
    for person in (learner, latecomer):
        client.force_login(person)
        enrol(client, page)
        for lesson in lessons[: 3 if person == learner else 2]:
            complete(client, lesson)
    earned_under = CourseCompletion.objects.get(user=learner).rule
    assert len(earned_under.required_lesson_ids) == 3

    course_tree(
        lessons=(
            "Định danh điện tử",
            "Dịch vụ công trực tuyến",
            "Phòng chống lừa đảo",
            "Thanh toán số",
        )
    )
    client.force_login(latecomer)
    complete(client, lessons[2])
    assert not CourseCompletion.objects.filter(user=latecomer).exists()
    assert CourseCompletion.objects.get(user=learner).rule == earned_under
    client.force_login(learner)
    assert "Bạn đã hoàn thành khóa học này." in client.get(page.url).content.decode()


def test_optional_lessons_do_not_hold_back_completion(client, course, learner):
    page, lessons = course
    lessons[2].required = False
    lessons[2].save_revision().publish()
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    complete(client, lessons[1])
    assert CourseCompletion.objects.filter(user=learner).exists()


def test_taking_a_required_lesson_offline_hands_out_no_completions(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    complete(client, lessons[1])
    lessons[2].unpublish()
    lessons[0].save_revision().publish()  # any later publication freezes the rule again
    client.get(page.url)
    assert not CourseCompletion.objects.filter(user=learner).exists()
    assert LessonProgress.objects.filter(user=learner).count() == 2


def test_deleting_a_required_lesson_completes_those_who_did_the_rest(
    client, course, learner, on_commit, completed_events
):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    complete(client, lessons[1])
    with on_commit():
        lessons[2].delete()
    assert CourseCompletion.objects.filter(user=learner).exists()
    assert len(completed_events) == 1


def test_a_scheduled_lesson_counts_before_it_goes_live(client, course, learner):
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import LessonPage

    page, lessons = course
    later = LessonPage(
        title="Bài sắp mở", slug="bai-sap-mo", go_live_at=timezone.now() + timedelta(days=1)
    )
    page.add_child(instance=later)
    later.save_revision().publish()  # stays a draft with an approved schedule
    page.save_revision().publish()
    client.force_login(learner)
    enrol(client, page)
    for lesson in lessons:
        complete(client, lesson)
    assert not CourseCompletion.objects.filter(user=learner).exists()


def test_an_optional_lesson_never_blocks_the_lessons_after_it(client, learner):
    page, lessons = course_tree(slug="co-bai-tu-chon")
    lessons[1].required = False
    lessons[1].save_revision().publish()
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    assert client.get(lessons[2].url).status_code == 200
    complete(client, lessons[2])
    assert CourseCompletion.objects.filter(user=learner).exists()


def test_when_no_lesson_is_marked_required_every_lesson_is(client, learner):
    page, lessons = course_tree(slug="tat-ca-tu-chon", sequential=False)
    for lesson in lessons:
        lesson.required = False
        lesson.save_revision().publish()
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    assert "Đã hoàn thành 33%" in client.get(page.url).content.decode()
    complete(client, lessons[1])
    complete(client, lessons[2])
    assert CourseCompletion.objects.filter(user=learner).exists()


def test_congratulations_come_once(client, learner):
    page, lessons = course_tree(slug="tu-do-2", sequential=False, lessons=("Một", "Hai"))
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    first = complete(client, lessons[1])
    assert "Chúc mừng!" in messages_of(first)[-1]
    client.get(page.url)  # the congratulations are shown
    again = complete(client, lessons[1])
    assert not any("Chúc mừng!" in text for text in messages_of(again))


def test_lessons_of_a_withdrawn_course_are_gone(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    page.unpublish()
    assert client.get(lessons[0].url).status_code == 404
    assert complete(client, lessons[0]).status_code == 404
    assert not LessonProgress.objects.exists()


def test_a_private_course_cannot_be_entered_through_the_back_door(client, course, learner):
    from wagtail.models import PageViewRestriction

    page, lessons = course
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="mat-khau-lop"
    )
    client.force_login(learner)
    assert enrol(client, page).status_code == 404
    assert not Enrolment.objects.exists()


def test_a_lesson_with_a_graded_activity_is_not_completed_by_the_button(
    client, course, learner, monkeypatch
):
    from courses.models import LessonPage

    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    monkeypatch.setattr(LessonPage, "has_graded_blocks", property(lambda self: True))
    response = complete(client, lessons[0])
    assert not LessonProgress.objects.exists()
    assert "được hoàn thành bằng cách làm xong" in messages_of(response)[-1]


def test_the_course_page_of_a_logged_in_learner_is_never_stored(client, course, learner):
    client.force_login(learner)
    response = client.get(course[0].url)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_deleting_a_lesson_keeps_the_learners_record(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    lessons[0].delete()
    progress = LessonProgress.objects.get(user=learner)
    assert progress.lesson is None
    assert progress.lesson_title == "Định danh điện tử"
    assert client.get(lessons[1].url).status_code == 200


def test_a_lesson_moved_to_another_course_keeps_its_progress(client, course, learner):
    page, lessons = course
    other, _ = course_tree(title="Khóa khác", slug="khoa-khac", lessons=(), sequential=False)
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    lessons[0].move(other, pos="last-child")
    enrol(client, other)
    state_html = client.get(other.url).content.decode()
    assert "Định danh điện tử" in state_html
    assert LessonProgress.objects.get(user=learner).lesson_id == lessons[0].pk


def test_assignment_only_course_refuses_self_enrolment(client, learner):
    page, _ = course_tree(enrolment="assignment", slug="theo-giao")
    client.force_login(learner)
    assert "chỉ dành cho học viên được giáo viên" in client.get(page.url).content.decode()
    response = enrol(client, page)
    assert response["Location"] == page.url
    assert not Enrolment.objects.exists()


def test_mandated_course_is_for_the_agencies_people_and_their_units(client):
    province = organisation("NA", "UBND tỉnh Nghệ An", "province")
    department = organisation("NA.SKHCN", "Sở KH&CN", parent=province)
    division = organisation("NA.SKHCN.CDS", "Phòng Chuyển đổi số", "division", parent=department)
    commune = organisation("NA.P.TV", "Phường Trường Vinh", "commune", parent=province)
    page, _ = course_tree(enrolment="mandated", slug="nq57", mandated=[department])
    official, citizen = UserFactory(), UserFactory()
    official.memberships.create(organisation=division, target_group="civil_servant")
    citizen.memberships.create(organisation=commune, target_group="citizen")

    client.force_login(citizen)
    assert "dành cho cán bộ của các cơ quan được giao" in client.get(page.url).content.decode()
    enrol(client, page)
    assert not Enrolment.objects.filter(user=citizen).exists()

    client.force_login(official)
    dashboard = client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    assert "Cơ quan giao bắt buộc" in dashboard
    enrol(client, page)
    assert Enrolment.objects.filter(user=official).exists()


def test_dashboard_shows_progress_resume_and_completed_courses(client, course, learner):
    page, lessons = course
    done_page, done_lessons = course_tree(title="Khóa đã xong", slug="da-xong", lessons=("Một",))
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    enrol(client, done_page)
    complete(client, done_lessons[0])
    response = client.get("/hoc-tap/khoa-hoc-cua-toi/")
    html = response.content.decode()
    assert "Đã hoàn thành 33%" in html
    assert f'href="{lessons[1].url}"' in html  # where to resume
    assert "còn khoảng 25 phút" in html  # 12 + 13 minutes
    completed = html.split("Khóa học đã hoàn thành")[1]
    assert "Khóa đã xong" in completed
    assert f"hoàn thành ngày {timezone.localdate():%d/%m/%Y}" in completed
    assert "no-store" in response["Cache-Control"]


def test_the_dashboard_lists_the_latest_course_first(client, course, learner):
    page, _lessons = course
    later, _ = course_tree(title="Khóa đăng ký sau", slug="dang-ky-sau", lessons=("Một",))
    done_first, done_first_lessons = course_tree(title="Xong trước", slug="xong-truoc")
    done_last, done_last_lessons = course_tree(title="Xong sau", slug="xong-sau")
    client.force_login(learner)
    for each in (later, page, done_first, done_last):
        enrol(client, each)
    for lesson in done_first_lessons + done_last_lessons:
        complete(client, lesson)
    now = timezone.now()
    Enrolment.objects.filter(user=learner, course=page).update(enrolled_at=now - timedelta(days=3))
    CourseCompletion.objects.filter(user=learner, course=done_first).update(
        completed_at=now - timedelta(days=40)
    )
    html = client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    in_progress, completed = html.split("Khóa học đã hoàn thành")
    assert in_progress.index("Khóa đăng ký sau") < in_progress.index("Kỹ năng số cơ bản")
    assert completed.index("Xong sau") < completed.index("Xong trước")
    old = timezone.localdate(now - timedelta(days=40))
    assert f"hoàn thành ngày {old:%d/%m/%Y}" in completed


def test_a_course_completed_after_midnight_shows_vietnams_date(client, learner):
    done, lessons = course_tree(title="Xong lúc nửa đêm", slug="nua-dem")
    client.force_login(learner)
    enrol(client, done)
    for lesson in lessons:
        complete(client, lesson)
    # 18:30 on 6 December in UTC is 01:30 on 7 December in Nghệ An.
    CourseCompletion.objects.filter(user=learner, course=done).update(
        completed_at=datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    )
    html = client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    assert "hoàn thành ngày 07/12/2026" in html.split("Khóa học đã hoàn thành")[1]


def test_nobody_sees_another_persons_progress(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    client.get(page.url)  # shows (and so clears) the learner's own notices
    stranger = UserFactory()
    client.force_login(stranger)
    assert "Kỹ năng số cơ bản" not in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    html = client.get(page.url).content.decode()
    assert "Đăng ký học" in html and "Đã hoàn thành 33%" not in html


def test_pages_stay_within_their_query_budgets(
    client, course, learner, django_assert_max_num_queries
):
    from cms.demo.images import cover_image

    page, lessons = course
    page.image = cover_image(title="Ảnh bìa", colours=("#b3261e", "#ffb74d"))
    page.save_revision().publish()
    client.force_login(learner)
    enrol(client, page)
    complete(client, lessons[0])
    urls = (
        "/khoa-hoc/",
        "/khoa-hoc/?q=ky+nang&doi-tuong=citizen",
        page.url,
        lessons[1].url,
        "/hoc-tap/khoa-hoc-cua-toi/",
    )
    for url in urls:  # warm caches and image renditions, as any earlier visitor would
        client.get(url)
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url


def test_lesson_pages_are_never_cached(client, course, learner):
    page, lessons = course
    client.force_login(learner)
    enrol(client, page)
    response = client.get(lessons[0].url)
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_one_learners_progress_never_shows_on_anothers_pages(client, course, learner):
    course, lessons = course
    # Lessons are kept in each server process and shared by every request (issue 9): the
    # done marks are one learner's, never the next visitor's.
    other = UserFactory(username="tranthibinh")
    for who in (learner, other):
        client.force_login(who)
        enrol(client, course)
    client.force_login(learner)
    complete(client, lessons[0])
    assert "is-done" in client.get(course.url).content.decode()
    assert 'value="0"' not in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    client.force_login(other)
    assert "is-done" not in client.get(course.url).content.decode()
    assert 'value="0"' in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    client.logout()
    assert "is-done" not in client.get(course.url).content.decode()
