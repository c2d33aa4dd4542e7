"""On PostgreSQL with Redis and a real worker (CI's second step): concurrent completions give
one certificate, serials never repeat, and a completion is certified by the worker."""

import socket
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from accounts.models import OutgoingEmail
from certificates import services, tasks
from certificates.models import Certificate, CertificateEvent
from cms.celery import app as celery_app
from tests.factories import UserFactory

from .conftest import complete


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time, so there is no race to test; "
            "CI's second step runs this on PostgreSQL"
        )


def _at_once(calls) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_for_one_learner_give_one_certificate(armed_course):
    _postgres_only()
    page, _lessons = armed_course
    learner = UserFactory()
    calls = [lambda: services.certificate_issue(user=learner, course=page)] * 4
    assert _at_once(calls) == []
    assert Certificate.objects.filter(user=learner).count() == 1
    assert Certificate.objects.get().serial.endswith("-000001")  # no number lost to the race


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_for_many_learners_get_distinct_consecutive_serials(armed_course):
    _postgres_only()
    page, _lessons = armed_course
    learners = [UserFactory() for _ in range(6)]
    calls = [
        (lambda user=user: services.certificate_issue(user=user, course=page)) for user in learners
    ]
    assert _at_once(calls) == []
    numbers = sorted(int(s[-6:]) for s in Certificate.objects.values_list("serial", flat=True))
    assert numbers == list(range(1, 7))


@pytest.mark.django_db(transaction=True)
def test_workers_taking_overlapping_batches_at_once_issue_each_certificate_once(
    armed_course, monkeypatch
):
    _postgres_only()
    page, lessons = armed_course
    queue = []  # the broker: each completion's task waits here
    monkeypatch.setattr(
        tasks, "issue_when_committed", lambda pk: queue.append({"completion_id": pk})
    )
    learners = [UserFactory(email=f"hv{n}@example.vn") for n in range(8)]
    for user in learners:
        complete(user, page, lessons)
    assert len(queue) == len(learners) and not Certificate.objects.exists()
    # Four workers take a task each at the same moment; each task's batch reaches into the
    # completions the others' batches take.
    calls = [(lambda kw=kw: services.completion_certify(**kw)) for kw in queue[::2]]
    assert _at_once(calls) == []
    for kw in queue:  # the rest of the queue, as the workers go on
        services.completion_certify(**kw)
    issued = Certificate.objects.order_by("serial")
    assert sorted(c.user_id for c in issued) == sorted(user.pk for user in learners)
    assert [int(c.serial[-6:]) for c in issued] == list(range(1, 9))
    assert all(c.pdf and c.notified_at for c in issued)
    assert CertificateEvent.objects.count() == len(learners)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in learners)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_issues_the_certificate_of_a_completion(armed_course, real_worker):
    page, lessons = armed_course
    learner = UserFactory(full_name="Lò Thị Mây")
    complete(learner, page, lessons)
    deadline = time.monotonic() + 60
    certificate = None
    while time.monotonic() < deadline:
        certificate = Certificate.objects.filter(user=learner, notified_at__isnull=False).first()
        if certificate is not None or real_worker.poll() is not None:
            break
        time.sleep(0.5)
    assert certificate is not None, "the worker issued no certificate within 60 s"
    assert certificate.pdf and certificate.holder_name == "Lò Thị Mây"


def _certified(learner, worker, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and worker.poll() is None:
        found = Certificate.objects.filter(user=learner, notified_at__isnull=False).first()
        if found is not None:
            return found
        time.sleep(0.3)
    return None


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_its_connection_and_recovers_when_the_database_drops_it(
    armed_course, real_worker
):
    page, lessons = armed_course
    first, second, third = (UserFactory(email=f"hv{n}@example.vn") for n in range(3))

    def worker_backends() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            return {pid for (pid,) in cursor.fetchall()}

    complete(first, page, lessons)
    assert _certified(first, real_worker), "the worker issued no certificate within 60 s"
    kept = worker_backends()
    assert len(kept) == 1, "the worker's connection was closed after its tasks"
    complete(second, page, lessons)
    assert _certified(second, real_worker)
    # The certificate, its email and the recount ran on the connection already open.
    assert worker_backends() == kept
    # PostgreSQL restarts, or an administrator ends the worker's sessions: the next
    # completion is still certified (the broken connection is dropped, the task retried).
    with connection.cursor() as cursor:
        for pid in kept:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    complete(third, page, lessons)
    certificate = _certified(third, real_worker, seconds=90)
    assert certificate is not None, "no certificate after the worker's connection was cut"
    assert certificate.pdf


@pytest.mark.django_db(transaction=True)
def test_in_a_rush_the_worker_drops_the_tasks_a_batch_settled(armed_course, real_worker):
    page, lessons = armed_course
    learners = [UserFactory(email=f"hv{n}@example.vn") for n in range(5)]
    with transaction.atomic():  # they finish at once: their tasks are sent together
        completions = [complete(user, page, lessons) for user in learners]
    for user in learners:
        assert _certified(user, real_worker), f"no certificate for {user} within 60 s"
    # The first task issued all five; the worker was told to drop the other four unrun.
    worker = f"roundtrip@{socket.gethostname()}"
    revoked = celery_app.control.inspect(destination=[worker], timeout=5).revoked() or {}
    assert {tasks.completion_task_id(c.pk) for c in completions[1:]} <= set(revoked[worker])
    assert tasks.completion_task_id(completions[0].pk) not in revoked[worker]
    issued = Certificate.objects.order_by("serial")
    assert [c.user_id for c in issued] == [user.pk for user in learners]
    assert all(c.pdf for c in issued)
    assert CertificateEvent.objects.count() == len(learners)
    assert sorted(e.to[0] for e in OutgoingEmail.objects.all()) == sorted(u.email for u in learners)
