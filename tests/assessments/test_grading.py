"""Each question type is scored as a teacher expects, from responses as a learner gives them."""

import random
from decimal import Decimal

import pytest

from assessments import grading
from tests.factories import sample_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(db):
    return sample_questions()


def score(question, raw, rng_seed=1):
    layout = grading.make_layout(question, random.Random(rng_seed))
    response = grading.clean_response(question, layout, raw)
    return grading.grade(question, layout, response).fraction, layout


def position_of(question, layout, text):
    texts = {answer.pk: answer.text for answer in question.answers.all()}
    return next(i for i, pk in enumerate(layout["choices"]) if texts[pk] == text)


def test_single_choice_scores_the_chosen_answer(questions):
    question = questions["ATM-01"]
    layout = grading.make_layout(question, random.Random(3))
    right = position_of(question, layout, "Ngua-Vang-7-Song!")
    wrong = position_of(question, layout, "123456")
    assert grading.grade(question, layout, {"choice": right}).fraction == 1
    assert grading.grade(question, layout, {"choice": wrong}).fraction == 0


def test_multiple_choice_gives_partial_credit_and_takes_marks_away(questions):
    question = questions["ATM-03"]
    layout = grading.make_layout(question, random.Random(5))
    urgent = position_of(question, layout, "Giục chuyển tiền gấp")
    link = position_of(question, layout, 'Gửi đường link lạ để "xác minh"')
    trusted = position_of(question, layout, "Đến từ tổng đài bạn đã lưu và gọi lại kiểm tra được")
    assert grading.grade(question, layout, {"choices": [urgent]}).fraction == Decimal("0.5")
    assert grading.grade(question, layout, {"choices": [urgent, link]}).fraction == 1
    # A wrong tick costs marks, but a question never goes below zero.
    assert grading.grade(question, layout, {"choices": [urgent, link, trusted]}).fraction == 0
    assert grading.grade(question, layout, {"choices": [trusted]}).fraction == 0


def test_true_false(questions):
    question = questions["ATM-02"]
    assert score(question, {"choice": "1"})[0] == 1  # "Sai" (false) is right
    assert score(question, {"choice": "0"})[0] == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("VNeID", 1), ("vneid", 1), ("  VNeID ", 1), ("VN-ID", Decimal("0.5")), ("Zalo", 0), ("", 0)],
)
def test_short_answer_ignores_case_and_accepts_wildcards(questions, typed, expected):
    assert score(questions["DVC-01"], {"text": typed})[0] == expected


@pytest.mark.parametrize(("typed", "expected"), [("số", 1), ("so", 1), ("Số", 1), ("sô", 1)])
def test_short_answer_can_accept_words_typed_without_diacritics(questions, typed, expected):
    assert score(questions["DVC-03"], {"text": typed})[0] == expected


def test_without_the_option_diacritics_must_match(questions):
    question = questions["DVC-03"]
    question.ignore_diacritics = False
    assert score(question, {"text": "so"})[0] == 0
    assert score(question, {"text": "số"})[0] == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 1),
        ("12,0", 1),
        ("8", Decimal("0.5")),
        ("7,5", Decimal("0.5")),
        ("20", 0),
        ("mười", 0),
    ],
)
def test_numerical_accepts_a_decimal_comma_and_a_tolerance(questions, typed, expected):
    assert score(questions["ATM-04"], {"text": typed})[0] == expected


def test_matching_scores_each_pair(questions):
    question = questions["DVC-02"]
    layout = grading.make_layout(question, random.Random(9))
    pairs = {pair.pk: pair for pair in question.pairs.all()}
    options = layout["options"]
    assert "Đăng ký kết hôn tại chỗ" in options  # the extra answer is offered too
    right = {str(i): options.index(pairs[pk].answer) for i, pk in enumerate(layout["prompts"])}
    assert grading.grade(question, layout, {"pairs": right}).fraction == 1
    half = dict(right)
    half["0"] = options.index("Đăng ký kết hôn tại chỗ")
    assert grading.grade(question, layout, {"pairs": half}).fraction == Decimal(2) / 3


def test_essay_waits_for_a_teacher_unless_left_empty(questions):
    question = questions["DVC-04"]
    assert score(question, {"text": "Đăng ký khai sinh cho con"})[0] is None
    assert score(question, {"text": "   "})[0] == 0


@pytest.mark.parametrize(
    "raw",
    [None, {"choice": "99"}, {"choice": "abc"}, {"choice": -1}, "rubbish", {"choices": "x"}],
)
def test_a_response_of_the_wrong_shape_counts_as_no_answer(questions, raw):
    assert score(questions["ATM-01"], raw)[0] == 0


def test_choices_are_shuffled_per_attempt_but_true_false_is_not(questions):
    question = questions["ATM-01"]
    orders = {tuple(grading.make_layout(question, random.Random(s))["choices"]) for s in range(20)}
    assert len(orders) > 1
    tf = questions["ATM-02"]
    assert len({tuple(grading.make_layout(tf, random.Random(s))["choices"]) for s in range(5)}) == 1


def test_wildcards_match_like_moodle_without_hanging_on_many_stars():
    assert grading.wildcard_match("vn*id", "vneid")
    assert grading.wildcard_match("*so", "chuyen doi so")
    assert not grading.wildcard_match("a*b", "axxbc")
    # A regex would backtrack for minutes here; the learner would just see the page hang.
    assert not grading.wildcard_match("*a*a*a*a*a*a*a*b", "a" * 255)
