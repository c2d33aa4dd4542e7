"""Issue 10,000 certificates and report how many per second one core manages.

Two measurements, both on one process (one core):

1. rendering alone: ``certificates.pdf.render`` with a QR code, the embedded Noto Serif
   subset and compression, for distinct names and codes;
2. the whole issue for distinct learners: the serial counter locked and incremented, the
   rows and their history written, the PDFs rendered and stored, the emails queued to the
   outbox; in bulk (``certificates_issue_many``, the path of a confirmed backlog) for all but
   ``--single`` of them, and one at a time (``certificate_issue``, a completion) for the
   rest. Against a throw-away SQLite database by default, or a test copy of the PostgreSQL
   database named by ``BENCH_DATABASE_URL`` (created and dropped).

The target (issue 6) is at least 100 certificates per second per core.

    make bench-certificates     # or: .venv/bin/python bench/certificates.py --count 10000
"""

import argparse
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


def full_issue(count: int, single: int) -> tuple[float, int, float, int]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from certificates import services
    from certificates.models import Certificate, CertificateTemplate, IssuingBody
    from cms.services import default_site_ensure
    from courses.models import CourseIndexPage, CoursePage
    from courses.services import page_publish

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
    User.objects.bulk_create(
        User(username=f"hv{n}", email=f"hv{n}@example.vn", full_name=f"Lê Văn Học {n}")
        for n in range(count)
    )
    learners = list(User.objects.filter(username__startswith="hv").order_by("pk"))
    start = time.perf_counter()
    services.certificates_issue_many(course=course, users=learners[single:])
    bulk_seconds = time.perf_counter() - start
    bulk = Certificate.objects.count()
    start = time.perf_counter()
    for learner in learners[:single]:
        services.certificate_issue(user=learner, course=course)
    single_seconds = time.perf_counter() - start
    return bulk_seconds, bulk, single_seconds, Certificate.objects.count() - bulk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--single", type=int, default=500, help="of which issued one at a time (completions)"
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
        bulk_seconds, bulk, single_seconds, single = full_issue(args.count, args.single)
        issued = bulk + single
        size = sum(f.stat().st_size for f in Path(media).rglob("*.pdf"))
        if database_url:
            teardown_databases(created, verbosity=0)
            vendor = connection.vendor
        else:
            vendor = "sqlite"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"certificates: {args.count} on one core ({vendor})")
    print(f"  render only (QR + font + compression): {args.count / render_seconds:8.1f} per second")
    print(
        f"  issue in bulk (a confirmed backlog: serials, rows, PDFs stored, emails queued):"
        f" {bulk / bulk_seconds:8.1f} per second, {bulk} issued"
    )
    print(
        f"  issue one at a time (a completion each): {single / single_seconds:8.1f} per second,"
        f" {single} issued"
    )
    print(f"  average PDF: {size / max(issued, 1) / 1024:.1f} KiB; peak memory {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
