"""Certificates are issued once per learner and course, automatically only for armed
courses, and survive retries and crashes without duplicates or lost emails."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from certificates import pdf, selectors, services, tasks
from certificates.models import Certificate, CertificateEvent, CourseCertification
from learning.models import CourseCompletion
from tests.factories import UserFactory, course_tree

from .conftest import complete, pdf_text


def test_completing_an_armed_course_issues_one_certificate_and_emails_it(
    armed_course, learner, on_commit
):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    certificate = Certificate.objects.get(user=learner, course=page)
    assert re.fullmatch(rf"NA-{timezone.localtime().year}-\d{{6}}", certificate.serial)
    assert len(certificate.code) >= 20
    assert certificate.pdf and certificate.rendered_version == certificate.version
    [message] = [m for m in mail.outbox if certificate.serial in m.body]
    assert message.to == ["an@example.vn"]
    assert f"/verify/{certificate.code}/" in message.body
    assert "Nguyễn Văn An" in pdf_text(certificate.pdf.read())


def test_a_course_that_is_not_armed_queues_nothing(course, learner, on_commit):
    page, lessons = course
    with on_commit() as callbacks:
        complete(learner, page, lessons)
    assert CourseCompletion.objects.filter(user=learner).exists()
    assert not Certificate.objects.exists()
    assert not any("issue_for_completion" in repr(c) for c in callbacks)
    assert selectors.unissued_completions().count() == 0  # the sweep will not issue it either


def test_issuing_twice_gives_one_certificate(armed_course, learner, on_commit):
    page, lessons = armed_course
    with on_commit():
        completion = complete(learner, page, lessons)
    with on_commit():
        tasks.issue_for_completion.apply(args=[completion.pk])
        tasks.issue_for_completion.apply(args=[completion.pk])
        first, created = services.certificate_issue(user=learner, course=page)
    assert created is False
    assert Certificate.objects.filter(user=learner).count() == 1
    assert Certificate.objects.get() == first
    assert len([m for m in mail.outbox if first.serial in m.body]) == 1
    assert CertificateEvent.objects.filter(certificate=first).count() == 1


@pytest.mark.parametrize("crash_in", ["render", "notify"])
def test_a_task_redelivered_after_the_worker_died_finishes_without_duplicates(
    armed_course, learner, monkeypatch, crash_in, on_commit
):
    page, lessons = armed_course
    completion = complete(learner, page, lessons)  # on_commit not run: the task is "in flight"

    class WorkerDied(BaseException):
        """Like SIGKILL: nothing after this point runs, nothing catches it."""

    real = {"render": pdf.render, "notify": services.get_connection}

    def die(*args, **kwargs):
        raise WorkerDied

    target = (pdf, "render") if crash_in == "render" else (services, "get_connection")
    monkeypatch.setattr(*target, die)
    with pytest.raises(WorkerDied), on_commit():
        tasks.issue_for_completion.apply(args=[completion.pk])
    monkeypatch.setattr(*target, real[crash_in])
    with on_commit():
        tasks.issue_for_completion.apply(args=[completion.pk])  # the redelivery
    certificate = Certificate.objects.get(user=learner, course=page)
    assert certificate.pdf and certificate.notified_at
    assert len([m for m in mail.outbox if certificate.serial in m.body]) == 1
    assert Certificate.objects.count() == 1


def test_arming_issues_the_backlog_only_after_confirmation(course, superuser, on_commit):
    page, lessons = course
    earlier = [UserFactory(), UserFactory()]
    with on_commit():
        for user in earlier:
            complete(user, page, lessons)
        services.certification_arm(course=page, actor=superuser)
    assert not Certificate.objects.exists()
    assert selectors.backlog_before_arming(course=page) == 2
    later = UserFactory()
    with on_commit():
        complete(later, page, lessons)
    assert list(Certificate.objects.values_list("user", flat=True)) == [later.pk]
    with on_commit():
        queued = services.certification_arm(course=page, actor=superuser, include_backlog=True)
    assert queued == 2
    assert Certificate.objects.count() == 3
    assert selectors.backlog_before_arming(course=page) == 0


def test_the_sweep_issues_what_a_lost_task_left(armed_course, learner):
    page, lessons = armed_course
    complete(learner, page, lessons)  # the task never ran (broker down at commit)
    assert not Certificate.objects.exists()
    services.certificates_sweep()
    assert Certificate.objects.get(user=learner).pdf
    services.certificates_sweep()
    assert Certificate.objects.count() == 1


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_in_a_rush_the_first_task_issues_the_certificates_queued_behind_it(armed_course, on_commit):
    page, lessons = armed_course
    names = ["Lê Thị Hoa", "Trần Văn Bình", "Phạm Thu Hà", "Hồ Đức Minh"]
    learners = [
        UserFactory(full_name=name, email=f"hv{n}@example.vn") for n, name in enumerate(names)
    ]
    # They finish one after another; their tasks wait in the queue (on_commit not run yet).
    completions = [complete(user, page, lessons) for user in learners]
    with on_commit():
        tasks.issue_for_completion.apply(args=[completions[0].pk])
    issued = list(Certificate.objects.order_by("serial"))
    assert [c.user for c in issued] == learners  # serials in the order they finished
    for certificate, name in zip(issued, names, strict=True):
        assert certificate.rendered_version == certificate.version
        assert name in pdf_text(certificate.pdf.read())
        [message] = emails_to(certificate.user.email)
        assert f"/verify/{certificate.code}/" in message.body
    with on_commit():
        for completion in completions:  # their own tasks, and one redelivered
            tasks.issue_for_completion.apply(args=[completion.pk])
        tasks.issue_for_completion.apply(args=[completions[-1].pk])
    assert list(Certificate.objects.order_by("serial")) == issued
    assert CertificateEvent.objects.count() == len(learners)
    assert all(len(emails_to(user.email)) == 1 for user in learners)


def test_a_worker_drops_the_tasks_of_those_a_batch_finished(armed_course, monkeypatch, on_commit):
    page, lessons = armed_course
    queued = []
    monkeypatch.setattr(tasks, "issue_when_committed", queued.append)
    with on_commit():
        completions = [complete(UserFactory(), page, lessons) for _ in range(3)]
    assert queued == [c.pk for c in completions]  # sent once each, with the id of their task
    revoked = []
    monkeypatch.setattr(tasks.issue_for_completion.app.control, "revoke", revoked.append)
    tasks.issue_for_completion(completion_id=completions[0].pk)  # as a worker runs it
    assert revoked == [[tasks.completion_task_id(c.pk) for c in completions[1:]]]
    assert Certificate.objects.count() == 3

    def broker_down(ids):
        raise ConnectionError("Redis is restarting")

    more = [complete(UserFactory(), page, lessons) for _ in range(2)]
    monkeypatch.setattr(tasks.issue_for_completion.app.control, "revoke", broker_down)
    tasks.issue_for_completion(completion_id=more[0].pk)  # no error: only the saving is lost
    assert Certificate.objects.count() == 5


def test_a_batch_takes_only_completions_that_would_be_issued_on_their_own(
    course, superuser, on_commit
):
    page, lessons = course
    other, other_lessons = course_tree(title="An toàn thông tin", slug="an-toan")
    services.certification_arm(course=page, actor=superuser)
    services.certification_arm(course=other, actor=superuser)
    first, elsewhere, backdated, second = (UserFactory() for _ in range(4))
    completions = {first: complete(first, page, lessons)}
    completions[elsewhere] = complete(elsewhere, other, other_lessons)
    completions[backdated] = complete(backdated, page, lessons)
    # Recorded after the others but dated before the course was armed (settled late): the
    # backlog, which waits for an administrator's confirmation.
    armed_at = CourseCertification.objects.get(course=page).armed_at
    CourseCompletion.objects.filter(pk=completions[backdated].pk).update(
        completed_at=armed_at - timedelta(days=1)
    )
    completions[second] = complete(second, page, lessons)
    with on_commit():
        tasks.issue_for_completion.apply(args=[completions[first].pk])
    assert set(Certificate.objects.values_list("user", flat=True)) == {first.pk, second.pk}
    with on_commit():
        for completion in completions.values():
            tasks.issue_for_completion.apply(args=[completion.pk])
    assert set(Certificate.objects.values_list("user", "course")) == {
        (first.pk, page.pk),
        (second.pk, page.pk),
        (elsewhere.pk, other.pk),
    }
    assert list(selectors.backlog(course=page).values_list("user", flat=True)) == [backdated.pk]


def test_a_batch_stops_at_its_size_and_the_rest_come_with_their_own_tasks(armed_course, on_commit):
    page, lessons = armed_course
    learners = [UserFactory() for _ in range(3)]
    completions = [complete(user, page, lessons) for user in learners]
    with on_commit():
        settled = services.completion_certify(completion_id=completions[0].pk, batch=2)
    assert settled == [completions[1].pk]  # its task has nothing left to do
    assert set(Certificate.objects.values_list("user", flat=True)) == {
        learners[0].pk,
        learners[1].pk,
    }
    with on_commit():
        for completion in completions:
            tasks.issue_for_completion.apply(args=[completion.pk])
    assert Certificate.objects.count() == 3
    assert all(len(emails_to(user.email)) == 1 for user in learners)


def test_one_pdf_failing_in_a_batch_holds_up_no_one_else(armed_course, on_commit, monkeypatch):
    page, lessons = armed_course
    names = ["Lê Thị Hoa", "Trần Văn Bình", "Phạm Thu Hà"]
    learners = [
        UserFactory(full_name=name, email=f"hv{n}@example.vn") for n, name in enumerate(names)
    ]
    completions = [complete(user, page, lessons) for user in learners]
    real = pdf.render

    def render(content):
        if content.holder_name == "Trần Văn Bình":
            raise OSError("ổ đĩa đầy")  # the disk filled up while his was written
        return real(content)

    monkeypatch.setattr(pdf, "render", render)
    with on_commit():
        settled = services.completion_certify(completion_id=completions[0].pk)
    assert settled == [completions[2].pk]  # his own task is still to run, not dropped
    drawn = Certificate.objects.exclude(pdf="").filter(notified_at__isnull=False)
    assert sorted(c.holder_name for c in drawn) == ["Lê Thị Hoa", "Phạm Thu Hà"]
    waiting = Certificate.objects.get(user=learners[1])
    assert not waiting.pdf and waiting.notified_at is None
    assert emails_to(learners[1].email) == []  # no email about a PDF that is not there
    monkeypatch.undo()  # room on the disk again: the sweep finishes his
    with on_commit():
        services.certificates_sweep()
    waiting.refresh_from_db()
    assert "Trần Văn Bình" in pdf_text(waiting.pdf.read())
    assert all(len(emails_to(user.email)) == 1 for user in learners)


def test_serials_count_up_within_the_year(armed_course, on_commit):
    page, lessons = armed_course
    with on_commit():
        for _ in range(3):
            complete(UserFactory(), page, lessons)
    numbers = sorted(int(s[-6:]) for s in Certificate.objects.values_list("serial", flat=True))
    assert numbers == [1, 2, 3]


def test_expiry_comes_from_the_course(course, superuser, learner, on_commit):
    page, lessons = course
    services.certification_arm(course=page, actor=superuser, valid_months=24)
    with on_commit():
        complete(learner, page, lessons)
    certificate = Certificate.objects.get()
    assert (certificate.expires_at - certificate.issued_at).days in range(730, 732)
    assert certificate.status() == "valid"
    assert certificate.status(certificate.expires_at) == "expired"
    # The administrator shortens it: the next certificate takes the new term at once.
    services.certification_arm(course=page, actor=superuser, valid_months=12)
    later = UserFactory()
    with on_commit():
        complete(later, page, lessons)
    certificate = Certificate.objects.get(user=later)
    assert (certificate.expires_at - certificate.issued_at).days in range(365, 367)


def test_issuing_by_hand_needs_a_reason_and_records_who(course, learner, superuser, on_commit):
    page, _lessons = course
    with pytest.raises(services.CertificateError):
        services.certificate_issue(user=learner, course=page, by_hand=True, actor=superuser)
    with on_commit():
        certificate, created = services.certificate_issue(
            user=learner,
            course=page,
            by_hand=True,
            actor=superuser,
            reason="Học trực tiếp tại Trung tâm",
            grade="Giỏi",
        )
    assert created
    event = certificate.events.get()
    assert (event.kind, event.actor, event.reason) == (
        "issued_by_hand",
        superuser,
        "Học trực tiếp tại Trung tâm",
    )
    assert "Giỏi" in pdf_text(certificate.pdf.read())


def test_reissue_keeps_serial_and_code_and_prints_the_corrected_name(
    armed_course, learner, superuser, on_commit
):
    page, lessons = armed_course
    with on_commit():
        complete(learner, page, lessons)
    certificate = Certificate.objects.get()
    services.certificate_revoke(certificate=certificate, actor=superuser, reason="Sai họ tên")
    learner.full_name = "Nguyễn Văn Ân"
    learner.save()
    with on_commit():
        reissued = services.certificate_reissue(
            certificate=certificate, actor=superuser, reason="Sửa họ tên theo CCCD"
        )
    assert (reissued.serial, reissued.code) == (certificate.serial, certificate.code)
    assert reissued.version == 2 and reissued.status() == "valid"
    assert "Nguyễn Văn Ân" in pdf_text(reissued.pdf.read())
    assert [e.kind for e in reissued.events.all()] == ["issued", "revoked", "reissued"]
    # The holder is told again, and the first version's file is gone (no stale copy to leak).
    assert len([m for m in mail.outbox if certificate.serial in m.body]) == 2
    storage = certificate.pdf.storage
    assert reissued.pdf.name != certificate.pdf.name
    assert storage.exists(reissued.pdf.name) and not storage.exists(certificate.pdf.name)


def test_the_command_issues_by_hand_and_prints_json(course, learner, on_commit):
    page, _lessons = course
    out = StringIO()
    with on_commit():
        call_command(
            "issue_certificate",
            "--user",
            learner.username,
            "--course",
            page.slug,
            "--json",
            stdout=out,
        )
    result = json.loads(out.getvalue())
    certificate = Certificate.objects.get(user=learner)
    assert result["serial"] == certificate.serial
    assert result["code"] == certificate.code
    assert result["verify_url"].endswith(f"/verify/{certificate.code}/")
    again = StringIO()
    call_command(
        "issue_certificate", "--user", learner.email, "--course", page.slug, "--json", stdout=again
    )
    assert json.loads(again.getvalue())["serial"] == certificate.serial
    assert Certificate.objects.count() == 1


def test_disarming_stops_issuing(armed_course, learner, on_commit):
    page, lessons = armed_course
    services.certification_disarm(course=page)
    assert not CourseCertification.objects.get(course=page).armed
    with on_commit():
        complete(learner, page, lessons)
    assert not Certificate.objects.exists()


def test_a_new_signatory_is_printed_on_the_next_certificate_at_once(
    armed_course, learner, template, on_commit
):
    # Templates are kept in the cache while certificates are issued (issue 9); saving one
    # must show on the very next certificate.
    page, lessons = armed_course
    first, _created = services.certificate_issue(
        user=UserFactory(username="le.van.hai"), course=page
    )
    assert "Trần Minh Đức" in pdf_text(first.pdf.read())
    template.signatory_name = "Phạm Thị Hồng"
    template.save()
    with on_commit():
        complete(learner, page, lessons)
    text = pdf_text(Certificate.objects.get(user=learner, course=page).pdf.read())
    assert "Phạm Thị Hồng" in text and "Trần Minh Đức" not in text
