"""Issue 10,000 certificates and report how many per second one core manages.

Measured in one process (one core):

1. rendering alone: ``certificates.pdf.render`` with a QR code, the embedded Noto Serif
   subset and compression, for distinct names and codes;
2. the whole issue for distinct learners: the serial counter locked and incremented, the
   rows and their history written, the PDFs rendered and stored, the emails queued to the
   outbox. Three ways:

   - in bulk (``certificates_issue_many``), the path of a backlog an administrator confirmed;
   - completions in a rush (``--rush``): the deadline, when learners finish faster than
     their certificates are issued and the completions' tasks wait in the queue; each task
     is run in turn as the worker runs it (``issue_for_completion``), and the first of a run
     issues those queued behind it in one batch;
   - a completion alone (``--lone``): each task runs before the next learner finishes, so
     each certificate is issued by itself; its time is what a learner waits.

Against a throw-away SQLite database by default, or a test copy of the PostgreSQL database
named by ``BENCH_DATABASE_URL`` (created and dropped).

The target (issue 6) is at least 100 certificates per second per core.

    make bench-certificates     # or: .venv/bin/python bench/certificates.py --count 10000
"""

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(media: str, database_url: str | None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    os.environ["MEDIA_ROOT"] = media
    os.environ.pop("REDIS_URL", None)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{media}/bench.sqlite3"
    import django

    django.setup()
    from cms import celery_app

    # As in production, the issuing worker only queues the emails (here to an in-process
    # broker); delivering them is another worker's job and not part of issuing.
    celery_app.conf.task_always_eager = False
    logging.getLogger("celery").setLevel(logging.WARNING)  # not a line per task run
    celery_app.conf.broker_url = "memory://"
    from django.conf import settings

    # …and asks for one recount of the reports per few seconds, not one per certificate
    # (with tasks run at once, as in tests, it would ask every time).
    settings.CELERY_TASK_ALWAYS_EAGER = False


def render_only(count: int) -> float:
    from certificates import pdf

    issued = datetime(2026, 11, 26, 3, tzinfo=UTC)
    pdf.render(pdf.CertificateContent("Khởi động", "Khởi động", "NA-2026-000000", "x", issued))
    start = time.perf_counter()
    for n in range(count):
        pdf.render(
            pdf.CertificateContent(
                holder_name=f"Nguyễn Thị Hồng Ánh {n}",
                course_title="Tìm hiểu Nghị quyết 57-NQ/TW về phát triển khoa học, công nghệ, "
                "đổi mới sáng tạo và chuyển đổi số quốc gia",
                serial=f"NA-2026-{n:06d}",
                verify_url=f"https://hocvuso.nghean.gov.vn/verify/{n:022d}/",
                issued_at=issued,
                issuer_parent="UBND tỉnh Nghệ An",
                issuer_name="Sở Khoa học và Công nghệ tỉnh Nghệ An",
                place="Nghệ An",
                signatory_name="Trần Minh Đức",
                signatory_title="Giám đốc",
            )
        )
    return time.perf_counter() - start


def full_issue(count: int, rush: int, lone: int) -> dict[str, tuple[int, float]]:
    """Issue ``count`` certificates three ways, each to distinct learners; returns, per way,
    how many it issued and in how many seconds."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from accounts.models import User
    from certificates import services, tasks
    from certificates.models import Certificate, CertificateTemplate, IssuingBody
    from cms.services import default_site_ensure
    from courses.models import CourseIndexPage, CoursePage
    from courses.services import page_publish
    from learning.models import CompletionRuleVersion, CourseCompletion

    home = default_site_ensure()
    index = page_publish(
        parent=home, page_class=CourseIndexPage, slug="khoa-hoc", fields={"title": "Khóa học"}
    )
    course = page_publish(
        parent=index,
        page_class=CoursePage,
        slug="nq57",
        fields={"title": "Tìm hiểu Nghị quyết 57-NQ/TW", "summary": "Nghị quyết 57"},
    )
    body = IssuingBody.objects.create(
        name="Sở Khoa học và Công nghệ tỉnh Nghệ An", url="https://skhcn.nghean.gov.vn"
    )
    CertificateTemplate.objects.create(
        name="Mẫu",
        issuing_body=body,
        signatory_name="Trần Minh Đức",
        signatory_title="Giám đốc",
        active=True,
    )
    admin = User.objects.create(username="quantri", is_staff=True, is_superuser=True)
    services.certification_arm(course=course, actor=admin)
    User.objects.bulk_create(
        User(username=f"hv{n}", email=f"hv{n}@example.vn", full_name=f"Lê Văn Học {n}")
        for n in range(count)
    )
    learners = list(User.objects.filter(username__startswith="hv").order_by("pk"))
    backlog, rushed, alone = (
        learners[rush + lone :],
        learners[:rush],
        learners[rush : rush + lone],
    )
    rule, _ = CompletionRuleVersion.objects.get_or_create(course=course, version=1)

    def completions(users) -> list[int]:
        """Each learner's completion, as the lesson page records it (its task is queued)."""
        now = timezone.now()
        done = CourseCompletion.objects.bulk_create(
            CourseCompletion(
                user=user, course=course, course_title=course.title, rule=rule, completed_at=now
            )
            for user in users
        )
        return [completion.pk for completion in done]

    taken = {}
    start = time.perf_counter()
    services.certificates_issue_many(course=course, users=backlog)
    taken["bulk"] = (len(backlog), time.perf_counter() - start)
    # The deadline rush: completions arrived faster than they are issued, their tasks wait
    # in the queue, and the worker runs them in turn.
    queued = completions(rushed)
    start = time.perf_counter()
    for completion_id in queued:
        tasks.issue_for_completion.apply(kwargs={"completion_id": completion_id})
    taken["rush"] = (len(rushed), time.perf_counter() - start)
    # A quiet moment: each completion's task runs before the next learner finishes.
    seconds = 0.0
    for user in alone:
        [completion_id] = completions([user])
        start = time.perf_counter()
        tasks.issue_for_completion.apply(kwargs={"completion_id": completion_id})
        seconds += time.perf_counter() - start
    taken["lone"] = (len(alone), seconds)
    finished = Certificate.objects.exclude(pdf="").filter(notified_at__isnull=False).count()
    if finished != count:
        raise SystemExit(f"{finished} of {count} certificates issued, drawn and emailed")
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="learners in all")
    parser.add_argument(
        "--rush", type=int, default=1000, help="of which completions queued in a rush"
    )
    parser.add_argument(
        "--lone", type=int, default=100, help="and completions issued each on its own"
    )
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="hvs-bench-") as media:
        setup(media, database_url)
        if database_url:
            from django.db import connection
            from django.test.utils import setup_databases, teardown_databases

            created = setup_databases(verbosity=0, interactive=False)
        render_seconds = render_only(args.count)
        taken = full_issue(args.count, args.rush, args.lone)
        size = sum(f.stat().st_size for f in Path(media).rglob("*.pdf"))
        if database_url:
            teardown_databases(created, verbosity=0)
            vendor = connection.vendor
        else:
            vendor = "sqlite"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = {way: done / seconds for way, (done, seconds) in taken.items()}
    print(f"certificates: {args.count} on one core ({vendor})")
    print(f"  render only (QR + font + compression): {args.count / render_seconds:8.1f} per second")
    print(
        f"  issue in bulk (a confirmed backlog: serials, rows, PDFs stored, emails queued):"
        f" {rate['bulk']:8.1f} per second, {taken['bulk'][0]} issued"
    )
    print(
        f"  completions in a rush (their tasks queued, run in turn):"
        f" {rate['rush']:8.1f} per second, {taken['rush'][0]} issued"
    )
    print(
        f"  a completion alone (nobody queued behind it): {rate['lone']:8.1f} per second,"
        f" {1000 / rate['lone']:.1f} ms each, {taken['lone'][0]} issued"
    )
    print(f"  average PDF: {size / args.count / 1024:.1f} KiB; peak memory {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
