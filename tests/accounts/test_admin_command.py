import pytest
from django.core.management import CommandError, call_command

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_create_admin_makes_a_superuser_who_can_log_in_straight_away(client, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "Quan-Tri-Nghe-An-2026")
    call_command(
        "create_admin",
        "quantri",
        "quantri@nghean.gov.vn",
        "Nguyễn Quản Trị",
        "--password-env",
        "ADMIN_PASSWORD",
    )
    response = login(client, "quantri@nghean.gov.vn", "Quan-Tri-Nghe-An-2026")
    assert response["Location"] == "/accounts/profile/"
    assert client.get("/admin/").status_code == 200


def test_create_admin_refuses_a_weak_password(monkeypatch):
    from accounts.models import User

    monkeypatch.setenv("ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command(
            "create_admin", "quantri", "q@nghean.gov.vn", "Q", "--password-env", "ADMIN_PASSWORD"
        )
    assert not User.objects.exists()
