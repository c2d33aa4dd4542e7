"""The Wagtail page editor works under the site's Content-Security-Policy."""

import pytest

from tests.factories import PASSWORD, UserFactory, course_tree

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_opens_a_lesson_with_no_blocked_scripts(browser, live_server):
    course, lessons = course_tree()
    UserFactory(username="bientap", is_staff=True, is_superuser=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.goto("/accounts/login/")
    page.fill("#id_login", "bientap")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(f"/admin/pages/{course.pk}/edit/")
    page.get_by_role("tab", name="Cài đặt").first.click()
    page.goto(f"/admin/pages/{lessons[0].pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert "Định danh điện tử" in page.content()
    context.close()
    assert blocked == []
