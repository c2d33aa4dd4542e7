"""The annual progress report ("báo cáo tình hình thực hiện") as a PDF: per standard, the
province's figures per target group against the year's targets, the monthly trend, and every
unit's coverage as a chart and a table. Drawn from the rollup tables, so it takes a moment
however large the province. User text (names) is escaped before it enters ReportLab markup.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.models import Organisation
from certificates.pdf import BOLD, REGULAR, fonts_register

from . import selectors
from .models import Standard

CHART_UNITS = 30
RED = colors.HexColor("#b3261e")
AMBER = colors.HexColor("#c77c02")
GREEN = colors.HexColor("#2e7d32")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=10, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "centre": ParagraphStyle("centre", parent=base, alignment=1),
        "centre_bold": ParagraphStyle("centre_bold", parent=base, alignment=1, fontName=BOLD),
        "title": ParagraphStyle(
            "title", parent=base, alignment=1, fontName=BOLD, fontSize=14, leading=18
        ),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=12, leading=16),
    }


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 8.5),
                ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f4f1ec")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _units_chart(children: list[dict]) -> Drawing:
    """The units' coverage (every group), lowest first: who needs help is at the top."""
    shown = sorted(children, key=lambda c: c["figure"].percent)[:CHART_UNITS]
    height = 30 + 14 * max(1, len(shown))
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 15
    chart.width, chart.height = 100 * mm, height - 25
    chart.data = [[c["figure"].percent for c in reversed(shown)] or [0]]
    chart.categoryAxis.categoryNames = [c["organisation"].name[:38] for c in reversed(shown)] or [
        ""
    ]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = AMBER
    drawing.add(chart)
    return drawing


def _trend_chart(trend: list[dict]) -> Drawing:
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 15 * mm, 12 * mm
    chart.width, chart.height = 150 * mm, 38 * mm
    chart.data = [[p["certified"] for p in trend] or [0]]
    chart.categoryAxis.categoryNames = [p["month"].strftime("%m/%y") for p in trend] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = RED
    drawing.add(chart)
    drawing.add(
        String(
            15 * mm,
            2,
            _("People who have met the standard, by month"),
            fontName=REGULAR,
            fontSize=8,
        )
    )
    return drawing


def _number(value: int) -> str:
    """12.345 in Vietnamese: a dot between thousands."""
    return f"{value:,}".replace(",", ".")


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%".replace(".", ",")


def _standard_section(
    organisation: Organisation, standard: Standard, year: int, number: int, styles
) -> list:
    report = selectors.coverage(organisation=organisation, standard=standard, year=year)
    flow: list = [
        Paragraph(f"{number}. {escape(standard.name)}", styles["h2"]),
        Spacer(1, 2 * mm),
    ]
    rows = [
        [
            _("Target group"),
            _("Met"),
            _("Counted against"),
            _("Rate"),
            _("Target"),
            _("Gap"),
            _("Forecast"),
        ]
    ]
    for g in report["groups"]:
        f = g["figure"]
        rows.append(
            [
                Paragraph(escape(g["label"]), styles["small"]),
                _number(f.certified),
                _number(f.denominator),
                _percent(f.percent),
                _percent(f.target_percent),
                "–" if f.gap is None else _number(f.gap),
                _percent(f.forecast_percent),
            ]
        )
    total = report["total"]
    rows.append(
        [
            _("All target groups"),
            _number(total.certified),
            _number(total.denominator),
            _percent(total.percent),
            "",
            "",
            "",
        ]
    )
    flow.append(_table(rows, [45 * mm, 20 * mm, 24 * mm, 18 * mm, 18 * mm, 20 * mm, 20 * mm]))
    flow.append(Spacer(1, 3 * mm))
    flow.append(_trend_chart(report["selected"].trend))
    children = [c for c in report["children"] if c["organisation"].active_until is None]
    if children:
        flow.append(Spacer(1, 2 * mm))
        caption = _("Units, lowest coverage first")
        if len(children) > CHART_UNITS:
            caption += " " + _("(the %(count)s lowest of %(total)s)") % {
                "count": CHART_UNITS,
                "total": len(children),
            }
        flow.append(Paragraph(escape(caption), styles["small"]))
        flow.append(_units_chart(children))
        rows = [[_("Unit"), _("Met"), _("People"), _("Rate")]]
        for child in sorted(children, key=lambda c: c["organisation"].name):
            f = child["figure"]
            rows.append(
                [
                    Paragraph(escape(child["organisation"].name), styles["small"]),
                    _number(f.certified),
                    _number(f.denominator),
                    _percent(f.percent),
                ]
            )
        flow.append(Spacer(1, 2 * mm))
        flow.append(_table(rows, [95 * mm, 25 * mm, 25 * mm, 20 * mm]))
    flow.append(Spacer(1, 6 * mm))
    return flow


def report_pdf(*, organisation: Organisation, year: int, standards: list[Standard]) -> bytes:
    fonts_register()
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Annual progress report %(year)s") % {"year": year},
        author=organisation.name,
    )
    today = timezone.localdate()
    header = Table(
        [
            [
                Paragraph(escape(organisation.name.upper()), styles["centre_bold"]),
                Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["centre_bold"]),
            ],
            ["", Paragraph("Độc lập – Tự do – Hạnh phúc", styles["centre_bold"])],
        ],
        colWidths=[75 * mm, 99 * mm],
    )
    flow: list = [
        header,
        Spacer(1, 8 * mm),
        Paragraph(
            escape(_("REPORT ON THE “BÌNH DÂN HỌC VỤ SỐ” MOVEMENT, %(year)s") % {"year": year}),
            styles["title"],
        ),
        Spacer(1, 2 * mm),
        Paragraph(
            escape(_("Figures as of %(day)s") % {"day": today.strftime("%d/%m/%Y")}),
            styles["centre"],
        ),
        Spacer(1, 8 * mm),
    ]
    if not standards:
        flow.append(Paragraph(escape(_("No standard has been set up yet.")), styles["base"]))
    for number, standard in enumerate(standards, start=1):
        flow += _standard_section(organisation, standard, year, number, styles)
    document.build(flow)
    return buffer.getvalue()
