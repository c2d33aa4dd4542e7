"""An agency's editor writes an article in the Wagtail admin and submits it; the section's
approver approves it; it appears in the section's feed. Nobody else could publish it."""

import feedparser
import pytest

from cms import services
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def admin_session(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/**")
    return context, page


def rss_titles(browser, live_server) -> list[str]:
    context = browser.new_context(base_url=live_server.url)
    response = context.request.get("/tin-tuc/so-khcn/rss/")
    assert response.status == 200
    feed = feedparser.parse(response.body())
    context.close()
    assert not feed.bozo
    return [entry.title for entry in feed.entries]


def test_article_goes_through_moderation_into_the_section_feed(browser, live_server):
    home = services.default_site_ensure()
    section, editors, approvers = services.section_create(
        home=home, title="Sở Khoa học và Công nghệ", slug="so-khcn"
    )
    UserFactory(username="bientap.khcn", is_staff=True).groups.add(editors)
    UserFactory(username="duyet.khcn", is_staff=True).groups.add(approvers)

    context, page = admin_session(browser, live_server, "bientap.khcn")
    page.goto(f"/admin/pages/add/cms/articlepage/{section.pk}/")
    page.fill("#id_title", "Nghệ An ra quân học tập Nghị quyết 57")
    page.fill("#id_lead", "Hơn 2.000 cán bộ tham gia buổi học trực tuyến đầu tiên.")
    page.get_by_role("button", name="Thao tác khác").click()
    workflow = f"Duyệt tin – Sở Khoa học và Công nghệ (#{section.pk})"
    page.get_by_role("button", name=f"Gửi duyệt theo {workflow}").click()
    page.wait_for_url(lambda url: "/add/" not in url)
    # The editor has no way to publish it themselves.
    assert page.get_by_role("button", name="Xuất bản").count() == 0
    context.close()

    assert rss_titles(browser, live_server) == []  # waiting for the approver

    context, page = admin_session(browser, live_server, "duyet.khcn")
    page.goto("/admin/")
    page.wait_for_load_state("networkidle")
    # "Awaiting your review" on the dashboard: its action menu, then Approve.
    row = page.locator("tr", has_text="Nghệ An ra quân học tập Nghị quyết 57")
    row.locator("[data-w-dropdown-target='toggle']").first.click()
    page.locator("button[data-workflow-action-url*='/approve/']:not([data-launch-modal])").click()
    page.wait_for_load_state("networkidle")
    context.close()

    assert rss_titles(browser, live_server) == ["Nghệ An ra quân học tập Nghị quyết 57"]
