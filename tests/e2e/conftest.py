import os
import shutil
import time

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
    yield
    _requests_finished()


def _requests_finished(seconds: float = 10) -> None:
    """Wait (after the phone is closed) until no request of the live server is still in the
    database: on PostgreSQL the flush's TRUNCATE deadlocked with an H5P statement the player
    had sent as the test ended, and the next test found the last one's rows."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite's tests run one writer at a time
    deadline, quiet = time.monotonic() + seconds, 0
    with connection.cursor() as cursor:
        while quiet < 3 and time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            quiet = quiet + 1 if cursor.fetchone()[0] == 0 else 0
            time.sleep(0.1)


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
