"""Teachers run classes and see who is behind; students join, learn and are reminded."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from classes import selectors, services
from classes.models import ClassMember, Reminder
from learning import services as learning
from learning.models import Enrolment, LessonProgress
from tests.conftest import login
from tests.factories import UserFactory, course_tree

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def freeze(moment):
    """The task reads the clock; pin it to a morning so the test does not depend on the hour."""
    from unittest import mock

    return mock.patch("classes.services.timezone.now", return_value=moment)


def assign(classroom, teacher, course, **kwargs):
    page, _lessons = course
    # Due a month from today unless a test sets its own deadline (one already passed, say);
    # open from forty days before the deadline either way.
    due_on = kwargs.get("due_on") or timezone.localdate() + timedelta(days=30)
    defaults = {"starts_on": due_on - timedelta(days=40), "due_on": due_on}
    return services.assignment_create(
        classroom=classroom, actor=teacher, course=page, **{**defaults, **kwargs}
    )


# --- Permissions ------------------------------------------------------------------------


def test_a_teacher_asking_for_another_teachers_class_gets_404(
    client, classroom, other_teacher, students, course, teacher
):
    assign(classroom, teacher, course)
    login(client, other_teacher.username)
    base = f"/lop-hoc/{classroom.pk}/"
    for url in (base, base + "giao-bai/", base + "bang-theo-doi.csv", base + "bang-theo-doi.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.post(base + "hoc-vien/", {"logins": "hs0"}).status_code == 404
    assert client.post(f"{base}hoc-vien/{students[0].pk}/xoa/").status_code == 404
    assert ClassMember.objects.filter(classroom=classroom).count() == 3


def test_students_never_see_the_class_results(client, classroom, students):
    login(client, students[0].username)
    assert client.get(f"/lop-hoc/{classroom.pk}/").status_code == 404
    assert "Hồ Thị Bích" not in client.get("/lop-hoc/").content.decode()
    assert client.get("/lop-hoc/tao-lop/").status_code == 403  # only teachers create classes


def test_co_teachers_share_the_class(client, classroom, teacher, other_teacher):
    login(client, teacher.username)
    client.post(f"/lop-hoc/{classroom.pk}/giao-vien/", {"login": other_teacher.username})
    client.logout()
    login(client, other_teacher.username)
    assert "Lớp 10A1" in client.get(f"/lop-hoc/{classroom.pk}/").content.decode()


# --- Joining and the class list ---------------------------------------------------------


def test_students_join_by_code_typed_in_lowercase_or_by_link(client, classroom):
    first, second = UserFactory(), UserFactory()
    login(client, first.username)
    client.post("/lop-hoc/tham-gia/", {"code": classroom.code.lower()})
    client.logout()
    login(client, second.username)
    page = client.get(f"/lop-hoc/tham-gia/{classroom.code}/").content.decode()
    assert classroom.code in page
    client.post("/lop-hoc/tham-gia/", {"code": classroom.code})
    assert set(classroom.members.values_list("user", flat=True)) == {first.pk, second.pk}
    wrong = client.post("/lop-hoc/tham-gia/", {"code": "KHONGCO"}).content.decode()
    assert "Không có lớp nào có mã này" in wrong


def test_adding_a_list_is_all_or_nothing(client, classroom, teacher):
    UserFactory(username="hv.mot")
    UserFactory(username="hv.hai", email="hai@example.vn")
    login(client, teacher.username)
    response = client.post(
        f"/lop-hoc/{classroom.pk}/hoc-vien/", {"logins": "hv.mot, khong.ton.tai"}, follow=True
    )
    assert "khong.ton.tai" in response.content.decode()
    assert not classroom.members.exists()
    client.post(f"/lop-hoc/{classroom.pk}/hoc-vien/", {"logins": "hv.mot\nhai@example.vn"})
    assert classroom.members.count() == 2


def test_a_csv_with_the_wrong_column_is_refused_in_vietnamese(client, classroom, teacher):
    UserFactory(username="hv.ba")
    login(client, teacher.username)
    bad = SimpleUploadedFile("ds.csv", "họ tên,lớp\nhv.ba,10A1\n".encode(), "text/csv")
    response = client.post(f"/lop-hoc/{classroom.pk}/hoc-vien/", {"file": bad}, follow=True)
    assert "Dòng đầu tiên phải có cột" in response.content.decode()
    assert not classroom.members.exists()
    broken = SimpleUploadedFile("ds.csv", b"\xff\xfe\x00garbage", "text/csv")
    response = client.post(f"/lop-hoc/{classroom.pk}/hoc-vien/", {"file": broken}, follow=True)
    assert "UTF-8" in response.content.decode()
    good = SimpleUploadedFile("ds.csv", "\ufeffUsername,Họ tên\nhv.ba,Ba\n".encode(), "text/csv")
    client.post(f"/lop-hoc/{classroom.pk}/hoc-vien/", {"file": good})
    assert classroom.members.get().user.username == "hv.ba"


def test_removing_a_student_keeps_what_they_learned(classroom, teacher, students, course):
    page, lessons = course
    assign(classroom, teacher, course)
    learning.lesson_complete(user=students[0], lesson=lessons[0])
    services.member_remove(classroom=classroom, user=students[0])
    assert not classroom.members.filter(user=students[0]).exists()
    assert LessonProgress.objects.filter(user=students[0]).count() == 1


# --- Assignments and the grid -----------------------------------------------------------


def test_assigning_enrols_the_class_and_later_joiners(classroom, teacher, students, course):
    page, _lessons = course
    assign(classroom, teacher, course)
    enrolments = Enrolment.objects.filter(course=page, source="assignment")
    assert set(enrolments.values_list("user", flat=True)) == {s.pk for s in students}
    newcomer = UserFactory()
    services.member_join(user=newcomer, code=classroom.code)
    assert Enrolment.objects.filter(course=page, user=newcomer).exists()


def test_assigned_learners_see_the_assignment_and_due_date(
    client, classroom, teacher, students, course
):
    assign(classroom, teacher, course, due_on=date(2026, 12, 5))
    login(client, students[1].username)
    html = client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    assert "Bài được giao" in html and "Lớp 10A1" in html and "05/12/2026" in html


def test_only_the_class_sees_its_work_and_a_student_who_leaves_stops_seeing_it(
    client, classroom, teacher, students, course
):
    # The dashboard reads the learner's classes in its own query (ClassesConfig.ready):
    # joining, leaving and never being in the class each show at the next view.
    assign(classroom, teacher, course)
    outsider = UserFactory(username="nguoingoai")
    login(client, outsider.username)
    assert "Lớp 10A1" not in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    services.member_join(user=outsider, code=classroom.code)
    assert "Lớp 10A1" in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    services.member_remove(classroom=classroom, user=outsider)
    assert "Lớp 10A1" not in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    client.logout()
    login(client, students[0].username)
    assert "Lớp 10A1" in client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()


def test_due_dates_end_at_midnight_in_viet_nam(classroom, teacher, students, course):
    page, lessons = course
    assignment = assign(classroom, teacher, course, lessons=[lessons[0]], due_on=date(2026, 11, 30))
    assert assignment.due_at.astimezone(HCM).strftime("%d/%m %H:%M:%S") == "30/11 23:59:59"
    on_time, late = students[0], students[1]
    for student, local in ((on_time, "2026-11-30 23:30"), (late, "2026-12-01 00:10")):
        LessonProgress.objects.create(
            user=student,
            lesson=lessons[0],
            lesson_title=lessons[0].title,
            completed_at=datetime.fromisoformat(local).replace(tzinfo=HCM),
        )
    at = datetime(2026, 12, 1, 1, 0, tzinfo=HCM)
    statuses = dict((s.username, st) for s, st in selectors.assignment_progress(assignment, now=at))
    assert statuses == {"hs0": "done", "hs1": "late", "hs2": "overdue"}
    before = datetime(2026, 11, 30, 23, 59, tzinfo=HCM)
    assert (
        dict((s.username, st) for s, st in selectors.assignment_progress(assignment, now=before))[
            "hs2"
        ]
        == "not_started"
    )


def test_the_grid_shows_each_state_and_sorts_who_is_behind_first(
    client, classroom, teacher, students, course
):
    page, lessons = course
    assign(classroom, teacher, course, due_on=date(2020, 1, 1), starts_on=date(2020, 1, 1))
    for lesson in lessons:
        learning.lesson_complete(user=students[0], lesson=lesson)
    learning.lesson_complete(user=students[1], lesson=lessons[0])
    login(client, teacher.username)
    html = client.get(f"/lop-hoc/{classroom.pk}/?sap-xep=behind").content.decode()
    assert html.index("Hồ Thị Bích") < html.index("Nguyễn Văn An")
    assert "Nộp muộn" in html and "Quá hạn" in html
    assert "0 chưa bắt đầu · 0 đang học · 0 xong · 1 muộn · 2 quá hạn" in html


def test_the_grid_costs_the_same_queries_for_50_students_and_20_assignments(
    classroom, teacher, django_assert_max_num_queries
):
    page, lessons = course_tree(slug="lon", lessons=tuple(f"Bài {n}" for n in range(20)))
    small = services.classroom_create(teacher=teacher, name="Nhỏ")

    def fill(room, students: int, items: int):
        people = [UserFactory() for _ in range(students)]
        for person in people:
            services.member_add(classroom=room, user=person)
        for n in range(items):
            services.assignment_create(
                classroom=room,
                actor=teacher,
                course=page,
                lessons=[lessons[n]],
                starts_on=date(2026, 11, 1),
                due_on=date(2026, 12, 1),
            )
        learning.lesson_complete(user=people[0], lesson=lessons[0])

    fill(small, 2, 1)
    fill(classroom, 50, 20)
    with CaptureQueriesContext(connection) as few:
        selectors.grid(classroom=small)
    with CaptureQueriesContext(connection) as many:
        grid = selectors.grid(classroom=classroom)
    assert len(grid.rows) == 50 and len(grid.columns) == 20
    assert len(many) == len(few) <= 8


def test_exports_hold_the_grid_and_neutralise_formulas(
    client, classroom, teacher, students, course
):
    students[2].full_name = "=1+1"
    students[2].save()
    assign(classroom, teacher, course)
    login(client, teacher.username)
    text = client.get(f"/lop-hoc/{classroom.pk}/bang-theo-doi.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Học viên" and "Kỹ năng số cơ bản" in rows[0][2]
    assert ["'=1+1", "hs2", "Chưa bắt đầu"] in rows
    xlsx = client.get(f"/lop-hoc/{classroom.pk}/bang-theo-doi.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][0] == "Học viên"
    assert sheet.max_row == 4


# --- Reminders --------------------------------------------------------------------------


def test_reminders_go_three_days_and_one_day_before_once_each(
    classroom, teacher, students, course, on_commit
):
    page, lessons = course
    assign(classroom, teacher, course, due_on=date(2026, 11, 30))
    for lesson in lessons:
        learning.lesson_complete(user=students[0], lesson=lesson)  # done: no reminder

    def at(day, hour):
        return datetime(2026, 11, day, hour, tzinfo=HCM)

    with on_commit():
        assert services.reminders_send(now=at(27, 6)) == 0  # not before 7 in the morning
        assert services.reminders_send(now=at(27, 8)) == 2  # three days before 30/11
        assert services.reminders_send(now=at(27, 9)) == 0  # the next hourly run
        assert services.reminders_send(now=at(28, 9)) == 0  # two days before: nothing
        assert services.reminders_send(now=at(29, 8)) == 2  # the day before
        assert services.reminders_send(now=at(29, 20)) == 0
    reminders = [m for m in mail.outbox if "Nhắc" in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted([students[1].email, students[2].email] * 2)
    assert "30/11/2026" in reminders[0].subject
    assert "/lop-hoc/huy-nhac-nho/" in reminders[0].body
    assert reminders[0].body.startswith("Xin chào")
    assert "đến hạn ngày 30/11/2026 mà bạn chưa học xong" in reminders[0].body
    assert Reminder.objects.count() == 4


def test_unsubscribing_stops_reminders_but_a_preview_click_does_not(
    client, classroom, teacher, students, course, on_commit
):
    assign(classroom, teacher, course, due_on=date(2026, 11, 30))
    token = services.unsubscribe_token(students[1])
    client.get(f"/lop-hoc/huy-nhac-nho/{token}/")  # a mail program previewing the link
    client.post(f"/lop-hoc/huy-nhac-nho/{token}/")
    assert client.post("/lop-hoc/huy-nhac-nho/gia-mao/").status_code == 404
    three_days_before = datetime(2026, 11, 27, 9, tzinfo=HCM)
    with on_commit():
        services.reminders_send(now=three_days_before)
    assert {m.to[0] for m in mail.outbox} == {students[0].email, students[2].email}


def test_teachers_get_one_digest_a_week(classroom, teacher, students, course, on_commit):
    assign(classroom, teacher, course)
    monday = datetime(2026, 11, 23, 8, tzinfo=HCM)
    with on_commit():
        assert services.digests_send(now=monday) == 1
        assert services.digests_send(now=monday + timedelta(days=2)) == 0
        assert services.digests_send(now=monday + timedelta(days=7)) == 1
    digest = [m for m in mail.outbox if m.to == [teacher.email]][0]
    assert "Lớp 10A1" in digest.body and "Kỹ năng số cơ bản" in digest.body
    assert "Tình hình học tập của các lớp" in digest.body


@pytest.mark.parametrize("retry", [1, 2])
def test_a_retried_reminder_task_sends_nothing_more(
    classroom, teacher, students, course, retry, on_commit
):
    from classes import tasks

    today = timezone.localdate()
    assign(classroom, teacher, course, starts_on=today, due_on=today + timedelta(days=3))
    morning = datetime.combine(today, datetime.min.time()).replace(hour=9, tzinfo=HCM)
    with on_commit(), freeze(morning):
        for _ in range(retry + 1):
            tasks.send_reminders.apply()
    assert Reminder.objects.count() == 3
    assert len(mail.outbox) == 3


# --- Found in review --------------------------------------------------------------------


def test_an_assignment_for_some_students_shows_a_dash_for_the_others(
    client, classroom, teacher, students, course
):
    assign(classroom, teacher, course, students=[students[1]])
    login(client, teacher.username)
    for sort in ("name", "behind", "done"):
        response = client.get(f"/lop-hoc/{classroom.pk}/?sap-xep={sort}")
        assert response.status_code == 200
    row = selectors.grid(classroom=classroom).rows
    assigned = {r.student.username: (r.assigned_count, r.cells[0]) for r in row}
    assert assigned["hs0"] == (0, None) and assigned["hs1"][0] == 1


def test_a_removed_student_is_no_longer_reminded(classroom, teacher, students, course, on_commit):
    assign(classroom, teacher, course, students=students[:2], due_on=date(2026, 11, 30))
    services.member_remove(classroom=classroom, user=students[0])
    with on_commit():
        assert services.reminders_send(now=datetime(2026, 11, 27, 9, tzinfo=HCM)) == 1
    assert [m.to[0] for m in mail.outbox] == [students[1].email]  # the one still in the class


def test_a_student_cannot_be_made_co_teacher(classroom, students):
    with pytest.raises(services.ClassError):
        services.teacher_add(classroom=classroom, login=students[0].username)
    assert list(classroom.teachers.values_list("username", flat=True)) == ["cogiao.lan"]


def test_control_characters_in_a_name_do_not_break_the_excel_file(
    client, classroom, teacher, students, course
):
    students[0].full_name = "An\x07 Bình"
    students[0].save()
    assign(classroom, teacher, course)
    login(client, teacher.username)
    response = client.get(f"/lop-hoc/{classroom.pk}/bang-theo-doi.xlsx")
    names = [c.value for c in load_workbook(io.BytesIO(response.content)).active["A"]]
    assert "An Bình" in names


def test_a_csv_saved_by_vietnamese_excel_with_semicolons_is_read(classroom):
    UserFactory(username="hv.bon")
    logins = services.logins_from_csv("Tên đăng nhập;Họ tên\nhv.bon;Bốn\n".encode())
    assert services.members_add_many(classroom=classroom, logins=logins) == 1


def test_a_course_mandated_for_another_agency_cannot_be_assigned(classroom, teacher):
    from tests.factories import organisation

    other = organisation("NA.SNV", "Sở Nội vụ")
    page, _lessons = course_tree(slug="noi-vu", enrolment="mandated", mandated=[other])
    with pytest.raises(services.ClassError):
        services.assignment_create(
            classroom=classroom,
            actor=teacher,
            course=page,
            starts_on=date(2026, 11, 1),
            due_on=date(2026, 12, 1),
        )
    assert not Enrolment.objects.filter(course=page).exists()


def test_work_that_opens_later_shows_its_start_date(client, classroom, teacher, students, course):
    opens = timezone.localdate() + timedelta(days=5)
    assign(classroom, teacher, course, starts_on=opens, due_on=opens + timedelta(days=7))
    login(client, students[0].username)
    html = client.get("/hoc-tap/khoa-hoc-cua-toi/").content.decode()
    assert f"mở ngày {opens:%d/%m/%Y}" in html
    client.logout()
    login(client, teacher.username)
    assert f"mở ngày {opens:%d/%m/%Y}" in client.get(f"/lop-hoc/{classroom.pk}/").content.decode()
