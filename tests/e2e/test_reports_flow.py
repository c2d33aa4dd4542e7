"""An HR officer on a 360-px phone: their agency's coverage with its bars, down to a unit,
then the people still to certify; another agency's page is not there for them."""

import pytest

from reports import services
from tests.factories import PASSWORD
from tests.reports.conftest import Province, R, T, certify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agency(db):
    from certificates.models import CertificateTemplate, IssuingBody
    from reports.models import Standard
    from tests.factories import course_tree

    body = IssuingBody.objects.create(name="Sở KH&CN Nghệ An", url="https://skhcn.nghean.gov.vn")
    CertificateTemplate.objects.create(
        name="Mẫu", issuing_body=body, signatory_name="Trần Minh Đức", active=True
    )
    course = course_tree()[0]
    standard = services.standard_upsert(
        code="ksc-757",
        name="Phổ cập kỹ năng số cơ bản",
        kind=Standard.Kind.CERTIFICATE,
        courses=[course],
    )
    province = Province()
    hr = province.person(province.s1, "Trần Thị Hương", role=R.HR_OFFICER, username="hr.s1")
    for n in range(2):
        certify(province.person(province.s1p1, f"Đã học {n}"), course)
    province.person(province.s1p1, "Hồ Thị Quỳnh Chưa Học")
    province.person(province.s2p1, "Người Sở Khác")
    services.target_upsert(standard=standard, target_group=T.CIVIL_SERVANT, year=2026, percent=100)
    services.coverage_rebuild()
    return hr


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_hr_officer_drills_down_to_the_people_not_yet_certified(phone, agency):
    phone.goto("/accounts/login/?next=/bao-cao/")
    phone.fill("#id_login", "hr.s1")
    phone.fill("#id_password", PASSWORD)
    phone.click("form button[type=submit]")
    phone.wait_for_url("**/bao-cao/don-vi/NA.S1/")
    assert phone.locator("h1").inner_text() == "Sở Khoa học và Công nghệ"
    # 4 people (the HR officer too), 2 certified.
    assert phone.locator(".cover-big strong").inner_text() == "50,0%"
    assert phone.locator(".cover-fill").first.bounding_box()["width"] > 0
    assert fits(phone)

    phone.select_option("select[name=nhom]", "civil_servant")
    phone.get_by_role("button", name="Hiển thị").click()
    assert "Còn thiếu để đạt chỉ tiêu: 2 người" in phone.content()

    phone.get_by_role("link", name="Phòng Chuyển đổi số").click()
    phone.wait_for_url("**/bao-cao/don-vi/NA.S1.P1/**")
    assert phone.locator(".cover-big strong").inner_text() == "66,7%"
    phone.get_by_role("link", name="Người chưa đạt chuẩn").click()
    names = phone.locator(".people-list strong").all_inner_texts()
    assert names == ["Hồ Thị Quỳnh Chưa Học"]
    assert fits(phone)

    response = phone.goto("/bao-cao/don-vi/NA.S2/")
    assert response.status == 404
    assert "Người Sở Khác" not in phone.content()
