"""The one place settings read the environment (django-environ)."""

from urllib.parse import urlsplit, urlunsplit

import environ

env = environ.Env()


def redis_url_for(url: str, db: int) -> str:
    """Return ``url`` pointing at Redis database ``db``, whatever database it named before.

    Cache and broker share one ``REDIS_URL`` but must not share a database: a cache flush
    would otherwise drop queued tasks.
    """
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))
