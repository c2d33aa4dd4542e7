"""Local development: ``make run``. Embedded defaults, debug on, a fixed dev-only key."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
# The site at hocvuso.localhost and its H5P content at h5p.hocvuso.localhost (base.py).
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", "hocvuso.localhost", ".hocvuso.localhost"],
)
