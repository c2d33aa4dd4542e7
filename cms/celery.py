"""The Celery application and the one base class every task uses.

Without ``REDIS_URL`` tasks run eagerly in the web process (no services needed); with it
they go through Redis to a real ``celery worker``.
"""

import functools
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")


class OnCommitTask(DjangoTask):
    """A task that is only sent once the surrounding transaction has committed.

    ``delay()`` waits for the commit, so a worker never picks up an id that is not yet in
    the database, and a rolled-back request never sends anything. Retries, late
    acknowledgement and time limits come from the settings (``CELERY_TASK_*``), so every task
    must be idempotent: it may run again after a worker dies mid-way.
    """

    autoretry_for = (ConnectionError, TimeoutError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def delay(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.apply_async, args, kwargs))


app = Celery("cms", task_cls=OnCommitTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
