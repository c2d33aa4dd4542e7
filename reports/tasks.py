"""Celery adapters for the coverage rollup. Each may run twice: counts are replaced, not added."""

from celery import shared_task
from django.conf import settings

from . import services
from .models import Standard

LONG = settings.CELERY_LONG_TASK


@shared_task(**LONG)
def rollup_pending() -> None:
    services.rollup_pending()


@shared_task(bind=True, max_retries=12, **LONG)
def rebuild_standard(self, standard_id: int) -> None:
    standard = Standard.objects.filter(pk=standard_id).first()
    if standard is not None and not services.coverage_rebuild(standards=[standard]):
        raise self.retry(countdown=120)  # a rollup held the lock; come back


@shared_task(bind=True, max_retries=12, **LONG)
def rebuild(self) -> None:
    """Nightly: any drift is corrected (expiries are the rollup's, within the minute)."""
    if not services.coverage_rebuild():
        raise self.retry(countdown=120)


@shared_task(**LONG)
def build_export(export_id: int) -> None:
    from . import exports

    try:
        exports.export_build(export_id=export_id)
    except Exception as failure:
        exports.export_fail(export_id=export_id, error=f"{type(failure).__name__}: {failure}")
        raise
