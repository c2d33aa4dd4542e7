"""Tasks wait for the commit, and (with Redis) really travel through a worker process."""

import time

import pytest
from django.db import transaction

from cms import celery_app
from cms.models import WorkerHeartbeat
from cms.tasks import worker_heartbeat


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
