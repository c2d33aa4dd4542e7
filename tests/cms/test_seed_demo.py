"""`manage.py seed_demo`: every demo login works, and running it twice changes nothing."""

import io
import re

import pytest
from django.core.management import call_command
from wagtail.models import Revision

from accounts.models import Membership, Organisation, User
from tests.conftest import login

pytestmark = pytest.mark.django_db

DEMO_USERS = ["admin", "hr.sokhcn", "teacher.demo", "learner.demo", "citizen.demo"]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--allow-production", stdout=out)  # tests run with DEBUG off
    return out.getvalue()


def test_seed_demo_refuses_to_run_on_a_production_server():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()


def test_running_the_seed_again_keeps_demo_users_logged_in(client):
    password = re.search(r"password: (\S+)", seed()).group(1)
    login(client, "learner.demo", password)
    seed()
    assert client.get("/accounts/profile/").status_code == 200


def snapshot():
    return (
        sorted(User.objects.values_list("username", "full_name", "email", "is_superuser")),
        sorted(Organisation.objects.values_list("code", "path", "name")),
        sorted(Membership.objects.values_list("user__username", "organisation__code", "role")),
        Revision.objects.count(),
    )


def test_seed_demo_prints_a_password_that_opens_every_demo_account(client):
    output = seed()
    password = re.search(r"password: (\S+)", output).group(1)
    for username in DEMO_USERS:
        assert username in output
        client.logout()
        response = login(client, username, password)
        assert response.status_code == 302, username
        assert response["Location"] == "/accounts/profile/", username


def test_seed_demo_is_idempotent():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


def test_demo_tree_and_roles():
    seed()
    province = Organisation.objects.get(code="NA")
    skhcn = Organisation.objects.get(code="NA.SKHCN")
    assert skhcn.is_descendant_of(province)
    assert Organisation.objects.get(code="NA.SKHCN.CDS").is_descendant_of(skhcn)
    assert Organisation.objects.filter(kind="commune").count() >= 3
    hr = Membership.objects.get(user__username="hr.sokhcn")
    assert (hr.organisation, hr.role) == (skhcn, Membership.Role.HR_OFFICER)
    assert User.objects.get(username="admin").is_superuser


def test_demo_home_page_is_vietnamese(client):
    seed()
    html = client.get("/").content.decode()
    assert "Nghị quyết 57-NQ/TW" in html
    assert "Học như thế nào?" in html
