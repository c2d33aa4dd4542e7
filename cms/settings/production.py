"""Production: everything from the environment; refuses to start without a secret key."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY chưa được đặt hoặc quá ngắn (cần ít nhất 50 ký tự). "
        "SECRET_KEY is missing or shorter than 50 characters: set it in the environment."
    )

# Without these, production would quietly fall back to the embedded defaults (SQLite inside
# the image, a per-process cache, tasks in the web process, email printed to a log), which
# `check --deploy` does not notice.
_missing = [
    name
    for name in (
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "SITE_URL",
        "H5P_CONTENT_ORIGIN",
        "NATIONAL_ID_KEY",
    )
    if not env(name, default="")
]
if _missing:
    raise ImproperlyConfigured(
        f"Thiếu biến môi trường bắt buộc: {', '.join(_missing)}. "
        f"Missing required environment variables: {', '.join(_missing)}."
    )

DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# The H5P content host is served by the same processes (see cms.middleware).
ALLOWED_HOSTS.append(urlsplit(H5P_CONTENT_ORIGIN).hostname)  # noqa: F405
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The H5P content host is a subdomain of the site, and its scripts could set a cookie for
# the whole domain ("cookie tossing") to log a learner into someone else's account.
# Browsers refuse a __Host- cookie that names a domain, so these can only come from us.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_NAME = "__Host-django_language"
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Static files straight from gunicorn, compressed and cached forever by hashed name.
MIDDLEWARE.insert(  # noqa: F405
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# Documents (lesson videos among them) go through Wagtail's view, which checks privacy, and
# are then handed to nginx with X-Accel-Redirect: nginx answers Range requests (phones need
# them to play and seek video) and gunicorn workers are not tied up streaming files.
if env.bool("SENDFILE_NGINX", default=False):
    SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    SENDFILE_ROOT = str(MEDIA_ROOT)  # noqa: F405
    SENDFILE_URL = "/protected-media"

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405
