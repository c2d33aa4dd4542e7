import re

import pytest

from accounts.models import Membership
from tests.conftest import login
from tests.factories import organisation

pytestmark = pytest.mark.django_db


def test_profile_needs_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_shows_name_and_organisation_privately(client, learner):
    province = organisation("NA", "Ủy ban nhân dân tỉnh Nghệ An", "province")
    dept = organisation("NA.SKHCN", "Sở Khoa học và Công nghệ", parent=province)
    division = organisation("NA.SKHCN.CDS", "Phòng Chuyển đổi số", "division", parent=dept)
    Membership.objects.create(
        user=learner, organisation=division, target_group="civil_servant", position="Chuyên viên"
    )
    login(client, "nguyenvanan")
    response = client.get("/accounts/profile/")
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "Nguyễn Văn An" in html
    assert "Phòng Chuyển đổi số · Sở Khoa học và Công nghệ" in text
    assert "Ủy ban nhân dân tỉnh" not in html
    assert "Công chức" in html
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_profile_edit_saves_name_and_phone(client, learner):
    login(client, "nguyenvanan")
    response = client.post(
        "/accounts/profile/", {"full_name": "Nguyễn  Văn  Anh", "phone": "+84 912 345 678"}
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.full_name == "Nguyễn Văn Anh"
    assert learner.phone == "+84912345678"
    assert "Đã lưu hồ sơ của bạn." in client.get("/accounts/profile/").content.decode()


def test_profile_edit_with_bad_phone_changes_nothing(client, learner):
    login(client, "nguyenvanan")
    response = client.post("/accounts/profile/", {"full_name": "Tên Mới", "phone": "abc"})
    assert response.status_code == 200
    assert "Nhập số điện thoại Việt Nam" in response.content.decode()
    learner.refresh_from_db()
    assert learner.full_name == "Nguyễn Văn An"


def test_profile_page_query_budget(client, learner, django_assert_max_num_queries):
    login(client, "nguyenvanan")
    with django_assert_max_num_queries(8):
        assert client.get("/accounts/profile/").status_code == 200
