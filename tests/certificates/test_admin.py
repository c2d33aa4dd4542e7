"""Administrators arm courses (with the backlog confirmed separately), preview templates,
issue by hand, revoke and re-issue from the Wagtail admin."""

import pytest

from certificates.models import Certificate, CourseCertification
from tests.conftest import login
from tests.factories import UserFactory

from .conftest import complete, pdf_text


@pytest.fixture
def admin_client(client, superuser):
    login(client, superuser.username)
    return client


def test_arming_shows_the_backlog_and_issues_it_only_when_ticked(admin_client, course, on_commit):
    page, lessons = course
    with on_commit():
        for _ in range(2):
            complete(UserFactory(), page, lessons)
    html = admin_client.get(f"/admin/chung-chi/khoa-hoc/{page.pk}/bat/").content.decode()
    assert "2 người đã hoàn thành" in html
    with on_commit():
        admin_client.post(f"/admin/chung-chi/khoa-hoc/{page.pk}/bat/", {"valid_months": ""})
    assert CourseCertification.objects.get(course=page).armed
    assert not Certificate.objects.exists()
    with on_commit():
        admin_client.post(f"/admin/chung-chi/khoa-hoc/{page.pk}/bat/", {"include_backlog": "on"})
    assert Certificate.objects.count() == 2


def test_template_preview_draws_a_sample_learner(admin_client, template):
    response = admin_client.get(f"/admin/chung-chi/mau/{template.pk}/xem-thu/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Nguyễn Thị Minh Khai" in text and "Trần Minh Đức" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_issue_by_hand_then_revoke_with_a_reason(admin_client, course, learner, on_commit):
    page, _lessons = course
    with on_commit():
        response = admin_client.post(
            "/admin/chung-chi/cap/",
            {"username": learner.email, "course": page.pk, "reason": "Học lớp trực tiếp"},
        )
    certificate = Certificate.objects.get(user=learner)
    assert response.status_code == 302
    detail = admin_client.get(f"/admin/chung-chi/{certificate.pk}/").content.decode()
    assert "Học lớp trực tiếp" in detail and certificate.serial in detail
    missing = admin_client.post(f"/admin/chung-chi/{certificate.pk}/thu-hoi/", {"reason": ""})
    assert missing.status_code == 200
    admin_client.post(f"/admin/chung-chi/{certificate.pk}/thu-hoi/", {"reason": "Trùng hồ sơ"})
    certificate.refresh_from_db()
    assert certificate.status() == "revoked" and certificate.revocation_reason == "Trùng hồ sơ"
    found = admin_client.get("/admin/chung-chi/", {"q": learner.full_name}).content.decode()
    assert certificate.serial in found and "Đã bị thu hồi" in found


def test_reissue_from_the_admin_redraws_with_the_corrected_name(
    admin_client, armed_course, learner, on_commit
):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    certificate = Certificate.objects.get()
    learner.full_name = "Nguyễn Văn Ân"
    learner.save()
    with on_commit():
        admin_client.post(f"/admin/chung-chi/{certificate.pk}/cap-lai/", {"reason": "Sửa tên"})
    certificate.refresh_from_db()
    assert certificate.version == 2
    assert "Nguyễn Văn Ân" in pdf_text(certificate.pdf.read())


def test_editors_without_the_permission_are_refused(client, staff_user, course):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login(client, staff_user.username)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    for url in ("/admin/chung-chi/", f"/admin/chung-chi/khoa-hoc/{course[0].pk}/bat/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not CourseCertification.objects.exists()
