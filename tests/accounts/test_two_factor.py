"""TOTP two-factor: offered to staff, and once on, login asks for the code."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_staff_can_set_up_two_factor_after_confirming_their_password(client, staff_user, password):
    login(client, staff_user.username)
    assert "Xác thực hai lớp" in client.get("/accounts/profile/").content.decode()
    assert client.get("/accounts/2fa/").status_code == 200
    ask_again = client.get("/accounts/2fa/totp/activate/")
    assert ask_again["Location"].startswith("/accounts/reauthenticate/")
    client.post(ask_again["Location"], {"password": password})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert "ứng dụng xác thực" in response.content.decode().lower()


def test_two_factor_setup_is_not_offered_to_learners(client, learner):
    login(client, learner.username)
    assert "Xác thực hai lớp" not in client.get("/accounts/profile/").content.decode()
    assert client.get("/accounts/2fa/").status_code == 404
    assert client.get("/accounts/2fa/totp/activate/").status_code == 404


def test_staff_with_totp_must_enter_a_code_to_log_in(client, staff_user):
    TOTP.activate(staff_user, generate_totp_secret())
    response = login(client, staff_user.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
