"""Staff roster import: checked and previewed, errors per row, existing people matched, new
people invited, all or nothing, within the HR officer's own agency."""

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections
from django.test import TestCase
from django.utils import timezone, translation

from accounts import permissions, roster, tasks
from accounts.models import Membership, OutgoingEmail, RosterImport, User
from accounts.roster import writing
from accounts.signals import memberships_changed
from tests.conftest import login
from tests.factories import PASSWORD, MembershipFactory, UserFactory, organisation

pytestmark = pytest.mark.django_db

HEADER = ["Họ và tên", "Email", "Số điện thoại", "Số định danh", "Mã đơn vị", "Chức vụ"]
HEADER += ["Nhóm đối tượng"]
NEW_PASSWORD = "Chon-Mat-Khau-Moi-2026"


@pytest.fixture
def agencies(db):
    province = organisation("NA", "UBND tỉnh Nghệ An", kind="province")
    science = organisation("NA.SKHCN", "Sở Khoa học và Công nghệ", parent=province)
    office = organisation("NA.SKHCN.VP", "Văn phòng Sở", kind="division", parent=science)
    finance = organisation("NA.STC", "Sở Tài chính", parent=province)
    return {"province": province, "science": science, "office": office, "finance": finance}


@pytest.fixture
def hr_officer(agencies):
    officer = UserFactory(username="tochuc", full_name="Cán Bộ Tổ Chức")
    MembershipFactory(
        user=officer, organisation=agencies["science"], role=Membership.Role.HR_OFFICER
    )
    return officer


