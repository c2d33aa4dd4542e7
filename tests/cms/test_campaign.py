"""The campaign portal: sections with their own editors and approvers, articles through
moderation, feeds that grassroots systems re-post from, sharing meta, search without
diacritics, cache headers and purges, and the accessibility rules editors must meet."""

import json
import time
from datetime import timedelta

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from cms import services
from cms.models import ArticlePage, MediaItem, SectionPage
from tests.factories import UserFactory, course_tree, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    return services.default_site_ensure()


@pytest.fixture
def sections(home):
    a = services.section_create(home=home, title="Sở Khoa học và Công nghệ", slug="so-khcn")
    b = services.section_create(home=home, title="UBND phường Trường Vinh", slug="truong-vinh")
    return a, b


def person(username, *groups):
    user = UserFactory(username=username, is_staff=True)
    for group in groups:
        user.groups.add(group)
    return user


def cover():
    from wagtail.images.models import Image

    return Image.objects.create(title="Ảnh bìa", file=get_test_image_file())


def audio():
    return Document.objects.create(
        title="Bản tin phát thanh", file=ContentFile(b"ID3" + b"\0" * 500, name="ban-tin.mp3")
    )


def article(section, *, title="Nghị quyết 57: đột phá phát triển khoa học, công nghệ", **fields):
    page = ArticlePage(
        title=title,
        lead="Toàn tỉnh Nghệ An học tập, quán triệt Nghị quyết 57-NQ/TW về chuyển đổi số.",
        **fields,
    )
    section.add_child(instance=page)
    page.save_revision().publish()
    return page


# --- Sections and moderation ----------------------------------------------------------------


