"""The wagtail-lms side of issue 9's comparison: its virtualenv, its site and its server.

``bench/province.py`` drives both platforms; this module only knows wagtail-lms. It installs
``requirements-wagtail-lms.txt`` into ``.venv-wagtail-lms`` (our Django, Wagtail, gunicorn,
psycopg and redis versions, so that only the application differs), builds an equivalent
course with ``wagtail_lms_site/prepare.py`` and serves ``wagtail_lms_site`` under gunicorn
with our ``gunicorn.conf.py``. Standard library only: our virtualenv imports it.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-wagtail-lms"
BENCH = ROOT / "bench"
REQUIREMENTS = BENCH / "requirements-wagtail-lms.txt"
MARKER = VENV / "requirements.sha256"
ERROR_LOG = VENV / "gunicorn-errors.log"


def venv_ensure() -> Path:
    """Create the virtualenv and install the requirements unless they are already in; its python."""
    python = VENV / "bin" / "python"
    # The requirements file reads our constraints file, so both make the hash.
    digest = hashlib.sha256(
        REQUIREMENTS.read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    if python.exists() and MARKER.exists() and MARKER.read_text().strip() == digest:
        return python
    if not python.exists():
        base = sys.executable if sys.version_info[:2] == (3, 11) else "python3.11"
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
        (VENV / ".gitignore").write_text("*\n")  # as Python 3.13's venv does
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["-r", str(REQUIREMENTS)],
        check=True,
    )
    MARKER.write_text(digest + "\n")
    return python


def server_env(database_url: str, redis_url: str, secret_key: str) -> dict[str, str]:
    """Our environment, less our virtualenv, plus what the wagtail-lms site reads."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env.update(
        DJANGO_SETTINGS_MODULE="wagtail_lms_site.settings",
        PYTHONPATH=str(BENCH),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secret_key,
        WLMS_MEDIA_ROOT=str(VENV / "media"),
    )
    return env


def site_prepare(
    python: Path, database_url: str, redis_url: str, secret_key: str, users: int
) -> dict:
    """Re-create the database and build the course, the learners and their sessions.

    Returns ``{"lesson", "xapi", "session_cookie", "csrf_cookie", "sessions"}``, where
    ``sessions`` holds one ``(session_key, csrf_token)`` per learner.
    """
    done = subprocess.run(
        [python, "-m", "wagtail_lms_site.prepare", "--users", str(users)],
        cwd=BENCH,
        env=server_env(database_url, redis_url, secret_key),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    site = json.loads(done.stdout)
    site["sessions"] = [tuple(pair) for pair in site["sessions"]]
    return site


def server_start(python: Path, host: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start gunicorn with our ``gunicorn.conf.py`` and wait until it answers (30 s at most).

    Access log and gunicorn's notices are dropped; warnings and errors go to
    ``.venv-wagtail-lms/gunicorn-errors.log``.
    """
    command = [python, "-m", "gunicorn", "wagtail_lms_site.wsgi:application"]
    command += ["-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"{host}:{port}"]
    command += ["--log-level", "warning", "--error-logfile", str(ERROR_LOG)]
    ERROR_LOG.unlink(missing_ok=True)
    server = subprocess.Popen(
        command, cwd=BENCH, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:  # a signed-out request: any HTTP answer means the workers are up
            urllib.request.urlopen(f"http://{host}:{port}/lms/h5p-xapi/0/", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    server.wait()
    errors = ERROR_LOG.read_text()[-2000:] if ERROR_LOG.exists() else ""
    raise RuntimeError(f"wagtail-lms under gunicorn did not answer on {host}:{port}\n{errors}")
