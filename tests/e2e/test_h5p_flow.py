"""On a phone: a learner plays H5P.TrueFalse and H5P.MultiChoice from the corpus inside a
lesson, in sandboxed frames from the content origin; the lesson shows each score and its
completion, and a reload resumes where the learner was."""

import io

import pytest

from assessments import services as assessment
from assessments.models import H5PAttempt, H5PGrade, H5PStatement
from learning.models import LessonProgress
from tests.factories import h5p_lesson_for
from tests.h5p_packages import H5P_CORPUS, corpus_packages, needs_corpus

from .conftest import phone_at
from .test_learner_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def origins(settings, live_server, tmp_path):
    """The site at hocvuso.localhost, the content at h5p.hocvuso.localhost: two origins of
    one site, as in production (a subdomain), served by the one live server. Chromium sends
    *.localhost to this machine."""
    port = live_server.url.rsplit(":", 1)[1]
    settings.SITE_URL = f"http://hocvuso.localhost:{port}"
    settings.H5P_CONTENT_ORIGIN = f"http://h5p.hocvuso.localhost:{port}"
    settings.MEDIA_ROOT = str(tmp_path)
    return settings


@pytest.fixture
def phone_at_site(browser, origins):
    page = phone_at(browser, origins.SITE_URL)
    yield page
    page.context.close()


def imported(name: str):
    path = H5P_CORPUS / name
    with path.open("rb") as source:
        return assessment.h5p_package_import(source=source, filename=name).activity


def test_learner_plays_true_false_and_multichoice_and_resumes(phone_at_site, origins):
    needs_corpus()
    true_false = imported("H5P.TrueFalse.h5p")
    multi = imported("H5P.MultiChoice.h5p")
    _course, lesson, learner = h5p_lesson_for(
        [true_false, multi], username="hocvien.lan", full_name="Trần Thị Lan"
    )

    page = phone_at_site
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    log_in(page, "hocvien.lan")
    page.goto(lesson.url)

    frames = page.locator("iframe.h5p-iframe")
    frames.first.wait_for()
    # Lazy: the second activity loads when it comes near the screen.
    page.locator(".h5p-panel").nth(1).scroll_into_view_if_needed()
    frames.nth(1).wait_for()
    assert frames.first.get_attribute("sandbox") == "allow-scripts allow-same-origin allow-popups"
    assert frames.first.get_attribute("src").startswith(origins.H5P_CONTENT_ORIGIN)

    # H5P.TrueFalse: answer "True" (the right answer) and check.
    tf = page.frame_locator("iframe.h5p-iframe >> nth=0").frame_locator("iframe")
    tf.get_by_role("radio", name="Yes").click()
    tf.get_by_role("button", name="Check").click()
    tf_status = page.locator(".h5p-panel", has_text=true_false.title).locator(".h5p-status")
    tf_status.get_by_text("1/1").wait_for()
    assert "100%" in tf_status.inner_text()

    # H5P.MultiChoice: pick the first answer, reload before checking: the choice is kept.
    mc = page.frame_locator("iframe.h5p-iframe >> nth=1").frame_locator("iframe")
    with page.expect_response(
        lambda r: "/trang-thai/" in r.url and "[0]" in (r.request.post_data or "") and r.ok
    ):
        mc.get_by_text("Very dark purple").click()
    page.reload()
    page.locator(".h5p-panel").nth(1).scroll_into_view_if_needed()
    mc = page.frame_locator("iframe.h5p-iframe >> nth=1").frame_locator("iframe")
    mc.get_by_role("button", name="Check").wait_for()
    chosen = mc.locator(".h5p-answer", has_text="Very dark purple")
    assert chosen.get_attribute("aria-checked") == "true"
    mc.get_by_role("button", name="Check").click()
    mc_status = page.locator(".h5p-panel", has_text=multi.title).locator(".h5p-status")
    mc_status.get_by_text("Bài học này đã hoàn thành.").wait_for()
    assert "1/1" in mc_status.inner_text()

    page.reload()
    page.get_by_text("Bạn đã hoàn thành bài học này.").wait_for()
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).exists()
    assert H5PGrade.objects.get(user=learner, activity=true_false).percent == 100
    assert H5PAttempt.objects.filter(user=learner, percent__isnull=False).count() == 2
    assert not H5PStatement.objects.filter(user=learner, accepted=False).exists()
    assert not problems, problems