def test_section_editors_cannot_edit_other_sections(client, sections):
    (a, editors_a, _approvers_a), (b, _editors_b, _approvers_b) = sections
    editor = person("bientap.khcn", editors_a)
    own = article(a)
    other = article(b, title="Phường Trường Vinh ra quân chuyển đổi số")
    assert own.permissions_for_user(editor).can_edit()
    assert not other.permissions_for_user(editor).can_edit()
    assert not b.permissions_for_user(editor).can_add_subpage()
    client.force_login(editor)
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{other.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/admin/pages/add/cms/articlepage/{b.pk}/").status_code in (302, 403)
    # …and the page explorer of the other section shows nothing to edit.
    response = client.post(
        f"/admin/pages/{other.pk}/edit/",
        {"title": "Bị sửa trộm", "slug": other.slug, "lead": "x"},
    )
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.draft_title == "Phường Trường Vinh ra quân chuyển đổi số"
    assert other.get_latest_revision().content["title"] == other.draft_title


def test_editors_submit_and_approvers_publish(sections):
    (a, editors, approvers), _b = sections
    editor = person("bientap.khcn", editors)
    approver = person("duyet.khcn", approvers)
    draft = ArticlePage(title="Hội nghị triển khai Nghị quyết 57", lead="Sáng nay…", live=False)
    a.add_child(instance=draft)
    assert not draft.permissions_for_user(editor).can_publish()
    assert draft.permissions_for_user(approver).can_publish()

    workflow = draft.get_workflow()
    assert workflow.name == f"Duyệt tin – Sở Khoa học và Công nghệ (#{a.pk})"
    draft.save_revision(user=editor)
    workflow.start(draft, editor)
    draft.refresh_from_db()
    state = draft.current_workflow_task_state
    assert not draft.live
    assert not state.task.specific.user_can_access_editor(draft, UserFactory(username="ai.do"))
    state.task.specific.on_action(state, approver, "approve")
    draft.refresh_from_db()
    assert draft.live


def test_section_create_is_idempotent(home, sections):
    (a, editors, approvers), _b = sections
    again = services.section_create(home=home, title="Sở Khoa học và Công nghệ", slug="so-khcn")
    assert again == (a, editors, approvers)
    assert editors.page_permissions.count() == 2


# --- Feeds ----------------------------------------------------------------------------------


@pytest.fixture
def news(sections):
    (a, _e, _ap), (b, _e2, _ap2) = sections
    course, _lessons = course_tree(lessons=("Mở đầu",))
    plan = Document.objects.create(
        title="Kế hoạch 295/KH-UBND", file=ContentFile(b"%PDF-1.4", name="ke-hoach-295.pdf")
    )
    first = article(
        a,
        image=cover(),
        image_alt="Hội trường đông kín cán bộ",
        audio=audio(),
        body=[
            ("document", {"document": plan, "description": "Toàn văn kế hoạch"}),
            (
                "youtube",
                {
                    "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                    "title": "Phóng sự",
                    "has_captions": True,
                },
            ),
        ],
    )
    first.tags.add("nghị quyết 57", "chuyển đổi số")
    first.related_courses.add(course)
    first.save_revision().publish()
    second = article(b, title="Phường Trường Vinh: mỗi hộ một người biết dùng VNeID")
    return {"a": a, "b": b, "first": first, "second": second, "course": course}


def test_rss_and_atom_read_back_with_vietnamese_intact(client, news):
    for url in ("/tin-tuc/rss/", "/tin-tuc/atom/"):
        response = client.get(url)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        titles = [entry.title for entry in feed.entries]
        assert "Nghị quyết 57: đột phá phát triển khoa học, công nghệ" in titles
        assert "Phường Trường Vinh: mỗi hộ một người biết dùng VNeID" in titles
        entry = next(e for e in feed.entries if e.title.startswith("Nghị quyết"))
        assert entry.link.startswith("http://testserver/")
        assert "quán triệt" in entry.summary
    section = feedparser.parse(client.get("/tin-tuc/so-khcn/rss/").content)
    assert [entry.title for entry in section.entries] == [news["first"].title]
    assert section.feed.title.startswith("Sở Khoa học và Công nghệ")
    enclosure = section.entries[0].enclosures[0]
    assert enclosure.href.endswith(".mp3") and enclosure.type == "audio/mpeg"
    assert client.get("/tin-tuc/khong-co/rss/").status_code == 404


def test_json_feed_gives_grassroots_systems_what_they_re_post(client, news):
    response = client.get("/tin-tuc/so-khcn/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    (item,) = feed["items"]
    assert item["title"] == news["first"].title
    assert item["summary"].startswith("Toàn tỉnh Nghệ An")
    assert item["image"].startswith("http://testserver/")
    assert item["_binhdan"]["audio"].endswith(".mp3")
    assert item["attachments"][0]["mime_type"] == "audio/mpeg"
    assert set(item["tags"]) == {"nghị quyết 57", "chuyển đổi số"}
    media = {m["role"]: m for m in item["_binhdan"]["media"]}
    assert set(media) == {"image", "audio", "document", "youtube"}
    assert media["document"]["url"].startswith("http://testserver/documents/")
    assert media["document"]["mime_type"] == "application/pdf"
    assert media["youtube"]["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert "Nghị quyết" in response.content.decode()  # not \\u-escaped


def test_the_embed_can_be_framed_anywhere(client, news):
    response = client.get("/tin-tuc/so-khcn/nhung/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert news["first"].title in response.content.decode()
    section_page = client.get(news["a"].url).content.decode()
    assert "/tin-tuc/so-khcn/nhung/" in section_page and "&lt;iframe" in section_page


# --- Pages: sharing, cache headers, query budgets --------------------------------------------


def test_article_has_open_graph_and_share_buttons(client, news):
    html = client.get(news["first"].url).content.decode()
    assert '<meta property="og:title" content="Nghị quyết 57: đột phá' in html
    assert '<meta property="og:description" content="Toàn tỉnh Nghệ An' in html
    assert '<meta property="og:image" content="http://testserver/' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'property="og:url"' in html
    assert "facebook.com/sharer" in html and "share-native" in html
    assert news["course"].title in html  # related course


def test_public_pages_are_cacheable_for_visitors_and_private_when_logged_in(client, news):
    for page in (news["first"], news["a"], Page.objects.get(depth=2)):
        response = client.get(page.url)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    client.force_login(UserFactory(username="hoc.vien"))
    response = client.get(news["first"].url)
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_query_budgets_on_home_section_and_article(client, news, django_assert_max_num_queries):
    # The article has a cover, audio, tags, a related course and a document block.
    for page, budget in ((Page.objects.get(depth=2), 14), (news["a"], 12), (news["first"], 14)):
        client.get(page.url)  # renditions and the site's root paths are made once
        with django_assert_max_num_queries(budget):
            assert client.get(page.url).status_code == 200


def test_publishing_purges_the_article_its_section_and_the_feeds(settings, sections, monkeypatch):
    purged = []
    monkeypatch.setattr(
        "wagtail.contrib.frontend_cache.utils.PurgeBatch.purge",
        lambda batch, **kwargs: purged.extend(batch.urls),
    )
    (a, _e, _ap), _b = sections
    article(a, title="Tin mới")
    assert any(url.endswith("/so-khcn/") for url in purged)
    assert any(url.endswith("/tin-tuc/so-khcn/rss/") for url in purged)
    assert any(url.endswith("/tin-tuc/feed.json") for url in purged)


def test_landing_page_shows_the_headline_figure_news_and_courses(client, news):
    from accounts.services import membership_upsert
    from reports import services as report_services

    province = organisation("NA", "Ủy ban nhân dân tỉnh Nghệ An", "province")
    for n in range(4):
        membership_upsert(
            user=UserFactory(username=f"dan{n}"), organisation=province, target_group="citizen"
        )
    report_services.standard_upsert(
        code="ksc-757", name="Kỹ năng số cơ bản", kind="certificate", courses=[news["course"]]
    )
    report_services.coverage_rebuild()
    html = client.get("/").content.decode()
    assert "Nghệ An đang ở đâu" in html or "Where Nghệ An stands" in html
    assert news["first"].title in html and news["course"].title in html
    assert "<strong>0%</strong>" in html  # nobody holds a certificate yet
    assert "đạt “Kỹ năng số cơ bản” (0/4 người)" in html


# --- Search -----------------------------------------------------------------------------------


def test_search_finds_news_and_courses_with_or_without_diacritics(client, news):
    for query in ("nghi quyet 57", "Nghị quyết 57", "NGHI QUYET"):
        html = client.get("/tim-kiem/", {"q": query}).content.decode()
        assert news["first"].title in html, query
    html = client.get("/tim-kiem/", {"q": "ky nang so"}).content.decode()
    assert news["course"].title in html
    assert "Không tìm thấy" in client.get("/tim-kiem/", {"q": "zzzz"}).content.decode()


# --- Scheduled publishing and accessibility rules ---------------------------------------------


def test_scheduled_article_appears_only_when_its_time_comes(client, sections):
    (a, _e, _ap), _b = sections
    page = ArticlePage(title="Tin hẹn giờ", lead="Sẽ đăng sau.", live=False)
    a.add_child(instance=page)
    page.go_live_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live
    assert "Tin hẹn giờ" not in client.get("/tin-tuc/rss/").content.decode()
    time.sleep(2.2)
    call_command("publish_scheduled")
    assert "Tin hẹn giờ" in client.get("/tin-tuc/rss/").content.decode()


def test_a_cover_image_needs_a_text_alternative(sections):
    (a, _e, _ap), _b = sections
    page = ArticlePage(title="Ảnh không mô tả", lead="x", image=cover())
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert "image_alt" in caught.value.message_dict


def test_media_library_needs_captions_and_text_alternatives(db):
    video = MediaItem(title="Clip VNeID", kind="video", author="Sở KH&CN", licence="cc-by-4.0")
    with pytest.raises(ValidationError) as caught:
        video.full_clean()
    assert {"video", "captions"} <= set(caught.value.message_dict)
    chart = MediaItem(
        title="Infographic 57", kind="infographic", author="Báo Nghệ An", licence="agency"
    )
    chart.image = cover()
    with pytest.raises(ValidationError) as caught:
        chart.full_clean()
    assert "alt_text" in caught.value.message_dict


def test_article_videos_need_captions_or_a_transcript():
    from wagtail.blocks import StructBlockValidationError

    from cms.blocks import CaptionedYouTubeBlock

    block = CaptionedYouTubeBlock()
    value = block.to_python({"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "Clip"})
    with pytest.raises(StructBlockValidationError):
        block.clean(value)
    value = block.to_python(
        {
            "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "title": "Clip",
            "has_captions": True,
        }
    )
    assert block.clean(value)


def test_a_section_added_in_the_admin_gets_its_editors_and_workflow(client, home, superuser):
    from django.contrib.auth.models import Group

    client.force_login(superuser)
    response = client.post(
        f"/admin/pages/add/cms/sectionpage/{home.pk}/",
        {
            "title": "UBND xã Nghi Lộc",
            "slug": "nghi-loc",
            "intro": '{"blocks": [], "entityMap": {}}',
            "action-publish": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    section = SectionPage.objects.child_of(home).get(slug="nghi-loc")
    assert Group.objects.filter(name=f"Biên tập – UBND xã Nghi Lộc (#{section.pk})").exists()
    assert section.get_workflow().name == f"Duyệt tin – UBND xã Nghi Lộc (#{section.pk})"


def test_two_sections_of_the_same_name_never_share_editors(home):
    first, editors_1, _a1 = services.section_create(
        home=home, title="UBND xã Hưng Lợi", slug="hl-1"
    )
    second, editors_2, _a2 = services.section_create(
        home=home, title="UBND xã Hưng Lợi", slug="hl-2"
    )
    assert editors_1 != editors_2
    editor = person("bientap.hl1", editors_1)
    assert not second.permissions_for_user(editor).can_add_subpage()


def test_private_and_unpublished_articles_stay_out_of_every_list(client, news):
    from wagtail.models import PageViewRestriction

    hidden = article(news["a"], title="Tin nội bộ chỉ cho cán bộ")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    draft = ArticlePage(title="Bản nháp chưa duyệt", lead="Chưa đăng.", live=False)
    news["a"].add_child(instance=draft)
    for url in (
        "/tin-tuc/rss/",
        "/tin-tuc/feed.json",
        "/tin-tuc/so-khcn/nhung/",
        "/",
        news["a"].url,
    ):
        body = client.get(url).content.decode()
        assert "Tin nội bộ" not in body and "Bản nháp" not in body, url
    assert "Tin nội bộ" not in client.get("/tim-kiem/", {"q": "noi bo"}).content.decode()
    response = client.get(hidden.url)
    assert response.status_code == 302  # to the login, and never cached as public
    assert "public" not in response.get("Cache-Control", "")


def test_section_editors_may_add_to_the_media_library(sections):
    (_a, editors, _approvers), _b = sections
    editor = person("bientap.thuvien", editors)
    assert editor.has_perm("cms.add_mediaitem") and editor.has_perm("cms.change_mediaitem")
    assert not editor.has_perm("cms.delete_mediaitem")


def test_the_loudspeaker_audio_must_be_sound(sections):
    (a, _e, _ap), _b = sections
    pdf = Document.objects.create(title="Công văn", file=ContentFile(b"%PDF-1.4", name="cv.pdf"))
    page = ArticlePage(title="Tin có âm thanh", lead="x", audio=pdf)
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert "audio" in caught.value.message_dict


def test_an_uploaded_article_video_needs_captions():
    from wagtail.blocks import StructBlockValidationError

    from cms.blocks import CaptionedVideoBlock

    video = Document.objects.create(title="Clip", file=ContentFile(b"\0" * 10, name="clip.mp4"))
    block = CaptionedVideoBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"video": video.pk, "title": "Clip"}))
