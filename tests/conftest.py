import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import translation

from cms import celery_app

from .factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits and cached pages live in the cache (Redis in CI): start every test clean."""
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /en/ leaves English active in the thread; each test starts in Vietnamese."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _mail_through_the_outbox(settings):
    """pytest-django swaps EMAIL_BACKEND for its test mailbox; keep the outbox in between, so
    tests see mail the way production sends it (delivered to ``mail.outbox`` by the worker)."""
    settings.EMAIL_BACKEND = "accounts.mail.OutboxBackend"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit():`` runs what requests deferred to their commit (emails, tasks, events),
    as production would once the request's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def learner(db):
    return UserFactory(username="nguyenvanan", full_name="Nguyễn Văn An", email="an@example.vn")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="biientap", full_name="Lê Thị Biên Tập", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="quantri", full_name="Quản Trị", is_staff=True, is_superuser=True)


def login(client, login_value: str, password: str = PASSWORD):
    """Log in the way a person does: through allauth's form."""
    return client.post("/accounts/login/", {"login": login_value, "password": password})


@pytest.fixture
def real_worker(db):
    """A `celery worker` process using the same test database and Redis as this test."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_REAL_SERVICES"):
            pytest.fail("REQUIRE_REAL_SERVICES is set but REDIS_URL or PostgreSQL is missing")
        pytest.skip(
            "needs REDIS_URL and a PostgreSQL DATABASE_URL (set by .ci/run's second step); "
            "SQLite's in-memory test database cannot be shared with a worker process"
        )
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        # As in production: the connection is kept between tasks, and what a task queues
        # (an email, a recount, its own retry) goes through the broker.
        "CONN_MAX_AGE": "60",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    celery_app.control.purge()  # nothing an earlier run left behind
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cms",
            "worker",
            "--pool=solo",
            "--hostname=roundtrip@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        # Send only once the worker consumes, or the test would race its start-up.
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(
            destination=[f"roundtrip@{socket.gethostname()}"], timeout=1
        ):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{worker.stdout.read()}")
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        connection.close()
