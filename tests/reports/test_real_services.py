"""On PostgreSQL with Redis and a real worker (CI's second step): a certificate reaches the
province's coverage figure through the queued rollup within the minute the issue asks."""

import time

import pytest

from reports import services
from reports.models import ALL_GROUPS, Coverage

from .conftest import certify


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_counts_a_new_certificate_within_a_minute(
    province, standard, basic_course, real_worker
):
    an = province.person(province.s1p1, "Nguyễn Văn An")
    services.coverage_rebuild()
    certify(an, basic_course)  # committed: the rollup task goes to the worker

    def certified() -> int:
        row = Coverage.objects.filter(
            organisation=province.root, standard=standard, target_group=ALL_GROUPS
        ).first()
        return row.certified if row else 0

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and certified() == 0 and real_worker.poll() is None:
        time.sleep(0.5)
    assert certified() == 1, "the worker did not count the certificate within 60 s"
