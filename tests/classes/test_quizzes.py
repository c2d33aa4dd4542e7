"""Quizzes in a class's work: scores in the grid, the essay queue, item analysis.

A teacher grades only essays by students of the classes they teach, from lessons those
classes were assigned; anyone else's is a 404.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services as assessment
from assessments.models import Attempt
from classes import services
from learning.models import LessonProgress
from tests.conftest import login
from tests.factories import lesson_with_quiz, quiz_of, sample_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_lesson(course):
    bank = sample_questions()
    page, _lessons = course
    quiz = quiz_of([bank["ATM-02"], bank["DVC-04"]], pass_mark=Decimal(50), title="Kiểm tra OTP")
    return lesson_with_quiz(page, quiz), quiz, bank


def take(student, quiz, lesson, *, essay="Nộp hồ sơ khai sinh trực tuyến", otp_right=True):
    attempt = assessment.attempt_start(user=student, quiz=quiz, context_id=lesson.pk)
    responses = {}
    for row in attempt.answers.select_related("question"):
        if row.question.qtype == "true_false":
            responses[row.slot] = {"choice": 1 if otp_right else 0}
        else:
            responses[row.slot] = {"text": essay}
    return assessment.attempt_submit(attempt=attempt, responses=responses)


@pytest.fixture
def assigned(classroom, teacher, students, course, quiz_lesson):
    page, _lessons = course
    lesson, quiz, _bank = quiz_lesson
    services.assignment_create(
        classroom=classroom,
        actor=teacher,
        course=page,
        lessons=[lesson],
        starts_on=timezone.localdate() - timedelta(days=30),
        due_on=timezone.localdate() + timedelta(days=30),
    )
    return lesson, quiz


def test_the_teacher_grades_an_essay_and_the_student_s_lesson_is_done(
    client, teacher, students, assigned
):
    lesson, quiz = assigned
    attempt = take(students[0], quiz, lesson)
    assert attempt.state == Attempt.State.NEEDS_GRADING
    login(client, teacher.username)
    queue = client.get("/lop-hoc/cham-bai/").content.decode()
    assert "Nguyễn Văn An" in queue and "Kiểm tra OTP" in queue
    essay = attempt.answers.get(question__qtype="essay")
    page = client.get(f"/lop-hoc/cham-bai/{essay.pk}/").content.decode()
    assert "Nộp hồ sơ khai sinh trực tuyến" in page
    too_high = client.post(f"/lop-hoc/cham-bai/{essay.pk}/", {"mark": "5"})
    assert too_high.status_code == 200 and "Từ 0 đến 1" in too_high.content.decode()
    done = client.post(
        f"/lop-hoc/cham-bai/{essay.pk}/", {"mark": "1", "comment": "Tốt."}, follow=True
    )
    assert "Đã lưu điểm" in done.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.percent == 100
    assert LessonProgress.objects.get(user=students[0], lesson=lesson).score == 100
    assert "Không có bài cần chấm" in client.get("/lop-hoc/cham-bai/").content.decode()
    client.logout()
    login(client, students[0].username)
    review = client.get(f"/hoc-tap/bai-lam/{attempt.pk}/").content.decode()
    assert "Nhận xét của giáo viên" in review and "Tốt." in review


def test_another_teacher_cannot_see_or_grade_the_essay(client, other_teacher, students, assigned):
    lesson, quiz = assigned
    attempt = take(students[0], quiz, lesson)
    essay = attempt.answers.get(question__qtype="essay")
    services.classroom_create(teacher=other_teacher, name="Lớp 11B")
    login(client, other_teacher.username)
    assert "Nguyễn Văn An" not in client.get("/lop-hoc/cham-bai/").content.decode()
    assert client.get(f"/lop-hoc/cham-bai/{essay.pk}/").status_code == 404
    assert client.post(f"/lop-hoc/cham-bai/{essay.pk}/", {"mark": "1"}).status_code == 404
    client.logout()
    login(client, students[1].username)  # a classmate, not a teacher
    assert client.get(f"/lop-hoc/cham-bai/{essay.pk}/").status_code == 404
    essay.refresh_from_db()
    assert essay.needs_grading


def test_essays_from_work_the_class_was_not_given_stay_private(
    client, teacher, students, course, quiz_lesson
):
    lesson, quiz, _bank = quiz_lesson  # in the course, but never assigned to the class
    attempt = take(students[0], quiz, lesson)
    essay = attempt.answers.get(question__qtype="essay")
    login(client, teacher.username)
    assert client.get(f"/lop-hoc/cham-bai/{essay.pk}/").status_code == 404


def test_the_grid_and_its_exports_show_quiz_scores(client, classroom, teacher, students, assigned):
    lesson, quiz = assigned
    take(students[1], quiz, lesson, essay="", otp_right=True)  # empty essay: 0, no grading
    take(students[2], quiz, lesson, essay="", otp_right=False)
    login(client, teacher.username)
    html = client.get(f"/lop-hoc/{classroom.pk}/").content.decode()
    assert "Điểm 50%" in html and "Điểm 0%" in html
    text = client.get(f"/lop-hoc/{classroom.pk}/bang-theo-doi.csv").content.decode("utf-8-sig")
    rows = {row[1]: row for row in csv.reader(io.StringIO(text))}
    assert rows["hs1"][2] == "Đã xong (50%)"
    assert rows["hs2"][2] == "Đang học (0%)"
    assert rows["hs0"][2] == "Chưa bắt đầu"


def test_item_analysis_for_the_class_is_the_teacher_s_alone(
    client, classroom, teacher, other_teacher, students, assigned
):
    lesson, quiz = assigned
    for student in students:
        take(student, quiz, lesson, essay="")
    login(client, teacher.username)
    detail = client.get(f"/lop-hoc/{classroom.pk}/").content.decode()
    assert f"/lop-hoc/{classroom.pk}/phan-tich/{quiz.pk}/" in detail
    page = client.get(f"/lop-hoc/{classroom.pk}/phan-tich/{quiz.pk}/").content.decode()
    assert "3 lượt làm bài đã chấm" in page and "Độ phân biệt" in page
    client.logout()
    login(client, other_teacher.username)
    assert client.get(f"/lop-hoc/{classroom.pk}/phan-tich/{quiz.pk}/").status_code == 404


def test_the_lesson_picker_marks_lessons_with_a_quiz(client, classroom, teacher, assigned):
    login(client, teacher.username)
    html = client.get(f"/lop-hoc/{classroom.pk}/giao-bai/").content.decode()
    assert "Bài kiểm tra cuối khóa (bài kiểm tra)" in html


def test_a_teacher_cannot_join_their_own_class_to_grade_themselves(classroom, teacher):
    with pytest.raises(services.ClassError, match="không thể vào lớp với tư cách học viên"):
        services.member_join(user=teacher, code=classroom.code)


def test_a_graded_essay_leaves_the_queue_and_cannot_be_regraded(
    client, teacher, students, assigned
):
    lesson, quiz = assigned
    attempt = take(students[0], quiz, lesson)
    essay = attempt.answers.get(question__qtype="essay")
    login(client, teacher.username)
    client.post(f"/lop-hoc/cham-bai/{essay.pk}/", {"mark": "1"})
    assert client.post(f"/lop-hoc/cham-bai/{essay.pk}/", {"mark": "0"}).status_code == 404
    essay.refresh_from_db()
    assert essay.awarded == 1


def test_essays_count_only_for_the_students_an_assignment_names(
    client, classroom, teacher, students, course, quiz_lesson
):
    page, _lessons = course
    lesson, quiz, _bank = quiz_lesson
    services.assignment_create(
        classroom=classroom,
        actor=teacher,
        course=page,
        lessons=[lesson],
        students=[students[0]],
        starts_on=timezone.localdate() - timedelta(days=30),
        due_on=timezone.localdate() + timedelta(days=30),
    )
    mine = take(students[0], quiz, lesson).answers.get(question__qtype="essay")
    other = take(students[1], quiz, lesson).answers.get(question__qtype="essay")
    login(client, teacher.username)
    assert client.get(f"/lop-hoc/cham-bai/{mine.pk}/").status_code == 200
    assert client.get(f"/lop-hoc/cham-bai/{other.pk}/").status_code == 404
