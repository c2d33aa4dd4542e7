"""gunicorn's settings, one copy: the Docker image and the benchmarks both start from here.

gunicorn reads ``gunicorn.conf.py`` from the folder it starts in; ``bench/`` passes it with
``-c`` for the wagtail-lms comparison, so that both sides run under the same settings.
Every value can be changed from the environment without rebuilding the image.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two cores: three sync workers keep both busy while one waits on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The application is loaded once, before the workers fork: a replaced worker starts in
# milliseconds instead of importing Django and Wagtail again (a second of CPU each time),
# and the workers share the loaded code's memory.
preload_app = True
# A worker is replaced after about 20,000 requests, so that a slow leak cannot grow forever;
# at 2,000 a busy worker was replaced every few seconds.
max_requests = 20000
max_requests_jitter = 2000
timeout = 60
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
