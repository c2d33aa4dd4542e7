"""The Wagtail admin: in Vietnamese, and reached only through the site's one login."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_anonymous_admin_visit_goes_to_the_site_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


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


def test_learner_cannot_open_the_admin(client, learner):
    login(client, learner.username)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert "/admin/pages/" not in response.content.decode()


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
