"""Lesson documents and videos: Django checks, nginx sends (with Range support for phones)."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def video():
    return Document.objects.create(
        title="Video hướng dẫn VNeID", file=ContentFile(b"\x00" * 2048, name="vneid.mp4")
    )


def test_in_production_documents_are_handed_to_nginx(client, video, settings):
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_ROOT = str(settings.MEDIA_ROOT)
    settings.SENDFILE_URL = "/protected-media"
    response = client.get(video.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{video.file.name}"
    assert response["Content-Type"] == "video/mp4"
    assert response.content == b""


def test_nginx_has_the_internal_location_django_hands_documents_to():
    from pathlib import Path

    nginx = (Path(__file__).resolve().parents[2] / "docker" / "nginx.conf").read_text()
    block = nginx.split("location /protected-media/ {")[1].split("}")[0]
    assert "internal;" in block
    assert "alias /srv/media/;" in block