def test_demo_activity_plays_and_counts_without_the_corpus(phone_at_site, origins):
    """The demo's own content type (HVS.QuickCheck) plays in the same player: a learner
    answers, gets 2 of 3 (not passed), tries again, gets 3 of 3 and completes the lesson."""
    version = assessment.h5p_package_import(
        source=io.BytesIO(assessment.demo_package()), filename="demo.h5p"
    )
    activity = version.activity
    activity.pass_mark = 100
    activity.save()
    _course, lesson, learner = h5p_lesson_for(
        [activity], username="hocvien.binh", full_name="Phạm Văn Bình"
    )

    page = phone_at_site
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, "hocvien.binh")
    page.goto(lesson.url)
    # The player always nests the content in a frame of its own, on the content origin.
    content = page.frame_locator("iframe.h5p-iframe").frame_locator("iframe")
    items = content.locator(".hvs-qc li")
    items.nth(0).wait_for()
    # A message from anywhere but the content frame (here the page itself) is ignored.
    page.evaluate(
        """iri => window.postMessage({type: "hvs:xapi", statement: {
            verb: {id: "http://adlnet.gov/expapi/verbs/answered"}, object: {id: iri},
            result: {score: {raw: 3, max: 3}}}}, "*")""",
        activity.iri(),
    )
    page.wait_for_timeout(1000)
    assert not H5PStatement.objects.filter(user=learner).exists()
    items.nth(0).get_by_label("Đúng").check()
    items.nth(1).get_by_label("Đúng").check()  # wrong: the police never ask for a transfer
    items.nth(2).get_by_label("Đúng").check()
    content.get_by_role("button", name="Kiểm tra").click()
    status = page.locator(".h5p-status")
    status.get_by_text("2/3").wait_for()
    assert "Chưa đạt" in status.inner_text()

    items.nth(1).get_by_label("Sai").check()
    content.get_by_role("button", name="Kiểm tra").click()
    status.get_by_text("3/3").wait_for()
    status.get_by_text("Bài học này đã hoàn thành.").wait_for()
    assert H5PGrade.objects.get(user=learner, activity=activity).percent == 100
    assert H5PAttempt.objects.filter(user=learner, percent__isnull=False).count() == 2
    assert not problems, problems


PLAYABLE = [p for p in corpus_packages() if p.name != "interactive_book.h5p"]


@pytest.mark.parametrize("path", PLAYABLE or [None], ids=lambda p: p.name if p else "none")
def test_every_corpus_package_plays_in_a_lesson(phone_at_site, origins, path):
    """Each valid package of the corpus starts in the player: its content is initialised in
    the frame, with no script error and nothing blocked by the content security policy."""
    needs_corpus()
    activity = imported(path.name)
    _course, lesson, _learner = h5p_lesson_for([activity], username="nguoi.choi")

    page = phone_at_site
    problems, blocked = [], []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    log_in(page, "nguoi.choi")
    page.goto(lesson.url)
    content = page.frame_locator("iframe.h5p-iframe").frame_locator("iframe")
    content.locator(".h5p-content.h5p-initialized .h5p-container > *").first.wait_for(
        state="attached"
    )
    assert not problems, problems
    # Our own files are never blocked; third-party scripts are, by design (CoursePresentation's
    # Twitter feed asks for platform.twitter.com).
    assert not [m for m in blocked if "hocvuso.localhost" in m], blocked
