"""No Docker engine runs here, so the image and compose file are checked by reading them."""

from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def test_compose_runs_web_worker_beat_postgres_and_redis_with_health_checks():
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "db", "redis", "worker"):
        assert "healthcheck" in services[name], name
    assert "celery" in " ".join(services["worker"]["command"])
    assert "beat" in " ".join(services["beat"]["command"])
    assert {"pgdata", "media"} <= set(compose["volumes"])
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
        assert "REDIS_URL" in env and "DATABASE_URL" in env


def test_dockerfile_is_multi_stage_and_runs_as_a_non_root_user():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2
    assert "collectstatic" in dockerfile
    assert "gunicorn" in dockerfile
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1] not in {"root", "0"}


def test_proxy_serves_library_images_and_is_not_open_to_the_world():
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    assert proxy["ports"][0].startswith("${HTTP_BIND:-127.0.0.1}:")
    assert "media:/srv/media:ro" in proxy["volumes"]
    nginx = (DOCKER / "nginx.conf").read_text()
    assert "location ~ ^/media/(images|original_images)/" in nginx
    assert compose["x-app"]["environment"]["TRUSTED_PROXY_COUNT"].startswith("${TRUSTED_PROXY")


def test_image_build_gives_collectstatic_every_setting_production_requires():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    build = dockerfile.split("collectstatic --noinput")[0].rsplit("RUN ", 1)[1]
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "SITE_URL",
        "H5P_CONTENT_ORIGIN",
        "NATIONAL_ID_KEY",
    ):
        assert f"{name}=" in build, name


def test_proxy_keeps_the_content_policy_on_h5p_files_and_lets_packages_upload():
    nginx = (DOCKER / "nginx.conf").read_text()
    block = nginx.split("location /protected-media/h5p/content/ {")[1].split("}")[0]
    assert "internal;" in block
    assert "Content-Security-Policy" in block and "connect-src 'self'" in block
    assert "form-action 'none'" in block
    upload = nginx.split("location /admin/snippets/assessments/h5pactivity/ {")[1].split("}")[0]
    assert "client_max_body_size 210m;" in upload
