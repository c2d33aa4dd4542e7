"""Issue (or re-issue) one certificate by hand, e.g. for a learner trained in person."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import users_by_login
from certificates import services
from courses.models import CoursePage

DEFAULT_REASON = "Cấp bằng lệnh quản trị (manage.py issue_certificate)"


class Command(BaseCommand):
    help = (
        "Cấp chứng chỉ cho một người học. "
        "Issue a learner's certificate for a course (idempotent; --reissue draws it again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", required=True, help="Tên đăng nhập hoặc email. Username or email."
        )
        parser.add_argument("--course", required=True, help="Slug của khóa học. The course's slug.")
        parser.add_argument(
            "--reason", default="", help="Lý do (ghi vào lịch sử). Reason, recorded."
        )
        parser.add_argument(
            "--grade", default="", help="Kết quả in trên chứng chỉ. Printed result."
        )
        parser.add_argument("--reissue", action="store_true", help="Cấp lại. Re-issue.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON. Print JSON.")

    def handle(self, *args, user, course, reason, grade, reissue, json: bool, **options):
        learners = users_by_login(user)
        if not learners:
            raise CommandError(f"Không có tài khoản “{user}”. No such user or verified email.")
        if len(learners) > 1:
            raise CommandError(
                f"Nhiều tài khoản khớp “{user}”, hãy dùng tên đăng nhập. "
                "Several accounts match: give the username."
            )
        learner = learners[0]
        courses = list(CoursePage.objects.filter(slug=course))
        if not courses:
            raise CommandError(f"Không có khóa học “{course}”. No course with this slug.")
        if len(courses) > 1:
            ids = ", ".join(str(c.pk) for c in courses)
            raise CommandError(f"Nhiều khóa học trùng slug (id {ids}). Several courses share it.")
        reason = reason.strip() or DEFAULT_REASON
        try:
            certificate, created = services.certificate_issue(
                user=learner, course=courses[0], by_hand=True, reason=reason, grade=grade
            )
            if reissue and not created:
                certificate = services.certificate_reissue(
                    certificate=certificate, actor=None, reason=reason
                )
        except services.CertificateError as error:
            raise CommandError(str(error)) from error
        result = {
            "serial": certificate.serial,
            "code": certificate.code,
            "verify_url": certificate.verify_url,
            "created": created,
            "status": certificate.status(),
        }
        if json:
            self.stdout.write(_dumps(result))
        else:
            verb = "Đã cấp" if created else ("Đã cấp lại" if reissue else "Đã có sẵn")
            self.stdout.write(f"{verb} {certificate.serial}: {certificate.verify_url}")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
