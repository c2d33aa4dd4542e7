"""On a phone: a learner completes an armed course, finds the certificate under "Chứng chỉ
của tôi", downloads the PDF, and the QR code printed on it opens a page saying it is valid."""

import pypdfium2
import pytest
import zxingcpp

from certificates import services
from tests.certificates.conftest import default_template
from tests.factories import UserFactory, course_tree

from .test_learner_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_learner_earns_a_certificate_and_its_qr_code_verifies(phone, live_server, settings):
    settings.SITE_URL = live_server.url
    default_template()
    course, lessons = course_tree(lessons=("Định danh điện tử", "Phòng chống lừa đảo"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    services.certification_arm(course=course, actor=admin)
    UserFactory(username="hocvien.mai", full_name="Vi Thị Mai")
    page = phone
    log_in(page, "hocvien.mai")

    page.goto(course.url)
    page.get_by_role("button", name="Đăng ký học").click()
    for lesson in lessons:
        page.get_by_role("heading", name=lesson.title, exact=True).wait_for()
        page.get_by_role("button", name="Hoàn thành bài học").click()
    page.get_by_text("Chúc mừng!").first.wait_for()

    page.get_by_role("link", name="Chứng chỉ của tôi").click()
    card = page.locator(".certificate")
    assert "Kỹ năng số cơ bản" in card.inner_text()
    assert card.get_by_text("Còn hiệu lực").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as download:
        card.get_by_role("link", name="Tải bản PDF").click()
    data = download.value.path().read_bytes()
    image = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()
    [qr_url] = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert qr_url.startswith(live_server.url + "/verify/")

    page.context.clear_cookies()  # whoever scans it is not logged in
    page.goto(qr_url)
    assert page.get_by_role("status").inner_text().strip() == "✓ Còn hiệu lực"
    assert page.get_by_text("Vi Thị Mai").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
