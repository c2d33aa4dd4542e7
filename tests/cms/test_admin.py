"""The Wagtail admin: in Vietnamese, and reached only through the site's one login."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_anonymous_admin_visit_goes_to_the_site_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert "Quên mật khẩu?" in response.content.decode()


def test_wagtail_login_form_is_replaced_by_the_rate_limited_login(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"


def test_django_admin_login_goes_through_allauth(client):
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_superuser_logs_in_and_sees_wagtail_admin_in_vietnamese(client, superuser):
    response = login(client, superuser.username)
    assert response.status_code == 302
    admin = client.get("/admin/")
    html = admin.content.decode()
    assert admin.status_code == 200
    assert 'lang="vi"' in html
    assert "Trang" in html  # Wagtail's own Vietnamese ("Trang" = Pages)


def test_admin_user_list_and_edit_show_full_name(client, superuser, learner):
    login(client, superuser.username)
    listing = client.get("/admin/users/")
    assert listing.status_code == 200
    assert "Nguyễn Văn An" in listing.content.decode()
    edit = client.get(f"/admin/users/edit/{learner.pk}/")
    assert edit.status_code == 200
    assert 'name="full_name"' in edit.content.decode()
    assert 'name="first_name"' not in edit.content.decode()


def test_learner_who_opens_the_admin_is_told_no_without_a_redirect_loop(client, learner):
    login(client, learner.username)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()
    assert "Quản trị" not in client.get("/accounts/profile/").content.decode()


def test_wagtail_front_end_login_cannot_skip_the_rate_limited_login(client, learner, password):
    response = client.post("/_util/login/", {"username": learner.username, "password": password})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/profile/").status_code == 302  # still logged out


def test_admin_login_ignores_a_next_address_on_another_site(client, superuser):
    login(client, superuser.username)
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/admin/"


def test_admin_may_run_inline_scripts_but_public_pages_may_not(client, superuser):
    public = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self';" in public or public.endswith("script-src 'self'")
    assert "'unsafe-inline'" not in public.split("script-src")[1].split(";")[0]
    login(client, superuser.username)
    admin = client.get("/admin/")["Content-Security-Policy"]
    assert "'unsafe-inline'" in admin.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'self'" in admin


def test_organisations_can_be_renamed_but_not_created_from_a_flat_form(client, superuser):
    from tests.factories import organisation

    province = organisation("NA", "Ủy ban nhân dân tỉnh Nghệ An", "province")
    login(client, superuser.username)
    listing = client.get("/admin/snippets/accounts/organisation/")
    assert listing.status_code == 200
    assert "Ủy ban nhân dân tỉnh Nghệ An" in listing.content.decode()
    assert "/admin/snippets/accounts/organisation/add/" not in listing.content.decode()
    assert client.get("/admin/snippets/accounts/organisation/add/").status_code in (302, 403)
    edit_url = f"/admin/snippets/accounts/organisation/edit/{province.pk}/"
    response = client.post(edit_url, {"name": "UBND tỉnh Nghệ An", "kind": "province"})
    assert response.status_code == 302
    province.refresh_from_db()
    assert province.name == "UBND tỉnh Nghệ An"
    assert province.path == "0001"


def test_admin_sends_no_email_hash_to_gravatar(client, superuser):
    login(client, superuser.username)
    assert "gravatar" not in client.get("/admin/").content.decode()


def test_admin_creates_a_user_with_a_vietnamese_full_name(client, superuser):
    from accounts.models import User

    login(client, superuser.username)
    form = client.get("/admin/users/new/").content.decode()
    assert 'name="full_name"' in form and 'name="first_name"' not in form
    response = client.post(
        "/admin/users/new/",
        {
            "username": "canbo.moi",
            "email": "canbo.moi@nghean.gov.vn",
            "full_name": "Hồ Thị Ngọc Ánh",
            "phone": "",
            "password1": "Mat-Khau-Can-Bo-2026",
            "password2": "Mat-Khau-Can-Bo-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="canbo.moi").get_short_name() == "Ánh"
