"""Attempts as the server runs them: drawing questions, grading methods, essays, analysis,
the skill profile, and submits that race each other (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from assessments import services
from assessments.models import Attempt, Question, QuestionCategory, Quiz, QuizGrade, QuizSlot
from assessments.selectors import item_analysis, skill_profile
from assessments.services import framework_load_shipped
from tests.factories import UserFactory, quiz_of, sample_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db):
    framework_load_shipped()
    return sample_questions()


def answer_all(attempt, *, right: bool):
    """Respond to every slot, rightly or wrongly, through the same service the page uses."""
    responses = {}
    for row in attempt.answers.select_related("question"):
        question = row.question
        texts = {a.pk: (a.text, a.fraction) for a in question.answers.all()}
        kind = question.qtype
        if kind in ("single_choice", "true_false"):
            best = max(texts.values(), key=lambda item: item[1] if right else -item[1])
            index = [texts[pk] for pk in row.layout["choices"]].index(best)
            responses[row.slot] = {"choice": index}
        elif kind == "multiple_choice":
            picks = [i for i, pk in enumerate(row.layout["choices"]) if (texts[pk][1] > 0) == right]
            responses[row.slot] = {"choices": picks}
        elif kind in ("short_answer", "numerical"):
            responses[row.slot] = {"text": question.answers.first().text if right else "sai"}
        elif kind == "matching":
            pairs = {p.pk: p.answer for p in question.pairs.all()}
            options = row.layout["options"]
            chosen = {}
            for position, pk in enumerate(row.layout["prompts"]):
                target = options.index(pairs[pk])
                chosen[str(position)] = target if right else (target + 1) % len(options)
            responses[row.slot] = {"pairs": chosen}
        elif kind == "essay":
            responses[row.slot] = {"text": "Tôi sẽ nộp hồ sơ cấp đổi căn cước trực tuyến."}
    return services.attempt_submit(attempt=attempt, responses=responses)


def test_random_slots_draw_from_a_category_and_its_subcategories_without_repeats(bank):
    parent = QuestionCategory.objects.get(path="Kỹ năng số cơ bản")
    quiz = Quiz.objects.create(title="Ngẫu nhiên")
    QuizSlot.objects.create(quiz=quiz, question=bank["ATM-01"], sort_order=0)
    QuizSlot.objects.create(quiz=quiz, random_category=parent, count=20, sort_order=1)
    attempt = services.attempt_start(user=UserFactory(), quiz=quiz)
    drawn = list(attempt.answers.values_list("question_id", flat=True))
    # All 8 questions of the sample bank sit in the two subcategories; each comes once.
    assert sorted(drawn) == sorted(q.pk for q in bank.values())
    only_parent = Quiz.objects.create(title="Chỉ danh mục cha")
    QuizSlot.objects.create(
        quiz=only_parent, random_category=parent, include_subcategories=False, count=3
    )
    with pytest.raises(services.AttemptError, match="chưa có câu hỏi"):
        services.attempt_start(user=UserFactory(), quiz=only_parent)


def test_random_slots_draw_by_competence_and_level(bank):
    from assessments.models import Competence

    quiz = Quiz.objects.create(title="Theo năng lực")
    QuizSlot.objects.create(
        quiz=quiz,
        random_competence=Competence.objects.get(code="4.2", framework__is_current=True),
        random_level=2,
        count=5,
    )
    attempt = services.attempt_start(user=UserFactory(), quiz=quiz)
    ids = {q.idnumber for q in Question.objects.filter(attempt_answers__attempt=attempt)}
    assert ids == {"ATM-01", "ATM-03"}


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 100), ("last", 0), ("first", 100), ("average", 50)],
)
def test_grading_method_decides_the_grade_that_counts(bank, method, expected):
    learner = UserFactory()
    quiz = quiz_of([bank["ATM-01"], bank["ATM-02"]], grading_method=method)
    answer_all(services.attempt_start(user=learner, quiz=quiz), right=True)
    answer_all(services.attempt_start(user=learner, quiz=quiz), right=False)
    grade = QuizGrade.objects.get(user=learner, quiz=quiz)
    assert grade.percent == expected and grade.attempts_graded == 2
    assert grade.passed == (expected >= 50)


def test_an_essay_waits_for_the_teacher_then_the_grade_counts(bank):
    learner, teacher = UserFactory(), UserFactory()
    quiz = quiz_of([bank["ATM-01"], bank["DVC-04"]], pass_mark=Decimal(75))
    attempt = answer_all(services.attempt_start(user=learner, quiz=quiz), right=True)
    assert attempt.state == Attempt.State.NEEDS_GRADING and attempt.percent is None
    assert not QuizGrade.objects.filter(user=learner).exists()
    essay = attempt.answers.get(question=bank["DVC-04"])
    with pytest.raises(services.AttemptError, match="Điểm phải từ 0 đến 1"):
        services.answer_grade(answer=essay, mark=Decimal(2), grader=teacher)
    graded = services.answer_grade(
        answer=essay, mark=Decimal("0.5"), grader=teacher, comment="Nêu thêm lý do."
    )
    assert graded.state == Attempt.State.GRADED and graded.percent == 75 and graded.passed
    essay.refresh_from_db()
    assert essay.graded_by == teacher and essay.grader_comment == "Nêu thêm lý do."


def test_item_analysis_shows_which_questions_are_easy_and_which_discriminate(bank):
    quiz = quiz_of([bank["ATM-01"], bank["ATM-02"], bank["ATM-04"]])
    # Three strong learners get everything right; three weak ones get only the OTP question.
    for _strong in range(3):
        answer_all(services.attempt_start(user=UserFactory(), quiz=quiz), right=True)
    for _weak in range(3):
        attempt = services.attempt_start(user=UserFactory(), quiz=quiz)
        answer_all(attempt, right=False)
        row = attempt.answers.get(question=bank["ATM-02"])
        row.fraction, row.awarded = Decimal(1), row.mark
        row.save()
    analysis = item_analysis(quiz=quiz)
    rows = {row.question.idnumber: row for row in analysis.rows}
    assert analysis.attempts == 6
    assert rows["ATM-02"].facility == 1.0 and rows["ATM-02"].discrimination is None
    assert rows["ATM-01"].facility == 0.5 and rows["ATM-01"].discrimination > 0.9


def test_skill_profile_levels_come_from_graded_answers(bank):
    learner = UserFactory()
    quiz = quiz_of([bank["ATM-02"], bank["ATM-01"], bank["ATM-04"], bank["DVC-01"]])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    responses = {}
    for row in attempt.answers.select_related("question"):
        if row.question.idnumber == "ATM-02":
            responses[row.slot] = {"choice": 1}  # level 1, right
        if row.question.idnumber == "ATM-01":
            texts = {a.pk: a.text for a in row.question.answers.all()}
            order = [texts[pk] for pk in row.layout["choices"]]
            responses[row.slot] = {"choice": order.index("Ngua-Vang-7-Song!")}  # level 2, right
        if row.question.idnumber == "ATM-04":
            responses[row.slot] = {"text": "3"}  # level 3, wrong
        if row.question.idnumber == "DVC-01":
            responses[row.slot] = {"text": "vneid"}  # 2.3 at level 1, right
    services.attempt_submit(attempt=attempt, responses=responses)
    levels = {
        row.competence.code: row for domain in skill_profile(user=learner) for row in domain.rows
    }
    assert levels["4.2"].level == 2 and levels["4.2"].evidence == 3
    assert levels["2.3"].level == 1
    assert levels["1.1"].level == 0 and levels["1.1"].evidence == 0
    assert len(levels) == 24


def test_skill_profile_page_reads_on_a_phone(client, bank, learner):
    client.force_login(learner)
    html = client.get("/hoc-tap/ho-so-nang-luc-so/").content.decode()
    assert "Hồ sơ năng lực số" in html and "Chưa có kết quả" in html
    assert "Bảo vệ dữ liệu cá nhân và quyền riêng tư" in html
    assert html.count('class="skill-bar"') == 24


def test_skill_profile_needs_a_login(client):
    assert client.get("/hoc-tap/ho-so-nang-luc-so/").status_code == 302


def _race(target, count: int):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time, so there is no race to test; "
            "CI's second step runs this on PostgreSQL"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_count_the_attempt_once():
    _needs_postgresql()
    framework_load_shipped()
    bank = sample_questions()
    learner = UserFactory()
    quiz = quiz_of([bank["ATM-01"], bank["ATM-02"]], grading_method="average")
    attempt = services.attempt_start(user=learner, quiz=quiz)
    results, errors = _race(lambda: services.attempt_submit(attempt=attempt, responses={}), 6)
    assert errors == []
    assert {result.pk for result in results} == {attempt.pk}
    grade = QuizGrade.objects.get(user=learner, quiz=quiz)
    assert grade.attempts_graded == 1
    assert Attempt.objects.filter(user=learner, state=Attempt.State.GRADED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_make_one_attempt_and_respect_the_limit():
    _needs_postgresql()
    framework_load_shipped()
    bank = sample_questions()
    learner = UserFactory()
    quiz = quiz_of([bank["ATM-01"]], attempts_allowed=1)
    results, errors = _race(lambda: services.attempt_start(user=learner, quiz=quiz), 6)
    assert errors == []
    assert len({result.pk for result in results}) == 1
    assert Attempt.objects.filter(user=learner, quiz=quiz).count() == 1


def test_beat_closes_abandoned_attempts_through_the_task(bank, settings, on_commit):
    from datetime import timedelta

    from django.utils import timezone

    from assessments import tasks

    assert settings.CELERY_BEAT_SCHEDULE["close-overdue-attempts"]["task"] == (
        "assessments.tasks.close_overdue_attempts"
    )
    learner = UserFactory()
    quiz = quiz_of([bank["ATM-02"]], time_limit_minutes=5)
    attempt = services.attempt_start(
        user=learner, quiz=quiz, now=timezone.now() - timedelta(minutes=30)
    )
    with on_commit():
        tasks.close_overdue_attempts.delay()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.closed_by_timer
    assert QuizGrade.objects.get(user=learner, quiz=quiz).percent == 0


@pytest.mark.django_db(transaction=True)
def test_a_teacher_grading_while_the_learner_submits_again_counts_both_attempts(monkeypatch):
    """A teacher marks the essay of attempt 1 at the moment the learner submits attempt 2:
    the grade (average) counts both, whichever commits first."""
    _needs_postgresql()
    from assessments.services import attempts

    framework_load_shipped()
    bank = sample_questions()
    learner, teacher = UserFactory(), UserFactory()
    quiz = quiz_of([bank["ATM-01"], bank["DVC-04"]], grading_method="average")
    first = answer_all(services.attempt_start(user=learner, quiz=quiz), right=True)
    essay = first.answers.get(question=bank["DVC-04"])
    second = services.attempt_start(user=learner, quiz=quiz)
    # Both gradings reach the grade together, each with its own attempt written.
    meet = threading.Barrier(2)
    real = attempts.grade_update

    def grade_update_together(**kwargs):
        meet.wait(timeout=10)
        real(**kwargs)

    monkeypatch.setattr(attempts, "grade_update", grade_update_together)
    calls = iter(
        [
            lambda: services.answer_grade(answer=essay, mark=essay.mark, grader=teacher),
            lambda: services.attempt_submit(attempt=second, responses={}),  # nothing right
        ]
    )
    results, errors = _race(lambda: next(calls)(), 2)
    assert errors == []
    assert sorted(result.percent for result in results) == [0, 100]
    grade = QuizGrade.objects.get(user=learner, quiz=quiz)
    assert grade.attempts_graded == 2 and grade.percent == 50
