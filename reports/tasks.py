"""Celery adapters for the coverage rollup. Each may run twice: counts are replaced, not added."""

from celery import shared_task
from django.conf import settings

from . import services
from .models import Standard

LONG = {
    "time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT - 100,
}


@shared_task(**LONG)
def rollup_pending() -> None:
    services.rollup_pending()


@shared_task(**LONG)
def rebuild_standard(standard_id: int) -> None:
    standard = Standard.objects.filter(pk=standard_id).first()
    if standard is not None:
        services.coverage_rebuild(standards=[standard])


@shared_task(**LONG)
def rebuild() -> None:
    """Nightly: expired certificates leave the counts, and any drift is corrected."""
    services.coverage_rebuild()


@shared_task(**LONG)
def build_export(export_id: int) -> None:
    from . import exports

    try:
        exports.export_build(export_id=export_id)
    except Exception as failure:
        exports.export_fail(export_id=export_id, error=f"{type(failure).__name__}: {failure}")
        raise
