import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium")
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which trips Django's async
    # guard for the fixtures' database work; the live server runs in a thread of its own.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _site(transactional_db):
    """Transactional tests empty the database afterwards, migration data included."""
    from cms.services import default_site_ensure

    default_site_ensure()


def phone_at(browser, base_url: str):
    """A 360-px-wide phone with Vietnamese browser settings, pointed at ``base_url``
    (a page; close its context when done)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", base_url=base_url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def phone(browser, live_server):
    """A phone pointed at the live server."""
    page = phone_at(browser, live_server.url)
    yield page
    page.context.close()
