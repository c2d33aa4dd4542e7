"""The test suite. Embedded by default; CI sets DATABASE_URL and REDIS_URL for real services."""

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, env, redis_url_for

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/hvs-test-media")

# Tests exercise behaviour, so tasks run in-process; the tests of the transport itself
# switch eager mode off and start a real worker against the broker below, with this set to
# false so that what the worker queues (emails, recounts, retries) goes through it too.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
if REDIS_URL:
    # Databases of their own, so a test run never flushes a developer's cache or queue.
    CACHES["default"]["LOCATION"] = redis_url_for(REDIS_URL, env.int("REDIS_TEST_CACHE_DB", 3))
    CACHES["default"]["KEY_PREFIX"] = "hvs-test"
    CACHES["renditions"]["LOCATION"] = CACHES["default"]["LOCATION"]
    CELERY_BROKER_URL = redis_url_for(REDIS_URL, env.int("REDIS_TEST_BROKER_DB", 2))
