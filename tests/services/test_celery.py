"""Tasks wait for the commit, and (with Redis) really travel through a worker process."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from cms import celery_app
from cms.models import WorkerHeartbeat
from cms.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_task_sent_inside_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        worker_heartbeat.delay()
        raise RuntimeError("the request failed")
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_task_runs_only_once_the_transaction_has_committed():
    with transaction.atomic():
        worker_heartbeat.delay()
        assert not WorkerHeartbeat.objects.exists()
    assert WorkerHeartbeat.objects.get().beats == 1
    worker_heartbeat.delay()
    assert WorkerHeartbeat.objects.get().beats == 2  # one row per worker, however often


def test_tasks_acknowledge_late_and_have_time_limits():
    assert worker_heartbeat.acks_late is True
    assert worker_heartbeat.reject_on_worker_lost is True
    assert celery_app.conf.task_time_limit and celery_app.conf.task_soft_time_limit


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
    }
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


@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_a_real_worker_lands_in_the_database(real_worker):
    worker_heartbeat.delay()
    deadline = time.monotonic() + 60
    heartbeat = None
    while time.monotonic() < deadline and heartbeat is None:
        heartbeat = WorkerHeartbeat.objects.filter(hostname__startswith="roundtrip@").first()
        if real_worker.poll() is not None:
            pytest.fail(f"the worker died:\n{real_worker.stdout.read()}")
        time.sleep(0.5)
    assert heartbeat is not None, "the task never came back from the worker within 60 s"
    assert heartbeat.beats == 1
