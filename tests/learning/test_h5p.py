"""H5P in a lesson: opening an attempt, the statements the player sends, forged ones, the
grade that counts, the pass mark, lesson progress, low stakes, resume state, and the
content origin that serves the packages.

Statements from ../shared/corpus/xapi/h5p-emitted (captured from the corpus packages in
h5p-standalone) are replayed against the endpoint; those tests skip without the corpus.
"""

import io
import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from assessments import services as assessment
from assessments.models import H5PAttempt, H5PGrade, H5PStatement
from certificates import services as certificates
from certificates.models import Certificate
from courses.models import LessonPage
from learning import selectors as learning_selectors
from learning import services as learning
from learning.models import CourseCompletion, Enrolment, LessonProgress
from tests.certificates.conftest import default_template
from tests.factories import UserFactory, h5p_lesson_for, lesson_with_quiz, quiz_of
from tests.h5p_packages import H5P_CORPUS, XAPI_CORPUS, needs_corpus, package

pytestmark = pytest.mark.django_db

CONTENT_HOST = "h5p.testserver"


@pytest.fixture(autouse=True)
def origins(settings, tmp_path):
    settings.SITE_URL = "http://testserver"
    settings.H5P_CONTENT_ORIGIN = f"http://{CONTENT_HOST}"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings


def activity_from(data: bytes = b"", *, path=None, **fields):
    source = path.open("rb") if path else io.BytesIO(data or package())
    with source:
        version = assessment.h5p_package_import(source=source, filename="goi.h5p")
    activity = version.activity
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save()
    return activity


@pytest.fixture
def setup(db):
    """A course whose first lesson is read and whose second holds one H5P activity."""
    activity = activity_from(pass_mark=Decimal("60"))
    course, lesson, learner = h5p_lesson_for([activity], full_name="Lê Thị Hoa")
    return {"activity": activity, "course": course, "lesson": lesson, "learner": learner}


def url(lesson, activity, action: str) -> str:
    return f"/hoc-tap/bai-hoc/{lesson.pk}/h5p/{activity.pk}/{action}/"


def start(client, lesson, activity):
    return client.post(url(lesson, activity, "bat-dau"), content_type="application/json")


