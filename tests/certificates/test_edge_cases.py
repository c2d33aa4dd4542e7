"""What could go wrong around issuing: a broken course, a deleted course, a revoked
certificate awaiting its email, a lookalike username, a failed export."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from certificates import services, tasks
from certificates.models import Certificate, CertificateExport, CertificateTemplate
from tests.conftest import login
from tests.factories import UserFactory, course_tree

from .conftest import complete


def test_one_broken_course_does_not_stop_the_sweep_for_others(armed_course, superuser):
    page, lessons = armed_course
    other, other_lessons = course_tree(title="An toàn thông tin", slug="an-toan")
    CertificateTemplate.objects.create(
        name="Riêng",
        course=other,
        issuing_body=CertificateTemplate.objects.get().issuing_body,
        signatory_name="Trần Minh Đức",
        signatory_title="Giám đốc",
        active=True,
    )
    services.certification_arm(course=other, actor=superuser)
    first, second = UserFactory(), UserFactory()
    complete(first, page, lessons)  # tasks lost: nothing issued yet
    complete(second, other, other_lessons)
    CertificateTemplate.objects.filter(course__isnull=True).update(active=False)  # page broken
    services.certificates_sweep()
    assert list(Certificate.objects.values_list("user", flat=True)) == [second.pk]


def test_the_backlog_skips_whoever_was_issued_meanwhile(course, superuser, on_commit):
    page, lessons = course
    people = [UserFactory() for _ in range(3)]
    for person in people:
        complete(person, page, lessons)
    with on_commit():
        services.certificate_issue(user=people[1], course=page)
        created = services.certificates_issue_many(course=page, users=people)
    assert created == 2
    assert Certificate.objects.count() == 3
    assert sorted(int(s[-6:]) for s in Certificate.objects.values_list("serial", flat=True)) == [
        1,
        2,
        3,
    ]


def test_a_certificate_revoked_before_its_email_is_never_announced(
    armed_course, learner, superuser
):
    page, lessons = armed_course
    complete(learner, page, lessons)
    certificate, _ = services.certificate_issue(user=learner, course=page, render=False)
    services.certificate_revoke(certificate=certificate, actor=superuser, reason="Cấp nhầm")
    services.certificates_sweep()
    assert not [m for m in mail.outbox if certificate.serial in m.body]


def test_a_deleted_course_still_verifies_and_has_its_badge(
    client, armed_course, learner, on_commit
):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    certificate = Certificate.objects.get()
    page.delete()
    assert "Còn hiệu lực" in client.get(f"/verify/{certificate.code}/").content.decode()
    assertion = client.get(f"/badges/assertions/{certificate.code}/").json()
    badge = client.get(urlsplit(assertion["badge"]).path)
    assert badge.status_code == 200
    assert badge.json()["name"] == "Kỹ năng số cơ bản"


def test_no_badgeclass_for_a_course_that_certified_nobody(client, armed_course, template):
    page, _lessons = armed_course
    assert client.get(f"/badges/classes/{page.pk}/{template.issuing_body_id}/").status_code == 404


def test_an_email_never_finds_a_username_that_looks_like_it(client, course, superuser, on_commit):
    page, _lessons = course
    victim = UserFactory(username="nan", email="nan@example.vn")
    UserFactory(username="nan@example.vn", email="ke.gia.mao@example.vn")
    login(client, superuser.username)
    with on_commit():
        client.post(
            "/admin/chung-chi/cap/",
            {"username": "nan@example.vn", "course": page.pk, "reason": "Học trực tiếp"},
        )
    assert Certificate.objects.get().user == victim


def test_staff_who_issue_certificates_can_download_them(client, armed_course, learner, on_commit):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_certificate"),
    )
    login(client, clerk.username)
    code = Certificate.objects.get().code
    assert client.get(f"/chung-chi/{code}/tai-ve/")["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_an_export_that_crashes_shows_as_failed(superuser, monkeypatch):
    export = CertificateExport.objects.create(requested_by=superuser)

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "export_build", broken)
    with pytest.raises(OSError):
        tasks.build_export.apply(args=[export.pk], throw=True)
    export.refresh_from_db()
    assert export.state == "failed" and "disk full" in export.error
