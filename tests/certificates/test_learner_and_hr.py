"""The learner's certificates page and PDF, and HR officers' ZIP downloads of their agency."""

import csv
import io
import zipfile

import pytest
from django.utils import timezone

from accounts.models import Membership
from certificates.models import Certificate, CertificateExport
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory, organisation

from .conftest import complete, pdf_text


@pytest.fixture
def agencies(db):
    province = organisation("NA", "UBND tỉnh Nghệ An", kind="province")
    science = organisation("NA.SKHCN", "Sở Khoa học và Công nghệ", parent=province)
    office = organisation("NA.SKHCN.VP", "Văn phòng Sở", kind="division", parent=science)
    finance = organisation("NA.STC", "Sở Tài chính", parent=province)
    return {"province": province, "science": science, "office": office, "finance": finance}


@pytest.fixture
def certified(armed_course, agencies, on_commit):
    """Two people of Sở KH&CN (one in a unit below it) and one of Sở Tài chính, certified."""
    page, lessons = armed_course
    people = {
        "science": UserFactory(full_name="Hồ Thị Khoa"),
        "office": UserFactory(full_name="Đặng Văn Phòng"),
        "finance": UserFactory(full_name="Vũ Thị Tài"),
    }
    with on_commit():
        for where, user in people.items():
            MembershipFactory(user=user, organisation=agencies[where])
            complete(user, page, lessons)
    return people


@pytest.fixture
def hr_officer(agencies):
    officer = UserFactory(username="tochuc", full_name="Cán Bộ Tổ Chức")
    MembershipFactory(
        user=officer, organisation=agencies["science"], role=Membership.Role.HR_OFFICER
    )
    return officer


