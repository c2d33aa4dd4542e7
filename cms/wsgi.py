import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()


def _warm() -> None:
    """Import the URL map (and with it every view and Wagtail's admin) now, not on each
    worker's first request: gunicorn preloads this module (``gunicorn.conf.py``), so its
    workers, recycled every 20,000 requests, start with it in memory they share."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point


_warm()
