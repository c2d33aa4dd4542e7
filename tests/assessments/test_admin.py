"""Question banks in the Wagtail admin: import with a preview, export, item analysis."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Question, QuestionBank, QuestionImport
from tests.factories import quiz_of, sample_questions

pytestmark = pytest.mark.django_db

GIFT = """::Thư rác::Thư đòi mật khẩu qua đường link là gì?{=thư lừa đảo}

::Hỏng::Thiếu dấu đóng {=a ~b
"""


def upload(client, content: str, **fields):
    data = {
        "new_bank": "Ngân hàng tập huấn",
        "file": SimpleUploadedFile("bo-de.gift", content.encode()),
    }
    return client.post("/admin/cau-hoi/nhap/", {**data, **fields})


def test_the_preview_shows_counts_and_problems_and_saves_nothing(admin_client):
    response = upload(admin_client, GIFT)
    pending = QuestionImport.objects.get()
    assert response["Location"] == f"/admin/cau-hoi/nhap/{pending.pk}/"
    html = admin_client.get(response["Location"]).content.decode()
    assert "có 1 câu hỏi nhập được" in html and "Trả lời ngắn: 1" in html
    assert "dòng 3 (câu 2)" in html and "thiếu dấu } đóng" in html
    assert not Question.objects.exists()


def test_confirming_imports_and_shows_the_report(admin_client):
    upload(admin_client, GIFT)
    pending = QuestionImport.objects.get()
    done = admin_client.post(f"/admin/cau-hoi/nhap/{pending.pk}/xac-nhan/", follow=True)
    html = done.content.decode()
    assert "Đã nhập 1 câu hỏi" in html and "Đã nhập: 1. Bỏ qua: 1." in html
    assert Question.objects.get().category.bank.name == "Ngân hàng tập huấn"
    pending.refresh_from_db()
    assert pending.state == "imported" and bytes(pending.content) == b""
    again = admin_client.post(f"/admin/cau-hoi/nhap/{pending.pk}/xac-nhan/")
    assert again.status_code == 404 and Question.objects.count() == 1


def test_cancelling_saves_nothing(admin_client):
    upload(admin_client, GIFT)
    pending = QuestionImport.objects.get()
    admin_client.post(f"/admin/cau-hoi/nhap/{pending.pk}/xac-nhan/", {"cancel": "1"})
    assert not Question.objects.exists()
    assert QuestionImport.objects.get().state == "cancelled"


def test_atomic_upload_imports_nothing_when_a_question_is_broken(admin_client):
    upload(admin_client, GIFT, atomic="on")
    pending = QuestionImport.objects.get()
    assert (
        "xác nhận lúc này sẽ không nhập câu nào"
        in admin_client.get(f"/admin/cau-hoi/nhap/{pending.pk}/").content.decode()
    )
    admin_client.post(f"/admin/cau-hoi/nhap/{pending.pk}/xac-nhan/")
    assert not Question.objects.exists()


def test_a_bank_exports_to_gift_and_moodle_xml(admin_client):
    sample_questions("Mẫu")
    bank = QuestionBank.objects.get(name="Mẫu")
    gift = admin_client.get(f"/admin/cau-hoi/ngan-hang/{bank.pk}/xuat/gift/")
    assert "attachment" in gift["Content-Disposition"]
    assert "::Mật khẩu mạnh::" in gift.content.decode()
    xml = admin_client.get(f"/admin/cau-hoi/ngan-hang/{bank.pk}/xuat/xml/")
    assert b"<quiz>" in xml.content and "Ứng dụng định danh".encode() in xml.content
    assert admin_client.get(f"/admin/cau-hoi/ngan-hang/{bank.pk}/xuat/exe/").status_code == 404


def test_item_analysis_page(admin_client):
    bank = sample_questions()
    quiz = quiz_of([bank["ATM-01"]])
    html = admin_client.get(f"/admin/cau-hoi/bai-kiem-tra/{quiz.pk}/phan-tich/").content.decode()
    assert "Chưa có lượt làm bài nào được chấm" in html


def test_the_question_and_quiz_editors_open(admin_client):
    bank = sample_questions()
    question = bank["DVC-02"]
    assert (
        admin_client.get(f"/admin/snippets/assessments/question/edit/{question.pk}/").status_code
        == 200
    )
    assert admin_client.get("/admin/snippets/assessments/quiz/add/").status_code == 200


def test_staff_without_the_permission_cannot_import_or_export(client, staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(staff_user)
    bank = QuestionBank.objects.create(name="Riêng")
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    for url in ("/admin/cau-hoi/nhap/", f"/admin/cau-hoi/ngan-hang/{bank.pk}/xuat/gift/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    refused = upload(client, GIFT)
    assert refused["Location"] == "/admin/" and not QuestionImport.objects.exists()


def test_a_quiz_or_question_someone_answered_cannot_be_deleted(admin_client):
    from assessments import services
    from assessments.models import Quiz
    from tests.factories import UserFactory

    bank = sample_questions()
    question = bank["ATM-01"]
    quiz = quiz_of([question])
    services.attempt_start(user=UserFactory(), quiz=quiz)
    for url in (
        f"/admin/snippets/assessments/quiz/delete/{quiz.pk}/",
        f"/admin/snippets/assessments/question/delete/{question.pk}/",
    ):
        response = admin_client.post(url, follow=True)
        assert "được giữ lại cùng kết quả" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_quiz_slot_must_say_what_to_draw(admin_client):
    response = admin_client.post(
        "/admin/snippets/assessments/quiz/add/",
        {
            "title": "Thiếu câu hỏi",
            "slots-TOTAL_FORMS": "1",
            "slots-INITIAL_FORMS": "0",
            "slots-MIN_NUM_FORMS": "1",
            "slots-MAX_NUM_FORMS": "1000",
            "slots-0-count": "1",
            "slots-0-ORDER": "1",
            "attempts_allowed": "0",
            "grading_method": "highest",
            "pass_mark": "50",
            "show_feedback": "after_submit",
            "show_correct_answers": "after_final",
        },
    )
    assert "Hãy chọn một câu hỏi, hoặc một danh mục" in response.content.decode()


def test_essays_of_learners_in_no_class_are_graded_in_the_admin(admin_client):
    from assessments import services
    from assessments.models import Attempt
    from tests.factories import UserFactory

    bank = sample_questions()
    quiz = quiz_of([bank["DVC-04"]])
    learner = UserFactory(full_name="Đinh Thị Tự Học")
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_submit(attempt=attempt, responses={1: {"text": "Khai sinh trực tuyến"}})
    queue = admin_client.get("/admin/cau-hoi/cham-tu-luan/").content.decode()
    assert "Đinh Thị Tự Học" in queue
    essay = attempt.answers.get()
    page = admin_client.get(f"/admin/cau-hoi/cham-tu-luan/{essay.pk}/").content.decode()
    assert "Khai sinh trực tuyến" in page
    admin_client.post(f"/admin/cau-hoi/cham-tu-luan/{essay.pk}/", {"mark": "1"})
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.percent == 100
    assert admin_client.get(f"/admin/cau-hoi/cham-tu-luan/{essay.pk}/").status_code == 404


def _question_form(**fields):
    data = {
        "category": "",
        "qtype": "true_false",
        "name": "Câu mới",
        "text_format": "html",
        "default_mark": "1",
        "text": "<p>Câu hỏi?</p>",
        "shuffle_answers": "on",
        "answers-TOTAL_FORMS": "0",
        "answers-INITIAL_FORMS": "0",
        "answers-MIN_NUM_FORMS": "0",
        "answers-MAX_NUM_FORMS": "1000",
        "pairs-TOTAL_FORMS": "0",
        "pairs-INITIAL_FORMS": "0",
        "pairs-MIN_NUM_FORMS": "0",
        "pairs-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def _answers(*rows):
    data = {"answers-TOTAL_FORMS": str(len(rows))}
    for index, (text, fraction) in enumerate(rows):
        data |= {
            f"answers-{index}-text": text,
            f"answers-{index}-fraction": fraction,
            f"answers-{index}-feedback": "",
            f"answers-{index}-tolerance": "",
            f"answers-{index}-ORDER": str(index + 1),
        }
    return data


@pytest.mark.parametrize(
    ("qtype", "rows", "message"),
    [
        ("true_false", [("Đúng", "1"), ("Sai", "0")], "Câu đúng/sai có đúng hai đáp án"),
        ("single_choice", [("A", "0"), ("B", "0")], "Câu trắc nghiệm cần ít nhất hai lựa chọn"),
        ("numerical", [("mười hai", "1")], "Hãy viết một số"),
        ("short_answer", [("VNeID", "0")], "Hãy cho ít nhất một đáp án"),
    ],
)
def test_the_editor_refuses_questions_that_could_not_be_graded(admin_client, qtype, rows, message):
    from assessments.services import category_ensure

    category = category_ensure(bank=QuestionBank.objects.create(name="Soạn tay"), parts=("A",))
    data = _question_form(category=str(category.pk), qtype=qtype, **_answers(*rows))
    response = admin_client.post("/admin/snippets/assessments/question/add/", data)
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_the_editor_saves_a_numerical_answer_written_with_a_comma(admin_client):
    from assessments.services import category_ensure

    category = category_ensure(bank=QuestionBank.objects.create(name="Soạn tay"), parts=("A",))
    data = _question_form(category=str(category.pk), qtype="numerical", **_answers(("3,5", "1")))
    response = admin_client.post("/admin/snippets/assessments/question/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Question.objects.get().answers.get().text == "3.5"
