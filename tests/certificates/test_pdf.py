"""The certificate PDF prints Vietnamese names exactly, never interprets markup, and its QR
code opens the verify page."""

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from certificates.models import Certificate
from tests.factories import UserFactory

from .conftest import complete, pdf_text

HOSTILE_NAME = "<b>Nguyễn</b> Thị Ánh & Lý <font size=40>Hằng</font> <br/>"
HOSTILE_TITLE = "An toàn số: <script>alert(1)</script> & mật khẩu < 8 ký tự > rủi ro"


def qr_codes(data: bytes) -> list[str]:
    image = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_markup_in_names_and_titles_prints_literally(course, on_commit, superuser):
    from certificates import services

    page, lessons = course
    page.title = HOSTILE_TITLE
    page.save_revision().publish()
    services.certification_arm(course=page, actor=superuser)
    learner = UserFactory(full_name=HOSTILE_NAME.strip())
    with on_commit():
        complete(learner, page, lessons)
    data = Certificate.objects.get(user=learner).pdf.read()
    text = pdf_text(data)
    assert HOSTILE_NAME.strip() in text
    assert "<script>alert(1)</script>" in text.replace("\n", " ")
    assert "mật khẩu < 8 ký tự > rủi ro" in text.replace("\n", " ")


def test_vietnamese_name_extracts_exactly_and_the_font_is_embedded(armed_course, on_commit):
    page, lessons = armed_course
    names = ["Nguyễn Thị Hồng Ánh", "Đặng Quốc Việt", "Lưu Thị Thuỷ Tiên", "Hoàng Ngọc Ước"]
    with on_commit():
        for name in names:
            complete(UserFactory(full_name=name), page, lessons)
    for certificate in Certificate.objects.all():
        data = certificate.pdf.read()
        lines = pdf_text(data).splitlines()
        assert certificate.holder_name in [line.strip() for line in lines]
        fonts = {
            font["/BaseFont"]
            for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
            for font in [font.get_object()]
        }
        assert any("NotoSerif" in str(name) for name in fonts), fonts
        assert all("Helvetica" not in str(name) for name in fonts), fonts


def test_the_qr_code_opens_the_verify_page(armed_course, learner, on_commit):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    certificate = Certificate.objects.get()
    assert qr_codes(certificate.pdf.read()) == [certificate.verify_url]
    assert certificate.verify_url.endswith(f"/verify/{certificate.code}/")
