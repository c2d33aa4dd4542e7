"""What anyone sees on the public site: Vietnamese first, English on request, safe headers."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_in_vietnamese_by_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Đăng ký học miễn phí" in html


def test_language_switch_links_to_the_same_page_in_the_other_language(client):
    vietnamese = client.get("/accounts/login/?next=/admin/").content.decode()
    assert '<a href="/en/accounts/login/?next=/admin/" lang="en" hreflang="en">English</a>' in (
        vietnamese
    )
    english = client.get("/en/accounts/login/").content.decode()
    assert '<html lang="en">' in english
    assert 'href="/accounts/login/" lang="vi" hreflang="vi">Tiếng Việt</a>' in english
    assert "Sign up to learn, free" in client.get("/en/").content.decode()


def test_login_page_reads_in_vietnamese_and_in_english(client):
    assert "Quên mật khẩu?" in client.get("/accounts/login/").content.decode()
    assert "Forgot your password?" in client.get("/en/accounts/login/").content.decode()


def test_page_is_usable_on_a_phone(client):
    html = client.get("/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_json_answers_carry_a_policy_that_lets_nothing_load_or_frame_them(client):
    response = client.get("/healthz/")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]  # pages keep theirs


def test_unknown_page_gives_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_health_check_reports_database_and_cache(client):
    response = client.get("/healthz/")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert "no-store" in response["Cache-Control"]
