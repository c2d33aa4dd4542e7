"""The certificate PDF: landscape A4, drawn with ReportLab in Noto Serif (embedded, so
Vietnamese diacritics print on any reader), with a QR code that opens the verify page.

Speed matters (a province issues tens of thousands): fonts are registered once per process
and their embedded subsets are built once too (``SubsetCachedFont``), template images are
decoded once and reused, and the QR code (zxing-cpp) is drawn as one filled path instead of
ReportLab's much slower QR widget. Every piece of user text is drawn
with ``drawString``, which never interprets markup, so a name like ``<b>Lê & Lý</b>`` prints
as written.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import zxingcpp
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "NotoSerif", "NotoSerif-Bold"
# The place-and-date line is italic, as administrative documents write it (Nghị định
# 30/2020). It is the regular face slanted: a third embedded font would cost every
# certificate another subset (a sixth of its drawing time).
ITALIC = "oblique"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
RED = Color(0.62, 0.07, 0.07)
NAVY = Color(0.08, 0.18, 0.38)
GOLD = Color(0.72, 0.56, 0.2)
DARK_RUN = re.compile(rb"\x00+")  # dark modules side by side in a row of the QR code


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate; built from a Certificate and its template, or
    from sample data for the preview."""

    holder_name: str
    course_title: str
    serial: str
    verify_url: str
    issued_at: datetime
    expires_at: datetime | None = None
    grade: str = ""
    issuer_parent: str = ""
    issuer_name: str = ""
    place: str = ""
    national_header: bool = True
    heading: str = "GIẤY CHỨNG NHẬN"
    body_text: str = "Đã hoàn thành khóa học"
    signatory_name: str = ""
    signatory_title: str = ""
    signature_path: str = ""
    background_path: str = ""
    language: str = "vi"


# Every certificate's fonts start with these letters, in this order, after the ASCII that
# ReportLab always puts first: the Vietnamese alphabet's letters beyond ASCII, both cases.
VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
VIETNAMESE += VIETNAMESE.upper()


class SubsetCachedFont(TTFont):
    """A TrueType font whose embedded subsets are built once per process, not per PDF.

    ReportLab cuts a new subset of the font file for every document, with the glyphs it
    used, and compresses it, its widths and its ToUnicode map: a third of a certificate's
    drawing time. ``render`` starts every certificate with the same characters in the same
    order (``VIETNAMESE``), so all certificates in Vietnamese share one subset per font and
    its PDF objects are made once; a character beyond them (a name in another script) makes
    a subset of its own, kept too (the last 64). The objects are those of ReportLab's own
    ``TTFont.addObjects`` (reportlab 5.1, pinned), with the streams already compressed.
    """

    def addObjects(self, doc) -> None:
        if not doc.compression:
            super().addObjects(doc)
            return
        state = self._assignState(doc)
        state.frozen = 1
        fonts = doc.idToObject["BasicFonts"].dict
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            base_name, widths, cmap, font_file, length = self._subset_objects(index, tuple(subset))
            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = widths
            font.ToUnicode = doc.Reference(_compressed(cmap), f"toUnicodeCMap:{base_name}")
            face = self.face
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base_name),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": doc.Reference(
                        _compressed(font_file, Length1=length),
                        f"fontFile:{face.filename}({base_name})",
                    ),
                    "MissingWidth": face.defaultWidth,
                }
            )
            font.FontDescriptor = doc.Reference(descriptor, f"fontDescriptor:{base_name}")
            doc.Reference(font, internal_name)
            fonts[internal_name] = font
        del self.state[doc]

    @lru_cache(maxsize=64)  # noqa: B019 (two fonts per process, never freed)
    def _subset_objects(self, index: int, subset: tuple[int, ...]):
        face = self.face
        base_name = b"".join((SUBSETN(index), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
        widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset]).format(
            pdfdoc.DummyDoc()
        )
        cmap = zlib.compress(makeToUnicodeCMap(base_name, subset).encode())
        content = face.makeSubset(list(subset))
        return base_name, widths, cmap, zlib.compress(content), len(content)


def _compressed(data: bytes, **entries) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (ReportLab leaves it alone)."""
    filters = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": filters, **entries}), data)


@lru_cache(maxsize=1)
def fonts_register() -> None:
    for name, file in (
        (REGULAR, "NotoSerif-Regular.ttf"),
        (BOLD, "NotoSerif-Bold.ttf"),
    ):
        pdfmetrics.registerFont(SubsetCachedFont(name, str(FONT_DIR / file)))


@lru_cache(maxsize=32)
def _image(path: str) -> ImageReader:
    """A template image decoded once per process (keyed by its file path, which Wagtail
    changes whenever the file is replaced)."""
    return ImageReader(path)


def _centred(canvas: Canvas, text: str, x: float, y: float, font: str, size: float) -> None:
    if font == ITALIC:
        canvas.saveState()
        canvas.translate(x, y)
        canvas.skew(0, 12)
        canvas.setFont(REGULAR, size)
        canvas.drawCentredString(0, 0, text)
        canvas.restoreState()
        return
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, text)


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size, down to ``smallest``, at which ``text`` fits on one line."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for ``url`` with its bottom-left corner at (x, y).

    zxing-cpp encodes it (in C++, a third of segno's time in Python) into one byte per
    module, 0 for dark. Runs of dark modules become rectangles of one filled path, written
    as PDF operators in module units under a scaled coordinate system: a few hundred short
    integers instead of ReportLab formatting every coordinate as a float.
    """
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    count = image.shape[0]
    modules = bytes(memoryview(image))
    runs = [
        f"{run.start() - row * count} {row} {run.end() - run.start()} 1 re"
        for row in range(count)
        for run in DARK_RUN.finditer(modules, row * count, (row + 1) * count)
    ]
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.translate(x, y + size)
    canvas.scale(size / count, -size / count)
    canvas.addLiteral(" ".join(runs) + " f")
    canvas.restoreState()