def statement(
    activity, *, raw=None, maximum=None, verb="answered", success=None, sub=None, id=None
):
    data = {
        "actor": {"name": "Ai đó", "mbox": "mailto:ai@example.org"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": activity.iri() + (f"?subContentId={sub}" if sub else "")},
    }
    if id:
        data["id"] = id
    if raw is not None:
        data["result"] = {"score": {"min": 0, "raw": raw, "max": maximum, "scaled": 0}}
        data["result"]["completion"] = True
        if success is not None:
            data["result"]["success"] = success
    return data


def send(client, lesson, activity, attempt, data):
    return client.post(
        url(lesson, activity, "xapi"),
        json.dumps({"attempt": attempt, "statement": data}),
        content_type="application/json",
    )


@pytest.fixture
def playing(client, setup):
    client.force_login(setup["learner"])
    response = start(client, setup["lesson"], setup["activity"])
    assert response.status_code == 200
    setup["attempt"] = response.json()["attempt"]
    setup["client"] = client
    return setup


# --- Opening an attempt -----------------------------------------------------------------------


def test_start_gives_an_attempt_and_a_frame_on_the_content_origin(playing):
    activity = playing["activity"]
    response = start(playing["client"], playing["lesson"], activity)
    data = response.json()
    assert data["attempt"] == playing["attempt"]  # the open attempt is resumed, not doubled
    folder = activity.current.folder
    assert data["frame"] == f"http://{CONTENT_HOST}/h5p-noi-dung/choi/{folder}/"
    assert data["state"] is None
    assert response["Cache-Control"].startswith("max-age=0")


def test_start_refuses_who_may_not_play(client, setup):
    lesson, activity = setup["lesson"], setup["activity"]
    assert start(client, lesson, activity).status_code == 403  # not signed in
    outsider = UserFactory(username="nguoi.ngoai")
    client.force_login(outsider)
    response = start(client, lesson, activity)
    assert response.status_code == 403
    assert response.json()["message"] == "Hãy đăng ký khóa học để làm hoạt động này."
    other = activity_from()
    client.force_login(setup["learner"])
    assert start(client, lesson, other).status_code == 404
    assert not H5PAttempt.objects.exists()


def test_start_refuses_a_locked_lesson(client, db):
    activity = activity_from()
    _course, lesson, learner = h5p_lesson_for([activity], username="chua.hoc", opened=False)
    client.force_login(learner)
    response = start(client, lesson, activity)
    assert response.status_code == 403
    assert response.json()["reason"] == "lesson-locked"


# --- Statements -------------------------------------------------------------------------------


def test_a_scored_statement_grades_the_attempt_and_completes_the_lesson(playing):
    lesson, activity, learner = playing["lesson"], playing["activity"], playing["learner"]
    response = send(
        playing["client"],
        lesson,
        activity,
        playing["attempt"],
        statement(activity, raw=4, maximum=5, success=True),
    )
    data = response.json()
    assert response.status_code == 200
    assert data["graded"] == {"raw": "4", "max": "5", "percent": "80", "passed": True}
    assert data["lesson_completed"] is True
    assert data["attempt"] != playing["attempt"]  # the next attempt is open for a retry
    progress = LessonProgress.objects.get(user=learner, lesson=lesson)
    assert progress.score == Decimal("80.00")
    assert CourseCompletion.objects.filter(user=learner, course=playing["course"]).exists()
    stored = H5PStatement.objects.get(user=learner)
    assert stored.accepted and stored.counted
    assert stored.payload["actor"]["account"]["name"] == str(learner.pk)
    assert uuid.UUID(stored.payload["id"]) == stored.statement_id
    assert "stored" in stored.payload and "timestamp" in stored.payload
    assert stored.payload["actor_claimed"]["mbox"] == "mailto:ai@example.org"


def test_a_maximum_learned_from_a_statement_binds_that_learner_only(playing, client):
    """This package's type defines no maximum: the learner's first scored statement sets it
    for their later ones, and one learner's claim never decides another's score."""
    lesson, activity = playing["lesson"], playing["activity"]
    assert activity.current.max_score is None
    first = send(
        playing["client"],
        lesson,
        activity,
        playing["attempt"],
        statement(activity, raw=1, maximum=5),
    )
    forged = statement(activity, raw=6, maximum=10)
    response = send(playing["client"], lesson, activity, first.json()["attempt"], forged)
    assert response.json()["reason"] == "above-maximum"
    other = UserFactory(username="hoc.vien.khac")
    learning.enrolment_create(user=other, course=playing["course"])
    learning.lesson_complete(
        user=other, lesson=LessonPage.objects.get(pk=lesson.pk).get_prev_sibling().specific
    )
    client.force_login(other)
    attempt = start(client, lesson, activity).json()["attempt"]
    assert send(client, lesson, activity, attempt, forged).json()["graded"]["percent"] == "60"


def test_statements_without_a_score_are_kept_and_change_nothing(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    for verb in ("attempted", "interacted"):
        assert (
            send(
                playing["client"],
                lesson,
                activity,
                playing["attempt"],
                statement(activity, verb=verb),
            ).status_code
            == 200
        )
    sub = statement(activity, raw=1, maximum=1, sub="cau-1")
    assert send(playing["client"], lesson, activity, playing["attempt"], sub).json()["accepted"]
    assert H5PStatement.objects.filter(accepted=True).count() == 3
    assert H5PAttempt.objects.get(pk=playing["attempt"]).is_open
    assert not H5PGrade.objects.exists()


def test_a_statement_resent_after_a_timeout_counts_once(playing):
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    same = statement(activity, raw=1, maximum=2, id=str(uuid.uuid4()))
    first = send(client, lesson, activity, playing["attempt"], same).json()
    again = send(client, lesson, activity, playing["attempt"], same).json()
    assert again["accepted"] and again["duplicate"]
    assert again["attempt"] == first["attempt"]
    assert H5PStatement.objects.filter(accepted=True).count() == 1
    assert H5PAttempt.objects.filter(percent__isnull=False).count() == 1
    assert H5PGrade.objects.get().attempts_graded == 1


@pytest.mark.parametrize(
    "method, expected", [("best", Decimal("100")), ("last", Decimal("50")), ("first", Decimal("0"))]
)
def test_the_grade_that_counts_follows_the_activity_setting(playing, method, expected):
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    activity.grading_method = method
    activity.save()
    attempt = playing["attempt"]
    for raw in (0, 2, 1):
        attempt = send(
            client, lesson, activity, attempt, statement(activity, raw=raw, maximum=2)
        ).json()["attempt"]
    grade = H5PGrade.objects.get(user=playing["learner"])
    assert grade.percent == expected
    assert grade.attempts_graded == 3


def test_below_the_pass_mark_is_graded_but_does_not_complete_the_lesson(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    data = send(
        playing["client"],
        lesson,
        activity,
        playing["attempt"],
        statement(activity, raw=1, maximum=2),
    ).json()
    assert data["graded"]["passed"] is False
    assert data["lesson_completed"] is False
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


def test_failed_never_counts_as_passed(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    forged = statement(activity, raw=2, maximum=2, verb="failed", success=False)
    data = send(playing["client"], lesson, activity, playing["attempt"], forged).json()
    assert data["graded"]["percent"] == "100"
    assert data["graded"]["passed"] is False
    assert not H5PGrade.objects.get().passed


def test_a_course_that_does_not_require_passing_completes_on_any_score(playing):
    course = playing["course"]
    course.quiz_must_pass = False
    course.save_revision().publish()
    lesson, activity = playing["lesson"], playing["activity"]
    data = send(
        playing["client"],
        lesson,
        activity,
        playing["attempt"],
        statement(activity, raw=0, maximum=2),
    ).json()
    assert data["lesson_completed"] is True
    assert LessonProgress.objects.get(lesson=lesson).score == 0


# --- Forged statements are refused and kept, flagged ------------------------------------------


def flagged(reason: str) -> H5PStatement:
    return H5PStatement.objects.get(accepted=False, reason=reason)


def test_a_score_above_the_maximum_is_refused_and_flagged(playing):
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    send(client, lesson, activity, playing["attempt"], statement(activity, raw=0, maximum=1))
    attempt = H5PAttempt.objects.get(finished_at__isnull=True).pk
    response = send(client, lesson, activity, attempt, statement(activity, raw=1000, maximum=1000))
    assert response.status_code == 422
    assert "vượt" in response.json()["message"]
    assert flagged("above-maximum").attempt_id == attempt
    assert H5PAttempt.objects.get(pk=attempt).is_open
    assert H5PGrade.objects.get().percent == 0


def test_a_package_maximum_from_its_content_cannot_be_raised_by_the_browser(client, db):
    """H5P.TrueFalse is worth 1 point whatever a statement claims."""
    needs_corpus()
    activity = activity_from(path=H5P_CORPUS / "H5P.TrueFalse.h5p")
    assert activity.current.max_score == 1
    _course, lesson, learner = h5p_lesson_for([activity], username="hoc.vien")
    client.force_login(learner)
    attempt = start(client, lesson, activity).json()["attempt"]
    response = send(client, lesson, activity, attempt, statement(activity, raw=5, maximum=5))
    assert response.json()["reason"] == "above-maximum"
    assert not H5PGrade.objects.exists()


def test_an_absurd_score_is_refused_and_flagged(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    absurd = statement(activity, raw=10**12, maximum=10**12)
    response = send(playing["client"], lesson, activity, playing["attempt"], absurd)
    assert response.status_code == 422
    assert flagged("malformed-score")
    assert not H5PGrade.objects.exists()


def test_statements_need_the_learners_open_attempt(playing):
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    graded = playing["attempt"]
    send(client, lesson, activity, graded, statement(activity, raw=1, maximum=1))
    late = send(client, lesson, activity, graded, statement(activity, raw=1, maximum=1))
    assert late.status_code == 409
    assert "đã kết thúc" in late.json()["message"]
    assert flagged("attempt-closed").attempt_id == graded
    missing = send(client, lesson, activity, 999_999, statement(activity, raw=1, maximum=1))
    assert missing.status_code == 409
    assert flagged("no-attempt")
    assert H5PAttempt.objects.filter(percent__isnull=False).count() == 1


def test_a_locked_lesson_cannot_be_played_around_its_start(client, db):
    """Without the start (which checks the lesson is open), no state is kept and no
    statement counts."""
    activity = activity_from()
    _course, lesson, learner = h5p_lesson_for([activity], username="di.tat", opened=False)
    client.force_login(learner)
    state = client.post(
        url(lesson, activity, "trang-thai"), {"state": "{}"}, content_type="application/json"
    )
    assert state.status_code == 409
    response = send(client, lesson, activity, None, statement(activity, raw=1, maximum=1))
    assert response.status_code == 409
    assert not H5PAttempt.objects.exists()
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


def test_a_negative_score_is_refused_and_flagged(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    response = send(
        playing["client"],
        lesson,
        activity,
        playing["attempt"],
        statement(activity, raw=-3, maximum=5),
    )
    assert response.status_code == 422
    assert flagged("negative-score")
    assert not H5PGrade.objects.exists()


def test_another_users_attempt_is_refused_and_flagged(playing, client):
    intruder = UserFactory(username="ke.gian")
    learning.enrolment_create(user=intruder, course=playing["course"])
    client.force_login(intruder)
    lesson, activity = playing["lesson"], playing["activity"]
    response = send(
        client, lesson, activity, playing["attempt"], statement(activity, raw=5, maximum=5)
    )
    assert response.status_code == 403
    assert flagged("other-user").user == intruder
    assert H5PAttempt.objects.get(pk=playing["attempt"]).is_open


def test_a_statement_about_another_activity_is_refused_and_flagged(playing):
    other = activity_from()
    lesson, activity = playing["lesson"], playing["activity"]
    response = send(
        playing["client"], lesson, activity, playing["attempt"], statement(other, raw=1, maximum=1)
    )
    assert response.status_code == 403
    assert flagged("other-activity")
    # …and an attempt of this activity cannot be posted to another activity's address.
    response = send(
        playing["client"], lesson, other, playing["attempt"], statement(other, raw=1, maximum=1)
    )
    assert response.status_code == 404
    assert flagged("not-in-lesson")


def test_no_enrolment_is_refused_and_flagged(client, setup):
    outsider = UserFactory(username="khong.dang.ky")
    client.force_login(outsider)
    lesson, activity = setup["lesson"], setup["activity"]
    response = send(client, lesson, activity, 1, statement(activity, raw=1, maximum=1))
    assert response.status_code == 403
    assert flagged("not-enrolled").user == outsider
    assert not H5PGrade.objects.exists()


def test_no_csrf_token_is_refused_and_flagged(playing):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(playing["learner"])
    lesson, activity = playing["lesson"], playing["activity"]
    response = send(
        strict, lesson, activity, playing["attempt"], statement(activity, raw=1, maximum=1)
    )
    assert response.status_code == 403
    assert "Tải lại trang" in response.json()["message"]
    assert flagged("csrf")
    assert not H5PGrade.objects.exists()


def test_a_malformed_statement_is_refused_and_flagged(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    bad = statement(activity, raw=1, maximum=1)
    bad["result"]["score"]["raw"] = "10"
    assert send(playing["client"], lesson, activity, playing["attempt"], bad).status_code == 422
    assert flagged("malformed-score")
    response = playing["client"].post(
        url(lesson, activity, "xapi"), "không phải JSON", content_type="application/json"
    )
    assert response.status_code == 422
    assert H5PStatement.objects.filter(accepted=False).count() == 2


def test_anonymous_statements_are_refused(client, setup):
    lesson, activity = setup["lesson"], setup["activity"]
    response = send(client, lesson, activity, 1, statement(activity, raw=1, maximum=1))
    assert response.status_code == 403
    assert not H5PStatement.objects.exists()


# --- Replaying what the corpus packages emitted ----------------------------------------------


REPLAYS = sorted(XAPI_CORPUS.glob("*.statements.json")) if XAPI_CORPUS.is_dir() else []
# What each capture should come to (raw, max, percent, passed at a 50% pass mark), from the
# answers the capture script gave (SOURCES.md). The sets' captures answered questions inside
# them only, which grade nothing; the essay's "failed" fails it whatever the score.
EXPECTED_REPLAY = {
    "H5P.TrueFalse": (1, 1, 100, True),
    "H5P.MultiChoice": (1, 1, 100, True),
    "H5P.Blanks": (0, 3, 0, False),
    "H5P.DragText": (0, 3, 0, False),
    "H5P.MarkTheWords": (0, 7, 0, False),
    "H5P.Essay": (0, 80, 0, False),
    "H5P.QuestionSet": None,
    "H5P.SingleChoiceSet": None,
}


@pytest.mark.parametrize("path", REPLAYS or [None], ids=lambda p: p.name if p else "none")
def test_corpus_statements_replayed_produce_the_right_scores(client, db, path):
    needs_corpus()
    kind = path.name.split(".statements")[0]  # "H5P.TrueFalse"
    activity = activity_from(path=H5P_CORPUS / f"{kind}.h5p", pass_mark=Decimal("50"))
    expected = EXPECTED_REPLAY[kind]
    _course, lesson, learner = h5p_lesson_for([activity], username="phat.lai")
    client.force_login(learner)
    attempt = start(client, lesson, activity).json()["attempt"]

    emitted = json.loads(path.read_text(encoding="utf-8"))
    prefix = f"http://127.0.0.1:8765/h5p/{kind.split('.', 1)[1]}"
    for item in emitted:
        item = json.loads(json.dumps(item).replace(prefix, activity.iri()))
        response = send(client, lesson, activity, attempt, item)
        assert response.status_code == 200, response.json()
        attempt = response.json()["attempt"]

    assert H5PStatement.objects.filter(accepted=True).count() == len(emitted)
    grade = H5PGrade.objects.filter(user=learner, activity=activity).first()
    if expected is None:  # only questions inside the set were answered: no grade yet
        assert grade is None
        assert H5PAttempt.objects.get(user=learner).is_open
        assert not LessonProgress.objects.filter(user=learner, lesson=lesson).exists()
        return
    raw, maximum, percent, passed = expected
    assert (grade.raw_score, grade.max_score, grade.percent) == (raw, maximum, percent)
    assert grade.passed is passed
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).exists() is passed


# --- Low stakes -------------------------------------------------------------------------------


def test_low_stakes_results_complete_lessons_but_never_earn_a_certificate_alone(
    playing, superuser, on_commit
):
    default_template()
    course = playing["course"]
    course.h5p_low_stakes = True
    course.save_revision().publish()
    certificates.certification_arm(course=course, actor=superuser)
    lesson, activity = playing["lesson"], playing["activity"]
    with on_commit():
        data = send(
            playing["client"],
            lesson,
            activity,
            playing["attempt"],
            statement(activity, raw=5, maximum=5),
        ).json()
    assert data["lesson_completed"] and data["course_completed"]
    assert LessonProgress.objects.get(lesson=lesson).score is None  # out of the average
    assert not learning_selectors.certifies_on_completion(course)
    assert not Certificate.objects.exists()
    assert certificates.backlog_issue(course=course) == 0


def test_low_stakes_course_with_a_quiz_still_certifies(setup):
    course = setup["course"]
    course.h5p_low_stakes = True
    course.save_revision().publish()
    lesson_with_quiz(course, quiz_of([]), slug="kiem-tra")
    assert learning_selectors.certifies_on_completion(course)


# --- Resume state -----------------------------------------------------------------------------


def test_state_is_saved_and_given_back_on_the_next_visit(playing):
    client, lesson, activity = playing["client"], playing["lesson"], playing["activity"]
    saved = client.post(
        url(lesson, activity, "trang-thai"),
        {"state": '{"answers":[0]}'},
        content_type="application/json",
    )
    assert saved.json() == {"saved": True}
    assert start(client, lesson, activity).json()["state"] == '{"answers":[0]}'
    # A replaced package starts afresh: the old state would not fit it.
    send(client, lesson, activity, playing["attempt"], statement(activity, raw=1, maximum=1))
    assessment.h5p_package_import(
        source=io.BytesIO(package()), filename="v2.h5p", activity=activity
    )
    assert start(client, lesson, activity).json()["state"] is None


def test_state_of_absurd_size_is_refused(playing):
    client, lesson, activity = playing["client"], playing["lesson"], playing["activity"]
    response = client.post(
        url(lesson, activity, "trang-thai"),
        {"state": "x" * 300_000},
        content_type="application/json",
    )
    assert response.status_code == 413


# --- The lesson page --------------------------------------------------------------------------


def test_lesson_page_frames_the_content_origin_within_its_query_budget(
    playing, django_assert_max_num_queries
):
    client = playing["client"]
    client.get(playing["lesson"].url)  # the site's root paths are cached after the first
    with django_assert_max_num_queries(12):
        response = client.get(playing["lesson"].url)
    html = response.content.decode()
    assert "data-h5p" in html and 'name="csrfmiddlewaretoken"' in html
    assert f'data-origin="http://{CONTENT_HOST}"' in html
    assert (
        f"frame-src 'self' https://www.youtube-nocookie.com http://{CONTENT_HOST}"
        in response["Content-Security-Policy"]
    )
    assert "learning/h5p.js" in html


def test_lesson_page_shows_the_grade_after_a_reload(playing):
    lesson, activity = playing["lesson"], playing["activity"]
    send(
        playing["client"],
        lesson,
        activity,
        playing["attempt"],
        statement(activity, raw=3, maximum=4),
    )
    html = playing["client"].get(lesson.url).content.decode()
    assert "Điểm của bạn: 75%" in html
    assert "Bạn đã hoàn thành bài học này." in html


# --- The content origin -----------------------------------------------------------------------


def on_content(client, path):
    return client.get(path, HTTP_HOST=CONTENT_HOST)


def test_content_origin_serves_the_player_and_the_package_without_cookies(playing):
    client = playing["client"]  # signed in on the site: its cookies must not matter there
    version = playing["activity"].current
    page = on_content(client, f"/h5p-noi-dung/choi/{version.folder}/")
    assert page.status_code == 200
    assert not page.cookies
    assert "frame-ancestors http://testserver" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    html = page.content.decode()
    assert 'data-parent-origin="http://testserver"' in html
    assert "/h5p-noi-dung/tinh/h5p-standalone/main.bundle.js" in html
    library = on_content(client, f"/h5p-noi-dung/{version.folder}/HVS.Check-1.0/check.js")
    assert library.status_code == 200
    assert library["Content-Type"].startswith("text/javascript")
    assert "max-age=31536000" in library["Cache-Control"]
    assert b"".join(library.streaming_content).startswith(b"H5P.HVSCheck")
    player = on_content(client, "/h5p-noi-dung/tinh/h5p-standalone/frame.bundle.js")
    assert player.status_code == 200
    assert on_content(client, "/h5p-noi-dung/tinh/assessments/h5p-frame.js").status_code == 200


def test_content_origin_serves_nothing_else(playing):
    client = playing["client"]
    version = playing["activity"].current
    for path in (
        "/",
        "/admin/",
        "/hoc-tap/khoa-hoc-cua-toi/",
        f"/h5p-noi-dung/{version.folder}/../../../cms/settings/base.py",
        f"/h5p-noi-dung/{version.folder}/%2e%2e/%2e%2e/secret.json",
        f"/h5p-noi-dung/{uuid.uuid4()}/h5p.json",
        "/h5p-noi-dung/tinh/cms/css/site.css",
        "/h5p-noi-dung/tinh/h5p-standalone/../cms/css/site.css",
    ):
        assert on_content(client, path).status_code == 404, path
    # …and the site does not serve the content.
    assert client.get(f"/h5p-noi-dung/{version.folder}/h5p.json").status_code == 404


def test_a_flood_of_statements_is_slowed_down_and_not_stored(playing, settings):
    settings.H5P_STATEMENT_RATE = "3/m"
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    codes = [
        send(
            client, lesson, activity, playing["attempt"], statement(activity, verb="interacted")
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert H5PStatement.objects.count() == 3


def test_a_flood_to_an_address_that_holds_no_such_activity_is_slowed_down_too(playing, settings):
    settings.H5P_STATEMENT_RATE = "2/m"
    other = activity_from()
    lesson, client = playing["lesson"], playing["client"]
    codes = [
        send(client, lesson, other, playing["attempt"], statement(other)).status_code
        for _ in range(4)
    ]
    assert codes == [404, 404, 429, 429]
    assert H5PStatement.objects.filter(reason="not-in-lesson").count() == 2


def test_a_flood_is_refused_before_anything_is_read_from_the_database(playing, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.H5P_STATEMENT_RATE = "1/m"
    client, activity = playing["client"], playing["activity"]
    answer = json.dumps({"attempt": playing["attempt"], "statement": statement(activity)})
    first = client.post("/hoc-tap/bai-hoc/990001/h5p/990002/xapi/", answer, "application/json")
    assert first.status_code == 404
    with CaptureQueriesContext(connection) as queries:
        flooded = client.post(
            "/hoc-tap/bai-hoc/990003/h5p/990004/xapi/", answer, "application/json"
        )
    assert flooded.status_code == 429
    read = [q["sql"] for q in queries.captured_queries if "h5p" in q["sql"] or "page" in q["sql"]]
    assert read == []


def test_a_learner_whose_enrolment_is_removed_is_refused_at_once(playing):
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    sent = statement(activity, verb="interacted")
    assert send(client, lesson, activity, playing["attempt"], sent).status_code == 200
    assert send(client, lesson, activity, playing["attempt"], sent).status_code == 200
    Enrolment.objects.filter(user=playing["learner"], course=playing["course"]).delete()
    response = send(client, lesson, activity, playing["attempt"], sent)
    assert response.status_code == 403
    assert response.json()["message"] == "Hãy đăng ký khóa học để làm hoạt động này."
    assert flagged("not-enrolled").user == playing["learner"]


def test_unreadable_bodies_are_refused_and_kept_without_a_crash(playing):
    lesson, activity, client = playing["lesson"], playing["activity"], playing["client"]
    for body in (
        '{"attempt": 1, "statement": {"result": {"score": {"raw": NaN}}}}',
        '{"attempt": 1e999, "statement": {}}',
        "[" * 100_000,
    ):
        response = client.post(url(lesson, activity, "xapi"), body, content_type="application/json")
        assert response.status_code in (413, 422), body[:40]
    assert H5PStatement.objects.filter(accepted=False).count() == 3
    assert not H5PGrade.objects.exists()
