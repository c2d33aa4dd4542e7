"""The Celery application and the one base class every task uses.

Without ``REDIS_URL`` tasks run eagerly in the web process (no services needed); with it
they go through Redis to a real ``celery worker``.
"""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import task_postrun, task_prerun, worker_process_init
from django.db import OperationalError, close_old_connections, transaction
from redis.exceptions import ConnectionError as RedisConnectionError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")


class OnCommitTask(DjangoTask):
    """A task that is only sent once the surrounding transaction has committed.

    ``delay()`` waits for the commit, so a worker never picks up an id that is not yet in
    the database, and a rolled-back request never sends anything. Transient failures of the
    database, Redis or the network are retried with backoff. Retries, late
    acknowledgement and time limits come from the settings (``CELERY_TASK_*``), so every task
    must be idempotent: it may run again after a worker dies mid-way.
    """

    autoretry_for = (ConnectionError, TimeoutError, RedisConnectionError, OperationalError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def delay(self, *args, **kwargs) -> None:
        self._send_on_commit(args, kwargs)

    def delay_as(self, task_id: str, *args, **kwargs) -> None:
        """``delay`` under an id of the caller's: one that ``revoke`` can name later."""
        self._send_on_commit(args, kwargs, task_id=task_id)

    def _send_on_commit(self, args, kwargs, **options) -> None:
        # robust: the data is committed by now, so a broker outage must not turn the
        # person's request into an error page. It is logged; work that must not be lost
        # (email) has a periodic sweep that sends it again.
        def send() -> None:
            self.apply_async(args, kwargs, **options)

        transaction.on_commit(send, robust=True)


app = Celery("cms", task_cls=OnCommitTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _yield_to_web(**_kwargs) -> None:
    """Worker processes run at a lower CPU priority (``WORKER_NICENESS``, 10 by default), so
    that on a host shared with gunicorn a wave of background work (the certificates, emails
    and recounts of a quiz burst's completions) waits for learners' requests instead of
    slowing them down. Work queued is never lost by this, only done a little later."""
    os.nice(int(os.environ.get("WORKER_NICENESS", "10")))


@task_prerun.connect
@task_postrun.connect
def _connection_kept(task=None, **_kwargs) -> None:
    """A worker keeps its database connection from task to task, as a web process keeps it
    from request to request: closed only when broken or older than ``CONN_MAX_AGE``. Celery's
    Django fix-up would close it around every task (``CELERY_DB_REUSE_MAX`` spaces that out):
    a new PostgreSQL connection is a new server process, and in a rush of certificates,
    a task and an email each, those cost PostgreSQL more CPU than every statement the tasks
    ran. Tasks run eagerly (tests, no Redis) are inside the caller's connection: left alone."""
    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()
