"""Production settings, plus the floor: the one view the benchmark compares every page with.

Nothing else differs from ``cms.settings.production``: the same middleware, cache, sessions
and database settings, under the same gunicorn settings (``gunicorn.conf.py``).
"""

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
