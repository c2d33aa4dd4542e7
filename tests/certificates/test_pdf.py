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


def test_each_certificate_looks_the_same_whatever_was_drawn_before_it():
    """The fonts' subsets are kept between certificates: a certificate drawn after others
    (its glyphs and text map from the kept subset) is the same picture as drawn first, a
    name beyond the Vietnamese alphabet included, and every name reads back exactly."""
    from datetime import UTC, datetime

    from certificates import pdf

    def content(name: str, serial: str) -> pdf.CertificateContent:
        return pdf.CertificateContent(
            holder_name=name,
            course_title="Kỹ năng số cơ bản",
            serial=serial,
            verify_url=f"https://hocvuso.example.vn/verify/{serial}/",
            issued_at=datetime(2026, 11, 27, 3, tzinfo=UTC),
            issuer_name="Sở Khoa học và Công nghệ",
            signatory_name="Trần Minh Đức",
        )

    certificates = [
        content("Nguyễn Thị Hồng Ánh", "NA-2026-000001"),
        content("Łucja Ñúñez Ørsted – Ŵ", "NA-2026-000002"),
        content("ĐẶNG QUỐC VIỆT", "NA-2026-000003"),
    ]

    def picture(data: bytes) -> bytes:
        return pypdfium2.PdfDocument(data)[0].render(scale=1).to_pil().tobytes()

    first = {}
    for certificate in certificates:
        pdf.SubsetCachedFont._subset_objects.cache_clear()
        first[certificate.serial] = picture(pdf.render(certificate))
    for certificate in certificates * 2:
        data = pdf.render(certificate)
        assert picture(data) == first[certificate.serial], certificate.holder_name
        lines = [line.strip() for line in pdf_text(data).splitlines()]
        assert certificate.holder_name in lines
