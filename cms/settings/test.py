"""The test suite. Embedded by default; CI sets DATABASE_URL and REDIS_URL for real services."""

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/hvs-test-media")
if REDIS_URL:
    # A database of its own so a test run never touches a developer's cached pages.
    CACHES["default"]["KEY_PREFIX"] = "hvs-test"
