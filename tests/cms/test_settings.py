"""Production settings: a clean `check --deploy`, and no start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "k" * 20 + "production-like-secret-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "hocvuso.nghean.gov.vn",
    "DATABASE_URL": "postgres://hocvuso:secret@db.internal:5432/hocvuso",
    "REDIS_URL": "redis://redis.internal:6379",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.internal:587",
    "SITE_URL": "https://hocvuso.nghean.gov.vn",
    "H5P_CONTENT_ORIGIN": "https://h5p.hocvuso.nghean.gov.vn",
    "NATIONAL_ID_KEY": "national-id-key-for-the-check-0123456789",
}


def manage(*args, env):
    """Run manage.py with exactly ``env`` for the settings, whatever the caller's shell has."""
    ours = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION_ENV}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "chưa được đặt" in result.stderr


def test_production_refuses_to_fall_back_to_embedded_services():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in {"REDIS_URL", "EMAIL_URL"}}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "REDIS_URL, EMAIL_URL" in result.stderr
    assert "Thiếu biến môi trường bắt buộc" in result.stderr


def test_deploy_check_refuses_h5p_content_on_the_site_origin():
    env = {**PRODUCTION_ENV, "H5P_CONTENT_ORIGIN": PRODUCTION_ENV["SITE_URL"]}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "cms.E001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_an_h5p_content_origin():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "H5P_CONTENT_ORIGIN"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "H5P_CONTENT_ORIGIN" in result.stderr


def test_deploy_check_refuses_h5p_content_on_another_port_of_the_site():
    env = {**PRODUCTION_ENV, "H5P_CONTENT_ORIGIN": "https://hocvuso.nghean.gov.vn:8443"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "cms.E001" in result.stdout + result.stderr


def test_production_cookies_cannot_be_tossed_by_the_content_subdomain():
    code = (
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "
        "settings.SESSION_COOKIE_DOMAIN, settings.CSRF_COOKIE_DOMAIN)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "None", "None"]