def csv_bytes(rows, header=HEADER, *, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC NĂM 2026"])  # a title above the header
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check(data: bytes, user=None, name="danh-sach.csv") -> RosterImport:
    """Upload as the officer would, in English; the worker checks the file once the upload
    has committed, in the uploader's language (the worker itself has none)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        with translation.override("en"):
            uploaded = roster.roster_upload(
                user=user, upload=ContentFile(data, name=name), file_name=name
            )
        assert uploaded.state == RosterImport.State.CHECKING  # nothing checked yet
    uploaded.refresh_from_db()
    return uploaded


def run(checked: RosterImport, on_commit, user=None) -> RosterImport:
    """Confirm as the officer would; the task runs once the request's transaction commits."""
    with on_commit():
        assert roster.roster_confirm(roster=checked, user=user)
    checked.refresh_from_db()
    return checked


def errors_by_row(checked: RosterImport) -> dict[int, list[str]]:
    return {item["row"]: item["errors"] for item in checked.errors}


def test_each_bad_row_gets_its_own_errors_and_only_good_rows_are_imported(agencies, on_commit):
    checked = check(
        csv_bytes(
            [
                ["Nguyễn Văn An", "an.nv@skhcn.vn", "0912 345 678", "", "NA.SKHCN", "Chuyên viên"]
                + ["Công chức"],
                ["", "b@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"],
                ["Trần Thị Bình", "", "", "", "NA.SKHCN", "", "Viên chức"],
                ["Lê Văn Cường", "cuong@", "12345", "01234567890", "NA.XYZ", "", "Bộ đội"],
                ["Phạm Thị Dung", "", "0987654321", "", "NA.SKHCN.VP", "Văn thư", "Người lao động"],
                ["Nguyễn Văn An", "AN.NV@skhcn.vn", "", "", "NA.STC", "", "Cán bộ"],
                ["Hoàng Văn Em", "em@skhcn.vn", "", "", "", "", ""],
            ]
        )
    )
    assert checked.state == RosterImport.State.CHECKED
    errors = errors_by_row(checked)
    assert set(errors) == {3, 4, 5, 7, 8}  # the header is row 1
    assert errors[3] == ["The full name is missing."]
    assert errors[4] == ["Give an email address or a phone number."]
    assert "“cuong@” is not an email address." in errors[5]
    assert "“12345” is not a phone number; write it like 0912345678." in errors[5]
    assert "The national ID must have 12 digits." in errors[5]
    assert "Unknown unit code “NA.XYZ”." in errors[5]
    assert any(message.startswith("Unknown target group “Bộ đội”") for message in errors[5])
    assert not any("01234567890" in message for message in errors[5])  # never repeated
    assert errors[7] == ["The same person is already in row 2."]
    assert errors[8] == ["The unit code is missing.", "The target group is missing."]
    assert checked.summary["valid"] == 2
    assert checked.summary["invitations"] == 1
    assert checked.summary["without_email"] == 1
    assert [p["row"] for p in checked.summary["preview"]] == [2, 6]
    assert not User.objects.filter(full_name="Nguyễn Văn An").exists()  # checked, not imported

    done = run(checked, on_commit)
    assert done.state == RosterImport.State.DONE
    assert done.percent == 100
    an = User.objects.get(email="an.nv@skhcn.vn")
    assert an.full_name == "Nguyễn Văn An"
    assert an.phone == "0912345678"
    assert not an.has_usable_password()
    membership = an.memberships.get()
    assert (membership.organisation, membership.position, membership.target_group) == (
        agencies["science"],
        "Chuyên viên",
        Membership.TargetGroup.CIVIL_SERVANT,
    )
    dung = User.objects.get(full_name="Phạm Thị Dung")
    assert dung.email == "" and dung.phone == "0987654321"
    assert dung.memberships.get().target_group == Membership.TargetGroup.WORKER
    assert done.summary["created"] == 2
    assert done.summary["invited"] == 1
    assert done.summary["without_email"] == 1
    assert set(errors_by_row(done)) == {3, 4, 5, 7, 8}


def test_existing_accounts_are_matched_by_national_id_email_or_phone_not_duplicated(
    agencies, on_commit
):
    by_id = UserFactory(full_name="Võ Thị Định Danh", email="rieng@gmail.com")
    by_id.national_id_digest = roster.national_id_digest("040190000123")
    by_id.save()
    by_email = UserFactory(full_name="Đặng Văn Thư", email="thu.dv@skhcn.vn")
    by_phone = UserFactory(full_name="Bùi Thị Điện", email="", phone="+84912000111")
    MembershipFactory(
        user=by_email, organisation=agencies["science"], position="Cũ", target_group="cadre"
    )
    users_before = User.objects.count()

    checked = check(
        csv_bytes(
            [
                ["Vo Thi Dinh Danh", "cong.vu@skhcn.vn", "", "040190000123", "NA.SKHCN", "", "CC"],
                ["Dang Van Thu", "Thu.DV@SKHCN.vn", "", "", "NA.SKHCN", "Trưởng phòng", "VC"],
                ["Bui Thi Dien", "", "0912.000.111", "", "NA.SKHCN.VP", "", "Người lao động"],
            ]
        )
    )
    assert checked.errors == []
    assert checked.summary["matched"] == 3 and checked.summary["new"] == 0
    done = run(checked, on_commit)

    assert User.objects.count() == users_before
    assert done.summary["created"] == 0 and done.summary["matched"] == 3
    assert done.summary["memberships_added"] == 2 and done.summary["memberships_updated"] == 1
    by_id.refresh_from_db()
    assert by_id.full_name == "Võ Thị Định Danh"  # the person's own details stay
    assert by_id.email == "rieng@gmail.com"
    assert by_id.memberships.get().organisation == agencies["science"]
    membership = by_email.memberships.get()
    assert (membership.position, membership.target_group) == ("Trưởng phòng", "public_employee")
    by_phone.refresh_from_db()
    assert by_phone.memberships.get().organisation == agencies["office"]
    assert OutgoingEmail.objects.count() == 0  # they have accounts already: no invitation


def test_contradicting_identities_are_errors_not_guesses(agencies):
    one = UserFactory(email="mot@skhcn.vn")
    one.national_id_digest = roster.national_id_digest("040190000001")
    one.save()
    UserFactory(email="hai@skhcn.vn")
    UserFactory(email="ba@skhcn.vn", phone="0912000222")
    UserFactory(email="bon@skhcn.vn", phone="0912000222")
    checked = check(
        csv_bytes(
            [
                ["Người Một", "hai@skhcn.vn", "", "040190000001", "NA.SKHCN", "", "Công chức"],
                ["Người Hai", "", "0912000222", "", "NA.SKHCN", "", "Công chức"],
                ["Người Ba", "mot@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"],
                ["Người Bốn", "", "0912000999", "040190000001", "NA.STC", "", "Công chức"],
            ]
        )
    )
    errors = errors_by_row(checked)
    assert errors[2] == ["The national ID and the email address belong to two different accounts."]
    assert errors[3] == [
        "The phone number belongs to several accounts: add the email address or the national ID."
    ]
    assert errors[5] == ["The same person is already in row 2."]
    assert 4 not in errors  # matched by email, and nothing in the row contradicts it


def test_new_people_are_emailed_a_link_to_choose_a_password_and_can_then_log_in(
    client, agencies, on_commit
):
    UserFactory(username="an.nv")  # the username the email would give is taken
    checked = check(
        csv_bytes([["Nguyễn Văn An", "an.nv@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"]])
    )
    run(checked, on_commit)
    user = User.objects.get(email="an.nv@skhcn.vn")
    assert user.username == "an.nv2"
    assert EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["an.nv@skhcn.vn"]
    assert "an.nv2" in message.body and "Sở Khoa học và Công nghệ" in message.body
    assert OutgoingEmail.objects.get().sent_at is not None

    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password = form.redirect_chain[-1][0] if form.redirect_chain else link
    response = client.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.has_usable_password()
    client.logout()
    assert login(client, "an.nv@skhcn.vn", NEW_PASSWORD)["Location"] == "/accounts/profile/"


def test_a_fatal_error_during_the_import_leaves_no_partial_import(agencies, on_commit, monkeypatch):
    rows = [
        [f"Người Thứ {n}", f"nguoi{n}@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"]
        for n in range(5)
    ]
    checked = check(csv_bytes(rows))
    users_before = User.objects.count()
    monkeypatch.setattr(writing, "CHUNK", 2)  # the first chunks are written before the failure
    calls = []

    def fail_on_third_chunk(chunk, usernames, counts, _write=writing._write_chunk):
        calls.append(len(chunk))
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        _write(chunk, usernames, counts)

    monkeypatch.setattr(writing, "_write_chunk", fail_on_third_chunk)
    run(checked, on_commit)

    assert len(calls) == 3
    assert User.objects.count() == users_before
    assert not Membership.objects.filter(user__email__startswith="nguoi").exists()
    assert not EmailAddress.objects.filter(email__startswith="nguoi").exists()
    assert OutgoingEmail.objects.count() == 0 and mail.outbox == []
    checked.refresh_from_db()
    assert checked.state == RosterImport.State.FAILED
    assert checked.error  # the generic message, not the exception's text
    assert "database" not in checked.error


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_others_while_the_import_stays_invisible_until_it_commits(
    agencies, monkeypatch
):
    """PostgreSQL hides what the import's transaction writes until it commits; progress goes
    through a second connection, so the officer's page moves while nobody sees half a roster."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no concurrent readers to show progress to")
    rows = [
        [f"Người Thứ {n}", f"nguoi{n}@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"]
        for n in range(5)
    ]
    checked = check(csv_bytes(rows))
    assert roster.roster_confirm(roster=checked, user=None, enqueue=False)
    monkeypatch.setattr(writing, "CHUNK", 2)
    seen = []

    def observe(chunk, usernames, counts, _write=writing._write_chunk):
        _write(chunk, usernames, counts)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT done, (SELECT count(*) FROM accounts_user WHERE email LIKE %s) "
                    "FROM accounts_rosterimport WHERE id = %s",
                    ["nguoi%", checked.pk],
                )
                seen.append(cursor.fetchone())
        finally:
            other.close()

    monkeypatch.setattr(writing, "_write_chunk", observe)
    done = roster.roster_import(roster_id=checked.pk)
    assert done.state == RosterImport.State.DONE
    assert seen == [(0, 0), (2, 0), (4, 0)]  # progress, and no account before the commit
    assert User.objects.filter(email__startswith="nguoi").count() == 5


def test_a_file_without_a_required_column_fails_whole_naming_the_columns(agencies):
    header = ["Họ tên", "Email", "Đơn vị công tác", "Chức vụ", "Nhóm đối tượng"]
    checked = check(
        csv_bytes([["Nguyễn Văn An", "an@skhcn.vn", "NA.SKHCN", "", "CC"]], header=header)
    )
    assert checked.state == RosterImport.State.FAILED
    assert "Mã đơn vị" in checked.error and "Đơn vị công tác" in checked.error
    assert not checked.file
    assert not User.objects.filter(email="an@skhcn.vn").exists()
    assert not roster.roster_confirm(roster=checked, user=None)


def test_a_csv_not_in_utf8_gets_a_message_not_an_error_page(agencies):
    data = "Ho ten,Email,Ma don vi,Nhom doi tuong\nĐinh Văn Hà,ha@x.vn,NA.SKHCN,CC\n"
    checked = check(data.encode("cp1258"))  # Windows' old Vietnamese code page
    assert checked.state == RosterImport.State.FAILED
    assert "UTF-8" in checked.error


def test_a_file_that_is_not_a_spreadsheet_is_refused(agencies):
    checked = check(b"\x00\x01binary", name="danh-sach.pdf")
    assert checked.state == RosterImport.State.FAILED
    assert "CSV" in checked.error
    broken = check(b"PK\x03\x04 not really a zip", name="danh-sach.xlsx")
    assert broken.state == RosterImport.State.FAILED


def test_xlsx_roster_keeps_the_zeros_excel_drops_from_numbers(agencies, on_commit):
    checked = check(
        xlsx_bytes(
            [
                [
                    "Nguyễn Thị Hoa",
                    None,
                    912345678,
                    40190000123,
                    "na.skhcn",
                    "Kế toán",
                    "Viên chức",
                ],
                ["Trần Văn Minh", "minh@skhcn.vn", None, None, "NA.SKHCN.VP", None, "cán bộ"],
            ]
        ),
        name="danh-sach.xlsx",
    )
    assert checked.errors == []
    assert checked.summary["preview"][0]["row"] == 3  # below the title and the header
    run(checked, on_commit)
    hoa = User.objects.get(full_name="Nguyễn Thị Hoa")
    assert hoa.phone == "0912345678"
    assert hoa.national_id_digest == roster.national_id_digest("040190000123")
    assert hoa.memberships.get().target_group == Membership.TargetGroup.PUBLIC_EMPLOYEE
    minh = User.objects.get(email="minh@skhcn.vn")
    assert minh.memberships.get().target_group == Membership.TargetGroup.CADRE


def test_csv_with_bom_semicolons_and_headers_without_diacritics(agencies, on_commit):
    header = ["HO TEN", "e-mail", "SDT", "CCCD", "ma don vi", "chuc vu", "nhom doi tuong"]
    checked = check(
        csv_bytes(
            [
                ["Lý Thị Lan", "lan@skhcn.vn", "", "", "NA.SKHCN", "", "cong chuc"],
                ["Mai Văn Nam", "nam@skhcn.vn", "", "", "NA.SKHCN", "", "civil_servant"],
                ["Đỗ Thị Oanh", "oanh@skhcn.vn", "", "", "NA.SKHCN", "", "Học sinh"],
            ],
            header=header,
            delimiter=";",
            bom=True,
        )
    )
    assert checked.errors == [] and checked.summary["valid"] == 3
    run(checked, on_commit)
    assert User.objects.get(email="lan@skhcn.vn").full_name == "Lý Thị Lan"
    groups = Membership.objects.filter(user__email__in=["lan@skhcn.vn", "nam@skhcn.vn"])
    assert set(groups.values_list("target_group", flat=True)) == {"civil_servant"}


def test_an_hr_officer_imports_into_their_agency_only(agencies, hr_officer, on_commit):
    checked = check(
        csv_bytes(
            [
                ["Người Văn Phòng", "vp@skhcn.vn", "", "", "NA.SKHCN.VP", "", "Công chức"],
                ["Người Tài Chính", "tc@stc.vn", "", "", "NA.STC", "", "Công chức"],
                ["Người Lạ", "la@x.vn", "", "", "NA.KHONGCO", "", "Công chức"],
            ]
        ),
        user=hr_officer,
    )
    errors = errors_by_row(checked)
    # Another agency's code reads exactly like a code that does not exist.
    assert errors == {
        3: ["Unknown unit code “NA.STC”."],
        4: ["Unknown unit code “NA.KHONGCO”."],
    }
    run(checked, on_commit, user=hr_officer)
    assert User.objects.filter(email="vp@skhcn.vn").exists()
    assert not User.objects.filter(email="tc@stc.vn").exists()


def test_import_sends_memberships_changed_with_the_people(agencies, on_commit):
    received = []

    def listener(sender, user_ids, **kwargs):
        received.extend(user_ids)

    memberships_changed.connect(listener, dispatch_uid="test-roster")
    try:
        checked = check(
            csv_bytes([["Người Mới", "moi@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"]])
        )
        run(checked, on_commit)
    finally:
        memberships_changed.disconnect(dispatch_uid="test-roster")
    assert received == [User.objects.get(email="moi@skhcn.vn").pk]


def test_importing_the_same_roster_again_changes_nothing_twice(agencies, on_commit):
    data = csv_bytes([["Người Mới", "moi@skhcn.vn", "0912000333", "", "NA.SKHCN", "", "CC"]])
    run(check(data), on_commit)
    again = run(check(data), on_commit)
    assert again.summary["created"] == 0 and again.summary["matched"] == 1
    assert again.summary["memberships_updated"] == 1
    assert User.objects.filter(email="moi@skhcn.vn").count() == 1
    assert len(mail.outbox) == 1


def test_upload_preview_confirm_and_result_pages(
    client, agencies, hr_officer, on_commit, django_assert_max_num_queries
):
    login(client, "tochuc")
    assert client.get("/accounts/nhap-danh-sach/").status_code == 200
    upload = SimpleUploadedFile(
        "danh-sach.csv",
        csv_bytes(
            [
                ["Nguyễn Văn An", "an@skhcn.vn", "", "", "NA.SKHCN", "Chuyên viên", "CC"],
                ["Trần Thị Bình", "binh@skhcn.vn", "", "", "NA.STC", "", "CC"],
            ]
        ),
        content_type="text/csv",
    )
    with on_commit():  # the worker checks the file once the upload has committed
        response = client.post("/accounts/nhap-danh-sach/", {"file": upload})
    checked = RosterImport.objects.get()
    assert checked.state == RosterImport.State.CHECKED
    assert response["Location"] == f"/accounts/nhap-danh-sach/{checked.pk}/"
    with django_assert_max_num_queries(8):
        preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "Nguyễn Văn An" in html and "NA.STC" in html
    assert f"/accounts/nhap-danh-sach/{checked.pk}/nhap/" in html
    assert "no-cache" in preview["Cache-Control"] or "private" in preview["Cache-Control"]
    assert not User.objects.filter(email="an@skhcn.vn").exists()

    errors_csv = client.get(f"/accounts/nhap-danh-sach/{checked.pk}/loi.csv")
    assert "NA.STC" in errors_csv.content.decode("utf-8-sig")

    with on_commit():
        confirmed = client.post(f"/accounts/nhap-danh-sach/{checked.pk}/nhap/")
    assert confirmed["Location"] == f"/accounts/nhap-danh-sach/{checked.pk}/"
    result = client.get(confirmed["Location"]).content.decode()
    assert "Nguyễn Văn An" not in result  # the summary, not the people
    assert User.objects.filter(email="an@skhcn.vn").exists()
    checked.refresh_from_db()
    assert checked.state == RosterImport.State.DONE
    # Confirming twice imports once.
    client.post(f"/accounts/nhap-danh-sach/{checked.pk}/nhap/")
    assert User.objects.filter(email="an@skhcn.vn").count() == 1


def test_the_progress_page_refreshes_while_importing(client, agencies, hr_officer):
    checked = check(
        csv_bytes([["Người Mới", "moi@skhcn.vn", "", "", "NA.SKHCN", "", "CC"]]),
        user=hr_officer,
    )
    RosterImport.objects.filter(pk=checked.pk).update(state=RosterImport.State.RUNNING, done=0)
    login(client, "tochuc")
    html = client.get(f"/accounts/nhap-danh-sach/{checked.pk}/").content.decode()
    assert 'http-equiv="refresh"' in html and "<progress" in html


def test_another_officer_cannot_see_or_confirm_the_roster(client, agencies, hr_officer):
    checked = check(
        csv_bytes([["Người Mới", "moi@skhcn.vn", "", "", "NA.SKHCN", "", "CC"]]),
        user=hr_officer,
    )
    colleague = UserFactory(username="tochuc2")
    MembershipFactory(
        user=colleague, organisation=agencies["science"], role=Membership.Role.HR_OFFICER
    )
    login(client, "tochuc2")
    base = f"/accounts/nhap-danh-sach/{checked.pk}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "loi.csv").status_code == 404
    assert client.post(base + "nhap/").status_code == 404
    assert client.post(base + "huy/").status_code == 404
    checked.refresh_from_db()
    assert checked.state == RosterImport.State.CHECKED


def test_a_learner_cannot_import_rosters(client, learner):
    login(client, "nguyenvanan")
    assert client.get("/accounts/nhap-danh-sach/").status_code == 403


def test_an_oversized_upload_is_refused_with_a_message(client, agencies, hr_officer, monkeypatch):
    monkeypatch.setattr(roster, "MAX_UPLOAD_BYTES", 10)
    login(client, "tochuc")
    upload = SimpleUploadedFile("danh-sach.csv", csv_bytes([]), content_type="text/csv")
    response = client.post("/accounts/nhap-danh-sach/", {"file": upload})
    assert response.status_code == 200
    assert not RosterImport.objects.exists()


def test_import_staff_command_imports_and_reports_row_errors(agencies, tmp_path, capsys):
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Nguyễn Văn An", "an@skhcn.vn", "", "", "NA.SKHCN", "", "Công chức"],
                ["Trần Thị Bình", "binh@", "", "", "NA.STC", "", "Công chức"],
            ]
        )
    )
    with translation.override("en"):
        call_command("import_staff", str(path), "--dry-run")
        assert not User.objects.filter(email="an@skhcn.vn").exists()
        assert not RosterImport.objects.exists()
        call_command("import_staff", str(path))
    out, err = capsys.readouterr()
    assert "Row 3: “binh@” is not an email address." in err
    assert "1 accounts created" in out
    assert (
        User.objects.get(email="an@skhcn.vn").memberships.get().organisation == agencies["science"]
    )
    assert RosterImport.objects.get().state == RosterImport.State.DONE


def test_import_staff_command_fails_on_a_file_it_cannot_import(agencies, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_bytes([["Nguyễn Văn An"]], header=["Họ tên"]))
    with pytest.raises(CommandError, match="Mã đơn vị"):
        call_command("import_staff", str(path))
    assert not User.objects.filter(full_name="Nguyễn Văn An").exists()


def test_files_of_rosters_never_imported_are_not_kept(agencies, on_commit):
    row = ["Người Mới", "moi@skhcn.vn", "", "040190000123", "NA.SKHCN", "", "CC"]
    forgotten = check(csv_bytes([row]))
    imported = run(check(csv_bytes([row])), on_commit)
    assert forgotten.file and not imported.file  # imported: the file went at once
    RosterImport.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert roster.roster_sweep() == 1
    assert list(RosterImport.objects.all()) == [imported]
    assert not roster.roster_discard(roster=imported)


# --- Scope: an HR officer matches only the people they may already see ------------------------

ELSEWHERE = (
    "This person already has an account elsewhere: ask the province administrator to add them."
)


def person(*, email="", phone="", national_id="", unit=None, **fields):
    user = UserFactory(email=email, phone=phone, **fields)
    if national_id:
        user.national_id_digest = roster.national_id_digest(national_id)
        user.save()
    if unit is not None:
        MembershipFactory(user=user, organisation=unit)
    return user


def test_an_hr_officer_cannot_match_or_duplicate_people_outside_their_agency(
    agencies, hr_officer, on_commit
):
    finance = agencies["finance"]
    by_email = person(email="ketoan@stc.vn", unit=finance)
    by_phone = person(phone="0912000444", unit=finance)
    by_id = person(email="dinhdanh@stc.vn", national_id="040190000555", unit=finance)
    other_id = person(email="khac@stc.vn", national_id="040190000666", unit=finance)
    no_agency = person(email="tudo@gmail.com")  # signed up on their own
    colleague = person(email="vp@skhcn.vn", unit=agencies["office"])
    person(email="vp2@skhcn.vn", unit=agencies["science"])
    users_before = User.objects.count()
    rows = [
        ["Kế Toán", "ketoan@stc.vn", "", "", "NA.SKHCN", "", "CC"],
        ["Chỉ Số Điện Thoại", "", "0912.000.444", "", "NA.SKHCN", "", "CC"],
        ["Định Danh", "moi.hoan.toan@skhcn.vn", "", "040190000555", "NA.SKHCN", "", "CC"],
        # A known address with a guessed ID: the answer must not tell whether it is theirs.
        ["Thử Số", "dinhdanh@stc.vn", "", "040190000999", "NA.SKHCN", "", "CC"],
        ["Tự Do", "TUDO@gmail.com", "", "", "NA.SKHCN", "", "CC"],
        ["Văn Phòng", "vp@skhcn.vn", "", "", "NA.SKHCN", "", "CC"],
        ["Lẫn Lộn", "vp2@skhcn.vn", "", "040190000666", "NA.SKHCN", "", "CC"],
    ]

    checked = check(csv_bytes(rows), user=hr_officer)
    errors = errors_by_row(checked)
    # One message, the same whether the email, the phone or the ID found them.
    assert errors == {number: [ELSEWHERE] for number in (2, 3, 4, 5, 6, 8)}
    assert checked.summary["matched"] == 1 and checked.summary["new"] == 0
    assert [(p["row"], p["existing"]) for p in checked.summary["preview"]] == [(7, True)]

    done = run(checked, on_commit, user=hr_officer)
    assert done.summary["matched"] == 1 and done.summary["created"] == 0
    assert User.objects.count() == users_before  # nobody created a second time
    visible = permissions.users_visible_to(hr_officer)
    for outsider in (by_email, by_phone, by_id, other_id, no_agency):
        assert not visible.filter(pk=outsider.pk).exists()
    assert colleague.memberships.filter(organisation=agencies["science"]).exists()

    # The province administrator's roster matches them wherever they are.
    admin = UserFactory(username="quantritinh")
    MembershipFactory(
        user=admin, organisation=agencies["province"], role=Membership.Role.PROVINCE_ADMIN
    )
    again = check(csv_bytes(rows[:3] + rows[4:6]), user=admin)
    assert again.errors == []
    assert again.summary["matched"] == 5 and again.summary["new"] == 0


def test_a_roster_never_changes_an_existing_account_or_invites_to_it(
    client, agencies, hr_officer, on_commit
):
    """Matched by phone, with someone else's address in the roster: that address must not
    become a way into the account."""
    owner = person(
        username="chiphone", full_name="Chỉ Có Số", phone="0912000777", unit=agencies["office"]
    )
    owner.set_unusable_password()  # as an account created by an earlier roster is
    owner.save()
    addresses_before = list(EmailAddress.objects.filter(user=owner).values_list("email"))
    checked = check(
        csv_bytes(
            [
                ["Tên Khác", "ke.gian@gmail.com", "0912000777", "040190000888", "NA.SKHCN"]
                + ["Chuyên viên", "CC"]
            ]
        ),
        user=hr_officer,
    )
    assert checked.summary["matched"] == 1 and checked.summary["invitations"] == 0
    done = run(checked, on_commit, user=hr_officer)
    assert done.summary["matched"] == 1 and done.summary["invited"] == 0

    owner.refresh_from_db()
    assert (owner.email, owner.full_name, owner.phone, owner.national_id_digest) == (
        "",
        "Chỉ Có Số",
        "0912000777",
        "",
    )
    assert list(EmailAddress.objects.filter(user=owner).values_list("email")) == addresses_before
    assert not EmailAddress.objects.filter(email__iexact="ke.gian@gmail.com").exists()
    assert OutgoingEmail.objects.count() == 0 and mail.outbox == []
    assert owner.memberships.get(organisation=agencies["science"]).position == "Chuyên viên"
    # Nobody can log in, or ask for a password, with the roster's address.
    assert login(client, "ke.gian@gmail.com", PASSWORD).status_code == 200
    client.post("/accounts/password/reset/", {"email": "ke.gian@gmail.com"})
    assert not OutgoingEmail.objects.filter(body__contains="/password/reset/key/").exists()


# --- Errors never carry ID numbers --------------------------------------------------------------


def test_errors_mask_long_numbers_from_a_shifted_column(agencies, client, hr_officer):
    number = "040190000123"
    checked = check(
        csv_bytes([["Lệch Cột", number, number, "", number, "", number]]), user=hr_officer
    )
    messages = errors_by_row(checked)[2]
    assert "“*********123” is not an email address." in messages
    assert "“*********123” is not a phone number; write it like 0912345678." in messages
    assert "Unknown unit code “*********123”." in messages
    assert any(m.startswith("Unknown target group “*********123”") for m in messages)
    login(client, "tochuc")
    errors_csv = client.get(f"/accounts/nhap-danh-sach/{checked.pk}/loi.csv").content
    for stored in (json.dumps(checked.errors, ensure_ascii=False), errors_csv.decode("utf-8-sig")):
        assert "*********123" in stored and "0401900" not in stored

    # A file without its header row: the first person's cells are named as columns.
    headless = check(csv_bytes([], header=["Lệch Cột", "040 190 000 123", "NA.SKHCN"]))
    assert headless.state == RosterImport.State.FAILED
    assert "*** *** *** 123" in headless.error and "040 190" not in headless.error


# --- Files are not kept for ever -----------------------------------------------------------------


def test_rosters_stuck_checking_or_importing_are_failed_and_lose_their_file(agencies):
    row = ["Người Mới", "moi@skhcn.vn", "", "040190000123", "NA.SKHCN", "", "CC"]
    now = timezone.now()
    stuck_importing = check(csv_bytes([row]))
    late_importing = check(csv_bytes([row]))
    RosterImport.objects.filter(pk__in=[stuck_importing.pk, late_importing.pk]).update(
        state=RosterImport.State.RUNNING
    )
    # Uploaded 5 days ago: confirmed at the latest 3 days ago, and still not done.
    RosterImport.objects.filter(pk=stuck_importing.pk).update(created_at=now - timedelta(days=5))
    # Uploaded 3 days ago: it may have been confirmed an hour ago.
    RosterImport.objects.filter(pk=late_importing.pk).update(created_at=now - timedelta(days=3))
    with translation.override("en"):
        stuck_checking = roster.roster_upload(
            user=None,
            upload=ContentFile(csv_bytes([row]), name="a.csv"),
            file_name="a.csv",
            enqueue=False,  # the worker died before it checked the file
        )
    RosterImport.objects.filter(pk=stuck_checking.pk).update(created_at=now - timedelta(days=3))
    files = {r.pk: r.file.name for r in (stuck_importing, late_importing, stuck_checking)}

    assert roster.roster_sweep() == 2
    for stuck in (stuck_importing, stuck_checking):
        stuck.refresh_from_db()
        assert stuck.state == RosterImport.State.FAILED and stuck.error
        assert not stuck.file and not default_storage.exists(files[stuck.pk])
    late_importing.refresh_from_db()
    assert late_importing.state == RosterImport.State.RUNNING
    assert default_storage.exists(files[late_importing.pk])
    assert roster.roster_sweep() == 0


def test_a_checked_roster_cannot_be_confirmed_once_it_is_due_to_be_swept(agencies):
    checked = check(csv_bytes([["Người Mới", "moi@skhcn.vn", "", "", "NA.SKHCN", "", "CC"]]))
    RosterImport.objects.filter(pk=checked.pk).update(
        created_at=timezone.now() - timedelta(days=2, minutes=1)
    )
    checked.refresh_from_db()
    assert not roster.roster_confirm(roster=checked, user=None, enqueue=False)
    checked.refresh_from_db()
    assert checked.state == RosterImport.State.CHECKED


# --- An XLSX is checked before it is opened -------------------------------------------------------


def with_entry(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


ONE_PERSON = [["Nguyễn Thị Hoa", "hoa@skhcn.vn", None, None, "NA.SKHCN", None, "Viên chức"]]


@pytest.mark.parametrize(
    ("limits", "extra"),
    [
        # 2 MB of zeros deflate to 2 KB: a ratio no spreadsheet has.
        ({}, ("xl/media/image1.png", bytes(2 * 1024 * 1024))),
        ({"XLSX_MAX_UNCOMPRESSED": 4000}, None),  # declares more than the limit in all
        ({"XLSX_MAX_ENTRIES": 3}, None),
    ],
    ids=["ratio", "total-size", "entries"],
)
def test_an_xlsx_that_would_inflate_too_far_is_refused_unopened(
    agencies, monkeypatch, limits, extra
):
    from accounts.roster import files

    for name, value in limits.items():
        monkeypatch.setattr(files, name, value)
    opened = []
    monkeypatch.setattr(files, "load_workbook", lambda *a, **k: opened.append(a))
    data = xlsx_bytes(ONE_PERSON)
    if extra:
        data = with_entry(data, *extra)
    refused = check(data, name="danh-sach.xlsx")
    assert refused.state == RosterImport.State.FAILED
    assert refused.error == "The Excel file is damaged or too large to read."
    assert opened == [] and not refused.file


# --- The check runs in a worker -------------------------------------------------------------------


def test_the_upload_page_waits_for_the_check_then_shows_the_preview(
    client, agencies, hr_officer, on_commit, django_assert_max_num_queries
):
    login(client, "tochuc")
    rows = [["Nguyễn Văn An", "an@skhcn.vn", "", "", "NA.SKHCN", "Chuyên viên", "CC"]]
    upload = SimpleUploadedFile("danh-sach.csv", csv_bytes(rows), content_type="text/csv")
    response = client.post("/accounts/nhap-danh-sach/", {"file": upload})  # not checked yet
    uploaded = RosterImport.objects.get()
    assert uploaded.state == RosterImport.State.CHECKING
    with django_assert_max_num_queries(8):
        waiting = client.get(response["Location"])
    html = waiting.content.decode()
    assert 'http-equiv="refresh"' in html and "Nguyễn Văn An" not in html
    assert f"/accounts/nhap-danh-sach/{uploaded.pk}/nhap/" not in html
    assert not roster.roster_confirm(roster=uploaded, user=hr_officer)  # nothing to confirm

    with on_commit():
        tasks.check_roster.delay(roster_id=uploaded.pk)  # as the worker picks it up
    html = client.get(response["Location"]).content.decode()
    assert "Nguyễn Văn An" in html and 'http-equiv="refresh"' not in html
    assert f"/accounts/nhap-danh-sach/{uploaded.pk}/nhap/" in html


def test_a_check_that_breaks_ends_failed_with_a_message_and_no_file(
    agencies, on_commit, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("040190000123 in a traceback")

    monkeypatch.setattr(roster.services, "read_rows", broken)
    with on_commit(), translation.override("en"):
        uploaded = roster.roster_upload(
            user=None,
            upload=ContentFile(csv_bytes([["Người Mới"]]), name="a.csv"),
            file_name="a.csv",
        )
    uploaded.refresh_from_db()
    assert uploaded.state == RosterImport.State.FAILED
    assert uploaded.error and "040190000123" not in uploaded.error
    assert not uploaded.file


def test_a_lost_connection_during_the_check_leaves_it_for_the_retry(
    agencies, on_commit, monkeypatch
):
    calls = []

    def flaky(*args, _read=roster.services.read_rows, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return _read(*args, **kwargs)

    monkeypatch.setattr(roster.services, "read_rows", flaky)
    rows = [["Người Mới", "moi@skhcn.vn", "", "", "NA.SKHCN", "", "CC"]]
    uploaded = check(csv_bytes(rows))
    assert uploaded.state == RosterImport.State.CHECKING  # Celery retries it
    with on_commit():
        tasks.check_roster.delay(roster_id=uploaded.pk)  # the retry
    uploaded.refresh_from_db()
    assert uploaded.state == RosterImport.State.CHECKED and uploaded.summary["valid"] == 1

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(roster.services, "read_rows", down)
    again = check(csv_bytes(rows))
    last = tasks.check_roster.max_retries
    with pytest.raises(OperationalError):
        tasks.check_roster.apply(kwargs={"roster_id": again.pk}, retries=last)
    again.refresh_from_db()
    assert again.state == RosterImport.State.FAILED and not again.file


def test_a_lost_check_is_queued_again_when_the_officer_looks_and_can_be_cancelled(
    client, agencies, hr_officer, on_commit
):
    login(client, "tochuc")
    rows = [["Nguyễn Văn An", "an@skhcn.vn", "", "", "NA.SKHCN", "Chuyên viên", "CC"]]
    upload = SimpleUploadedFile("danh-sach.csv", csv_bytes(rows), content_type="text/csv")
    url = client.post("/accounts/nhap-danh-sach/", {"file": upload})["Location"]  # task lost
    uploaded = RosterImport.objects.get()
    assert client.post(f"/accounts/nhap-danh-sach/{uploaded.pk}/huy/").status_code == 302
    assert RosterImport.objects.filter(pk=uploaded.pk).exists()  # a fresh check is not dropped
    RosterImport.objects.filter(pk=uploaded.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    with on_commit():
        client.get(url)  # the waiting page notices, and queues the check again
    assert "Nguyễn Văn An" in client.get(url).content.decode()
    assert RosterImport.objects.get(pk=uploaded.pk).state == RosterImport.State.CHECKED


def test_a_failed_check_speaks_the_uploaders_language(agencies, on_commit, monkeypatch):
    monkeypatch.setattr(roster.services, "read_rows", lambda *a, **k: 1 / 0)
    rows = [["Nguyễn Văn An", "an@skhcn.vn", "", "", "NA.SKHCN", "Chuyên viên", "CC"]]
    with translation.override("en"):
        uploaded = roster.roster_upload(
            user=None,
            upload=ContentFile(csv_bytes(rows)),
            file_name="danh-sach.csv",
            enqueue=False,
        )
    with pytest.raises(ZeroDivisionError), translation.override("vi"):
        tasks.check_roster.apply(kwargs={"roster_id": uploaded.pk}, throw=True)
    uploaded.refresh_from_db()
    assert uploaded.state == RosterImport.State.FAILED
    assert uploaded.error.startswith("Checking the file stopped")
