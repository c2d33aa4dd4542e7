import socket

from celery import shared_task

from . import services


@shared_task(bind=True)
def worker_heartbeat(self) -> None:
    services.heartbeat_record(hostname=self.request.hostname or socket.gethostname())


@shared_task
def publish_scheduled() -> None:
    """Articles (and any page) scheduled by their editors go live on time, not when someone
    next runs the command. Idempotent: Wagtail's command publishes what is due."""
    from django.core.management import call_command

    call_command("publish_scheduled")