def _frame(canvas: Canvas) -> None:
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(3)
    canvas.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36)
    canvas.setLineWidth(0.8)
    canvas.rect(26, 26, PAGE_WIDTH - 52, PAGE_HEIGHT - 52)


def _header(canvas: Canvas, content: CertificateContent) -> None:
    top = PAGE_HEIGHT - 62
    left_centre = PAGE_WIDTH * 0.26
    canvas.setFillColor(black)
    if content.issuer_parent:
        _centred(canvas, content.issuer_parent.upper(), left_centre, top, REGULAR, 11)
    name_lines = simpleSplit(content.issuer_name.upper(), BOLD, 11, PAGE_WIDTH * 0.42)[:2]
    for index, line in enumerate(name_lines):
        _centred(canvas, line, left_centre, top - 15 - 14 * index, BOLD, 11)
    rule_y = top - 19 - 14 * len(name_lines)
    canvas.setLineWidth(0.6)
    canvas.setStrokeColor(black)
    canvas.line(left_centre - 40, rule_y, left_centre + 40, rule_y)
    if content.national_header:
        right_centre = PAGE_WIDTH * 0.72
        _centred(canvas, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_centre, top, BOLD, 11)
        motto = "Độc lập - Tự do - Hạnh phúc"
        _centred(canvas, motto, right_centre, top - 15, BOLD, 12)
        half = pdfmetrics.stringWidth(motto, BOLD, 12) / 2
        canvas.line(right_centre - half, top - 19, right_centre + half, top - 19)


def _body(canvas: Canvas, content: CertificateContent) -> None:
    centre = PAGE_WIDTH / 2
    width = PAGE_WIDTH - 140
    canvas.setFillColor(RED)
    _centred(canvas, content.heading.upper(), centre, PAGE_HEIGHT - 165, BOLD, 34)
    canvas.setFillColor(black)
    _centred(canvas, _("This is to certify that"), centre, PAGE_HEIGHT - 200, ITALIC, 14)
    canvas.setFillColor(NAVY)
    name_size = _fit(content.holder_name, BOLD, 28, width, 16)
    _centred(canvas, content.holder_name, centre, PAGE_HEIGHT - 240, BOLD, name_size)
    canvas.setFillColor(black)
    _centred(canvas, content.body_text, centre, PAGE_HEIGHT - 272, REGULAR, 14)
    size = 18 if pdfmetrics.stringWidth(content.course_title, BOLD, 18) <= width * 2 else 14
    lines = simpleSplit(content.course_title, BOLD, size, width)[:3]
    for index, line in enumerate(lines):
        _centred(canvas, line, centre, PAGE_HEIGHT - 300 - (size + 6) * index, BOLD, size)
    if content.grade:
        y = PAGE_HEIGHT - 306 - (size + 6) * len(lines)
        _centred(canvas, _("Result: %(grade)s") % {"grade": content.grade}, centre, y, REGULAR, 13)


def _date_words(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return _("day %(day)02d month %(month)02d year %(year)d") % {
        "day": local.day,
        "month": local.month,
        "year": local.year,
    }


def _short_date(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.strftime("%d/%m/%Y")


def _signature(canvas: Canvas, content: CertificateContent) -> None:
    centre = PAGE_WIDTH * 0.72
    y = 190
    dated = _date_words(content.issued_at)
    if content.place:
        dated = f"{content.place}, {dated}"
    canvas.setFillColor(black)
    _centred(canvas, dated, centre, y, ITALIC, 12)
    _centred(canvas, content.signatory_title.upper(), centre, y - 20, BOLD, 12)
    if content.signature_path:
        canvas.drawImage(
            _image(content.signature_path),
            centre - 70,
            y - 112,
            width=140,
            height=84,
            preserveAspectRatio=True,
            mask="auto",
        )
    _centred(canvas, content.signatory_name, centre, y - 130, BOLD, 13)


def _verification(canvas: Canvas, content: CertificateContent) -> None:
    x, y, size = 60, 52, 96
    _qr(canvas, content.verify_url, x, y, size)
    canvas.setFillColor(black)
    text_x = x + size + 12
    lines = [
        (BOLD, 10, _("No.: %(serial)s") % {"serial": content.serial}),
        (REGULAR, 9, _("Issued: %(date)s") % {"date": _short_date(content.issued_at)}),
    ]
    if content.expires_at:
        lines.append(
            (REGULAR, 9, _("Valid until: %(date)s") % {"date": _short_date(content.expires_at)})
        )
    lines.append((REGULAR, 9, _("Scan the code or open:")))
    lines.append((REGULAR, 8, content.verify_url))
    for index, (font, size_pt, text) in enumerate(lines):
        canvas.setFont(font, size_pt)
        canvas.drawString(text_x, y + size - 10 - 15 * index, text)


def render(content: CertificateContent) -> bytes:
    """The PDF of one certificate."""
    fonts_register()
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, initialFontName=REGULAR
    )
    for font in (REGULAR, BOLD):
        pdfmetrics.getFont(font).splitString(VIETNAMESE, canvas._doc)
    canvas.setTitle(f"{content.heading} {content.serial}")
    canvas.setAuthor(content.issuer_name)
    canvas.setSubject(f"{content.holder_name}: {content.course_title}")
    with translation.override(content.language):
        if content.background_path:
            canvas.drawImage(
                _image(content.background_path), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT
            )
        else:
            _frame(canvas)
        _header(canvas, content)
        _body(canvas, content)
        _signature(canvas, content)
        _verification(canvas, content)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
