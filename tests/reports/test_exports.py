"""Completion files: Vietnamese intact, formulas defused, CSV streamed, XLSX built by a worker."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
from reports.models import ReportExport

from .conftest import R, certify

HOSTILE = '=HYPERLINK("http://ke-gian.example","Bấm vào")'


@pytest.fixture
def agency(province, standard, basic_course):
    hr = province.person(province.s1, "Trần Thị Hương", role=R.HR_OFFICER)
    certify(province.person(province.s1p1, "Nguyễn Thị Ánh Tuyết"), basic_course)
    province.person(province.s1p2, HOSTILE, phone="+84912345678")
    services.coverage_rebuild()
    return hr


def test_the_people_csv_is_streamed_with_a_bom_and_defused_cells(client, agency):
    client.force_login(agency)
    response = client.get(reverse("reports:export_csv", args=["NA.S1", "ca-nhan"]))
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert "Nguyễn Thị Ánh Tuyết" in names
    assert "'" + HOSTILE in names and HOSTILE not in names
    phones = [row[2] for row in rows[1:]]
    assert "'+84912345678" in phones  # a leading + would be read as a formula too
    tuyet = next(row for row in rows if row[0] == "Nguyễn Thị Ánh Tuyết")
    assert tuyet[7]  # the date the standard was met


def test_the_workbook_round_trips_vietnamese_through_openpyxl(client, agency, on_commit):
    client.force_login(agency)
    with on_commit():
        response = client.post(reverse("reports:export_xlsx", args=["NA.S1"]))
    export = ReportExport.objects.get()
    assert export.state == ReportExport.State.READY and export.total == export.done == 3
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:export_download", args=[export.pk]) in page
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    units, people = workbook.worksheets
    unit_names = [row[1] for row in units.iter_rows(min_row=2, values_only=True)]
    assert "Phòng Chuyển đổi số" in unit_names
    names = [row[0] for row in people.iter_rows(min_row=2, values_only=True)]
    assert "Nguyễn Thị Ánh Tuyết" in names and "'" + HOSTILE in names


def test_the_command_writes_the_same_file(agency, tmp_path):
    csv_path, xlsx_path = tmp_path / "na-s1.csv", tmp_path / "na-s1.xlsx"
    call_command("export_completion", "--organisation", "NA.S1", "--output", str(csv_path))
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "Nguyễn Thị Ánh Tuyết" in text and "Trần Thị Hương" in text
    call_command(
        "export_completion",
        "--organisation",
        "NA.S1",
        "--format",
        "xlsx",
        "--output",
        str(xlsx_path),
    )
    people = load_workbook(xlsx_path).worksheets[1]
    assert people.max_row == 4  # the header and three people


def test_unit_and_standard_names_are_defused_too(client, agency, province, standard):
    from accounts.services import organisation_upsert

    organisation_upsert(code="NA.S1.P9", name="=1+1", kind="division", parent=province.s1)
    standard.name = "@Chuẩn"
    standard.save()
    client.force_login(agency)
    raw = b"".join(
        client.get(reverse("reports:export_csv", args=["NA.S1", "don-vi"])).streaming_content
    )
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[-1][:3] == ["NA.S1.P9", "'=1+1", "1"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in rows[0])


def test_a_csv_longer_than_a_chunk_arrives_whole_and_the_command_counts_its_people(
    client, agency, tmp_path, monkeypatch, capsys
):
    from django.utils import timezone

    from reports import exports

    monkeypatch.setattr(exports, "CSV_ROWS_PER_CHUNK", 2)  # three people: two chunks
    client.force_login(agency)
    response = client.get(reverse("reports:export_csv", args=["NA.S1", "ca-nhan"]))
    raw = b"".join(response.streaming_content)
    assert raw.count("\ufeff".encode()) == 1
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Họ và tên" and sum(row[0] == "Họ và tên" for row in rows) == 1
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted(["Trần Thị Hương", "Nguyễn Thị Ánh Tuyết", "'" + HOSTILE])
    tuyet = next(row for row in rows if row[0] == "Nguyễn Thị Ánh Tuyết")
    assert tuyet[7] == f"{timezone.localdate():%d/%m/%Y}"

    csv_path = tmp_path / "na-s1.csv"
    call_command("export_completion", "--organisation", "NA.S1", "--output", str(csv_path))
    assert "3 dòng" in capsys.readouterr().out
    written = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert written == rows  # the same file, row for row
