"""The scope matrix: an HR officer sees their agency's subtree and nothing else, whether
they browse, filter, export or guess a URL; a province administrator sees everything."""

import pytest
from django.urls import reverse

from accounts import permissions
from reports import services

from .conftest import R, T, certify

SUBTREE_1 = ["NA.S1", "NA.S1.P1", "NA.S1.P2"]
SUBTREE_2 = ["NA.S2", "NA.S2.P1"]
ALL = ["NA", *SUBTREE_1, *SUBTREE_2, "NA.X1"]


@pytest.fixture
def people(province, standard, basic_course):
    people = {
        "hr1": province.person(province.s1, "Cán bộ tổ chức Một", role=R.HR_OFFICER),
        "hr2": province.person(province.s2, "Cán bộ tổ chức Hai", role=R.HR_OFFICER),
        "admin": province.person(province.root, "Quản trị tỉnh", role=R.PROVINCE_ADMIN),
        "member": province.person(province.s1p1, "Nhân viên Thường"),
        "s1_person": province.person(province.s1p2, "Phan Thị Sở Một"),
        "s2_person": province.person(province.s2p1, "Lê Văn Sở Hai"),
        "citizen": province.person(province.x1, "Võ Thị Dân", T.CITIZEN),
    }
    certify(people["s2_person"], basic_course)
    services.coverage_rebuild()
    return people


def pages(code: str) -> list[str]:
    return [
        reverse("reports:organisation", args=[code]),
        reverse("reports:people", args=[code]) + "?trang-thai=tat-ca",
        reverse("reports:export_csv", args=[code, "don-vi"]),
        reverse("reports:export_csv", args=[code, "ca-nhan"]),
    ]


@pytest.mark.parametrize(
    ("who", "visible"),
    [("hr1", SUBTREE_1), ("hr2", SUBTREE_2), ("admin", ALL)],
)
def test_each_reader_reaches_exactly_their_scope(client, people, who, visible):
    client.force_login(people[who])
    for code in ALL:
        expected = 200 if code in visible else 404
        for url in pages(code):
            response = client.get(url)
            assert response.status_code == expected, (who, url)
        response = client.post(reverse("reports:export_xlsx", args=[code]))
        assert response.status_code == (302 if code in visible else 404), (who, code)


def test_people_without_a_reporting_role_are_refused_and_visitors_sent_to_log_in(client, people):
    client.force_login(people["member"])
    assert client.get(reverse("reports:index")).status_code == 403
    for url in pages("NA.S1.P1"):
        assert client.get(url).status_code == 403
    client.logout()
    response = client.get(pages("NA.S1")[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_hr_officers_lists_and_files_hold_only_their_people(client, people):
    client.force_login(people["hr1"])
    listing = client.get(reverse("reports:people", args=["NA.S1"]) + "?trang-thai=tat-ca")
    text = listing.content.decode()
    assert "Phan Thị Sở Một" in text and "Lê Văn Sở Hai" not in text
    people_csv = b"".join(
        client.get(reverse("reports:export_csv", args=["NA.S1", "ca-nhan"])).streaming_content
    ).decode("utf-8-sig")
    assert "Phan Thị Sở Một" in people_csv and "Lê Văn Sở Hai" not in people_csv
    units_csv = b"".join(
        client.get(reverse("reports:export_csv", args=["NA.S1", "don-vi"])).streaming_content
    ).decode("utf-8-sig")
    assert "Phòng Chuyển đổi số" in units_csv and "Sở Nội vụ" not in units_csv
    dashboard = client.get(reverse("reports:organisation", args=["NA.S1"])).content.decode()
    # The province above is not theirs to open: no link up to it, none across to NA.S2.
    assert reverse("reports:organisation", args=["NA"]) not in dashboard
    assert reverse("reports:organisation", args=["NA.S2"]) not in dashboard
    assert reverse("reports:organisation", args=["NA.S1.P1"]) in dashboard


def test_the_index_sends_each_reader_to_their_own_root(client, people):
    client.force_login(people["hr2"])
    response = client.get(reverse("reports:index"))
    assert response["Location"] == reverse("reports:organisation", args=["NA.S2"])
    client.force_login(people["admin"])
    response = client.get(reverse("reports:index"))
    assert response["Location"] == reverse("reports:organisation", args=["NA"])


def test_an_export_is_its_requesters_alone(client, people, on_commit):
    client.force_login(people["hr1"])
    with on_commit():
        response = client.post(reverse("reports:export_xlsx", args=["NA.S1"]))
    detail = response["Location"]
    assert client.get(detail).status_code == 200
    client.force_login(people["hr2"])
    assert client.get(detail).status_code == 404
    assert client.get(detail + "tai-ve/").status_code == 404


def test_only_the_province_reads_the_annual_report(client, people):
    client.force_login(people["hr1"])
    assert client.get(reverse("reports:annual_report", args=[2026])).status_code == 403
    client.force_login(people["admin"])
    response = client.get(reverse("reports:annual_report", args=[2026]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_policy_answers_the_same_for_querysets(people):
    hr1 = people["hr1"]
    visible = set(permissions.users_visible_to(hr1).values_list("full_name", flat=True))
    assert "Phan Thị Sở Một" in visible and "Lê Văn Sở Hai" not in visible
    assert "Võ Thị Dân" not in visible
    codes = set(permissions.organisations_visible_to(hr1).values_list("code", flat=True))
    assert codes == set(SUBTREE_1)
    assert permissions.organisations_scope(people["admin"]) is None
    assert not permissions.organisations_visible_to(people["member"]).exists()