def test_my_certificates_lists_mine_with_download_and_share_links(
    client, certified, django_assert_max_num_queries
):
    user = certified["science"]
    login(client, user.username)
    with django_assert_max_num_queries(12):
        response = client.get("/chung-chi-cua-toi/")
    html = response.content.decode()
    certificate = Certificate.objects.get(user=user)
    assert "Kỹ năng số cơ bản" in html and "Còn hiệu lực" in html
    assert f"/chung-chi/{certificate.code}/tai-ve/" in html
    assert "facebook.com/sharer/sharer.php?u=http%3A%2F%2F" in html
    assert certificate.verify_url in html
    assert "Đặng Văn Phòng" not in html and Certificate.objects.count() == 3
    assert "/chung-chi/xuat/" not in html  # learners do not export
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_the_learner_downloads_their_pdf_but_not_someone_elses(client, certified):
    mine = Certificate.objects.get(user=certified["science"])
    theirs = Certificate.objects.get(user=certified["finance"])
    login(client, certified["science"].username)
    response = client.get(f"/chung-chi/{mine.code}/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{mine.serial}.pdf"' in response["Content-Disposition"]
    assert "Hồ Thị Khoa" in pdf_text(b"".join(response.streaming_content))
    assert client.get(f"/chung-chi/{theirs.code}/tai-ve/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, certified):
    code = Certificate.objects.first().code
    assert client.get(f"/chung-chi/{code}/tai-ve/").status_code == 302
    assert client.get("/chung-chi-cua-toi/").status_code == 302


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _zip_names(response) -> list[str]:
    return sorted(n for n in _zip(response).namelist() if n.endswith(".pdf"))


def test_hr_officer_downloads_a_zip_of_their_agency_subtree_only(
    client, certified, hr_officer, agencies, on_commit
):
    login(client, hr_officer.username)
    assert "/chung-chi/xuat/" in client.get("/chung-chi-cua-toi/").content.decode()
    form = client.get("/chung-chi/xuat/").content.decode()
    assert "Sở Khoa học và Công nghệ" in form and "Sở Tài chính" not in form
    with on_commit():
        response = client.post("/chung-chi/xuat/", {"organisation": agencies["science"].pk})
    export = CertificateExport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/xuat/{export.pk}/")
    page = client.get(f"/chung-chi/xuat/{export.pk}/").content.decode()
    assert "Đã sẵn sàng: 2/2 chứng chỉ" in page
    download = client.get(f"/chung-chi/xuat/{export.pk}/tai-ve/")
    assert download["Content-Type"] == "application/zip"
    names = _zip_names(download)
    serials = sorted(
        Certificate.objects.filter(
            user__in=[certified["science"], certified["office"]]
        ).values_list("serial", flat=True)
    )
    assert [name.split(" ")[0] for name in names] == serials
    assert any("Dang Van Phong" in name for name in names)


def test_hr_officer_cannot_export_another_agency(client, certified, hr_officer, agencies):
    login(client, hr_officer.username)
    response = client.post("/chung-chi/xuat/", {"organisation": agencies["finance"].pk})
    assert response.status_code == 200  # the form, with an error
    assert not CertificateExport.objects.exists()


def test_an_export_by_date_range_and_course_for_the_province(
    client, certified, superuser, armed_course, on_commit
):
    Certificate.objects.filter(user=certified["finance"]).update(
        issued_at=timezone.now() - timezone.timedelta(days=40)
    )
    login(client, superuser.username)
    today = timezone.localdate()
    with on_commit():
        client.post(
            "/chung-chi/xuat/",
            {
                "course": armed_course[0].pk,
                "issued_from": (today - timezone.timedelta(days=7)).isoformat(),
                "issued_until": today.isoformat(),
            },
        )
    export = CertificateExport.objects.get()
    assert export.state == "ready" and export.total == 2
    assert len(_zip_names(client.get(f"/chung-chi/xuat/{export.pk}/tai-ve/"))) == 2


def test_nobody_else_sees_an_export_and_learners_cannot_export(
    client, certified, hr_officer, agencies, on_commit
):
    login(client, hr_officer.username)
    with on_commit():
        client.post("/chung-chi/xuat/", {"organisation": agencies["science"].pk})
    export = CertificateExport.objects.get()
    client.logout()
    login(client, certified["science"].username)
    assert client.get(f"/chung-chi/xuat/{export.pk}/").status_code == 404
    assert client.get(f"/chung-chi/xuat/{export.pk}/tai-ve/").status_code == 404
    assert client.get("/chung-chi/xuat/").status_code == 403


def test_in_production_the_zip_is_handed_to_nginx(
    client, certified, hr_officer, agencies, on_commit, settings
):
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_ROOT = str(settings.MEDIA_ROOT)
    settings.SENDFILE_URL = "/protected-media"
    login(client, hr_officer.username)
    with on_commit():
        client.post("/chung-chi/xuat/", {"organisation": agencies["science"].pk})
    export = CertificateExport.objects.get()
    response = client.get(f"/chung-chi/xuat/{export.pk}/tai-ve/")
    assert response["X-Accel-Redirect"] == f"/protected-media/{export.file.name}"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == b""


def test_the_zip_lists_each_certificate_and_its_status_safely_for_excel(
    client, certified, superuser, on_commit
):
    from certificates import services

    holder = certified["finance"]
    holder.full_name = '=HYPERLINK("http://x")'
    holder.save()
    revoked = Certificate.objects.get(user=certified["science"])
    services.certificate_revoke(certificate=revoked, actor=superuser, reason="Trùng hồ sơ")
    services.certificate_reissue(
        certificate=Certificate.objects.get(user=holder), actor=superuser, reason="Sửa tên"
    )
    services.certificate_revoke(certificate=revoked, actor=superuser, reason="Trùng hồ sơ")
    login(client, superuser.username)
    with on_commit():
        client.post("/chung-chi/xuat/", {})
    export = CertificateExport.objects.get()
    archive = _zip(client.get(f"/chung-chi/xuat/{export.pk}/tai-ve/"))
    rows = list(csv.reader(io.StringIO(archive.read("danh-sach.csv").decode("utf-8-sig"))))
    assert rows[0][:3] == ["Số hiệu", "Họ và tên", "Khóa học"]
    by_serial = {row[0]: row for row in rows[1:]}
    assert len(by_serial) == 3
    assert by_serial[revoked.serial][5:7] == ["Đã bị thu hồi", "Trùng hồ sơ"]
    injected = by_serial[Certificate.objects.get(user=holder).serial]
    assert injected[1].startswith("'=")
    assert injected[7] in archive.namelist()
