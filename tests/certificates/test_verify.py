"""Anyone can verify a certificate from a phone, without logging in."""

import re

import pytest
from django.utils import timezone

from certificates import services
from certificates.models import Certificate

from .conftest import complete


@pytest.fixture
def certificate(armed_course, learner, on_commit):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    return Certificate.objects.get(user=learner)


def test_valid_certificate_shows_holder_course_issuer_date_and_status(
    client, certificate, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(f"/verify/{certificate.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Còn hiệu lực" in html
    for text in ("Nguyễn Văn An", "Kỹ năng số cơ bản", "Sở Khoa học và Công nghệ tỉnh Nghệ An"):
        assert text in html
    assert certificate.serial in html
    assert timezone.localtime(certificate.issued_at).strftime("%d/%m/%Y") in html
    assert re.search(
        rf'<link rel="alternate" type="application/ld\+json" '
        rf'href="https?://[^"]+/badges/assertions/{certificate.code}/">',
        html,
    )
    assert "noindex" in response["X-Robots-Tag"]
    assert "public" in response["Cache-Control"]


def test_the_code_is_read_case_insensitively_from_paper(client, certificate):
    assert client.get(f"/verify/{certificate.code.upper()}/").status_code == 200


def test_a_wrong_code_is_a_plain_404(client, certificate):
    response = client.get("/verify/khongtontai234567abcdef/")
    assert response.status_code == 404
    assert certificate.holder_name not in response.content.decode()


def test_revoked_certificate_shows_the_reason(client, certificate, superuser):
    services.certificate_revoke(
        certificate=certificate, actor=superuser, reason="Gian lận trong bài kiểm tra"
    )
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Đã bị thu hồi" in html
    assert "Gian lận trong bài kiểm tra" in html
    assert "Còn hiệu lực" not in html


def test_expired_certificate_shows_as_expired(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() - timezone.timedelta(days=1)
    )
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Đã hết hạn" in html
    assert "Còn hiệu lực" not in html


def test_verification_is_rate_limited_per_address(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE = "5/m"
    codes = [certificate.code] + [f"sai{n}abcdefghijkmnpqrst" for n in range(4)]
    assert [client.get(f"/verify/{code}/").status_code for code in codes] == [200] + [404] * 4
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 429
    assert "Quá nhiều" in response.content.decode()
    other = client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_the_verify_page_reads_in_english_too(client, certificate):
    html = client.get(f"/en/verify/{certificate.code}/").content.decode()
    assert "Valid" in html and "Nguyễn Văn An" in html
