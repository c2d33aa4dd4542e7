"""The rollup tables agree with a direct count, and follow certificates as they come and go."""

import random
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, Organisation
from certificates import services as certificate_services
from certificates.models import Certificate
from reports import services
from reports.models import ALL_GROUPS, Coverage, CoverageMonth, PendingChange
from tests.factories import UserFactory, organisation

from .conftest import T, certify

GROUPS = [choice for choice, _label in Membership.TargetGroup.choices]


def direct_counts(standard_courses) -> dict:
    """What the rollup must say, counted the slow way in Python from the source rows."""
    now = timezone.now()
    valid_holders = {
        c.user_id
        for c in Certificate.objects.filter(course_key__in=standard_courses)
        if c.revoked_at is None and (c.expires_at is None or c.expires_at > now)
    }
    memberships = list(Membership.objects.select_related("organisation"))
    result = {}
    for org in Organisation.objects.filter(active_until__isnull=True):
        inside = [m for m in memberships if m.organisation.path.startswith(org.path)]
        for group in [ALL_GROUPS, *GROUPS]:
            people = {m.user_id for m in inside if group == ALL_GROUPS or m.target_group == group}
            if people:
                result[(org.pk, group)] = (len(people), len(people & valid_holders))
    return result


def rollup() -> dict:
    return {
        (c.organisation_id, c.target_group): (c.members, c.certified)
        for c in Coverage.objects.all()
    }


def random_members(rng: random.Random) -> list:
    root = organisation("R", "Tỉnh", "province")
    nodes = [root]
    for n in range(14):
        parent = rng.choice([node for node in nodes if node.depth < 4])
        parent = Organisation.objects.get(pk=parent.pk)  # treebeard: fresh numchild
        nodes.append(organisation(f"R.{n}", f"Đơn vị {n}", "division", parent))
    people = []
    for n in range(70):
        user = UserFactory(full_name=f"Người {n}")
        for org in rng.sample(nodes, rng.choice([1, 1, 2, 3])):
            Membership.objects.create(user=user, organisation=org, target_group=rng.choice(GROUPS))
        people.append(user)
    return people


def random_certificates(rng: random.Random, people: list, course) -> None:
    for user in people:
        roll = rng.random()
        if roll < 0.55:
            certificate = certify(user, course)
            if roll < 0.1:
                certificate_services.certificate_revoke(
                    certificate=certificate, actor=None, reason="Cấp nhầm"
                )
            elif roll < 0.2:
                Certificate.objects.filter(pk=certificate.pk).update(
                    expires_at=timezone.now() - timedelta(days=rng.randint(1, 90)),
                    issued_at=timezone.now() - timedelta(days=rng.randint(100, 400)),
                )


def random_province(seed: int, course) -> None:
    rng = random.Random(seed)
    random_certificates(rng, random_members(rng), course)


def months() -> dict:
    return {
        (m.organisation_id, m.target_group, m.month): m.certified
        for m in CoverageMonth.objects.all()
        if m.certified
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rebuilt_rollup_equals_a_direct_count_on_random_data(seed, standard, basic_course):
    random_province(seed, basic_course)
    services.coverage_rebuild()
    expected = direct_counts([basic_course.pk])
    assert rollup() == expected
    # Someone in two units of one department counts once for the department.
    assert any(members > 0 for members, _certified in expected.values())


def test_the_incremental_rollup_equals_a_direct_count(standard, basic_course, on_commit):
    rng = random.Random(7)
    with on_commit():
        people = random_members(rng)  # memberships: their organisations are recounted
    assert rollup() == direct_counts([basic_course.pk])
    with on_commit():
        random_certificates(rng, people, basic_course)  # certificates: counts move by one
        # An expiry is noticed by the nightly rebuild; here it is told, as that run would.
        services.changes_record(
            user_ids=Certificate.objects.filter(expires_at__lt=timezone.now()).values_list(
                "user_id", flat=True
            )
        )
    assert PendingChange.objects.count() == 0
    assert rollup() == direct_counts([basic_course.pk])
    trend = months()
    services.coverage_rebuild()
    assert months() == trend and rollup() == direct_counts([basic_course.pk])


def test_a_new_certificate_reaches_every_level_once_committed(
    province, standard, basic_course, on_commit
):
    an = province.person(province.s1p1, "Nguyễn Văn An")
    province.person(province.s1p2, "Trần Thị Bình")
    services.coverage_rebuild()

    def certified(org, group=ALL_GROUPS):
        return Coverage.objects.get(
            organisation=org, standard=standard, target_group=group
        ).certified

    assert certified(province.root) == 0
    with on_commit():
        certify(an, basic_course)
    for org in (province.root, province.s1, province.s1p1):
        assert certified(org) == 1
        assert certified(org, T.CIVIL_SERVANT) == 1
    assert certified(province.s1p2) == 0
    assert not Coverage.objects.filter(organisation=province.s2, certified__gt=0).exists()


def test_revoking_and_leaving_take_people_out_of_the_counts(
    province, standard, basic_course, on_commit
):
    an = province.person(province.s1p1, "Nguyễn Văn An")
    with on_commit():
        certificate = certify(an, basic_course)

    def figures():
        row = Coverage.objects.get(organisation=province.s1, standard=standard, target_group="")
        return row.members, row.certified

    assert figures() == (1, 1)
    with on_commit():
        certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Sai")
    assert figures() == (1, 0)
    with on_commit():
        Membership.objects.filter(user=an).delete()
    assert not Coverage.objects.filter(organisation=province.s1, members__gt=0).exists()


def test_a_change_of_the_standards_courses_recounts_it(province, standard, basic_course, on_commit):
    an = province.person(province.s1p1, "Nguyễn Văn An")
    with on_commit():
        certify(an, basic_course)
        standard.courses.clear()
    row = Coverage.objects.get(organisation=province.root, standard=standard, target_group="")
    assert row.certified == 0
    with on_commit():
        standard.courses.add(basic_course)
    row = Coverage.objects.get(organisation=province.root, standard=standard, target_group="")
    assert row.certified == 1


def test_the_trend_counts_people_in_the_month_they_first_met_the_standard(
    province, standard, basic_course
):
    from reports import selectors

    people = [province.person(province.s1p1, f"Người {n}") for n in range(3)]
    for user in people:
        certify(user, basic_course)
    two_months_ago = timezone.now() - timedelta(days=62)
    Certificate.objects.filter(user=people[0]).update(issued_at=two_months_ago)
    services.coverage_rebuild()
    trend = selectors._trend(province.s1, standard, ALL_GROUPS)
    assert trend[-1]["certified"] == 3
    assert trend[-3]["certified"] >= 1 and trend[-4]["certified"] == 0


def test_a_commune_merge_keeps_the_old_communes_figures_as_history(
    client, province, standard, basic_course, on_commit
):
    from datetime import date

    from accounts import services as accounts_services
    from reports import selectors

    old = [
        organisation(
            f"NA.X{n}", f"Xã Cũ {n}", "commune", Organisation.objects.get(pk=province.root.pk)
        )
        for n in (2, 3)
    ]
    for n, commune in enumerate(old):
        certify(province.person(commune, f"Dân đã học {n}", T.CITIZEN), basic_course)
        province.person(commune, f"Dân chưa học {n}", T.CITIZEN)
    services.coverage_rebuild()
    before = {c.pk: rollup()[(c.pk, ALL_GROUPS)] for c in old}
    root_before = rollup()[(province.root.pk, ALL_GROUPS)]
    new = accounts_services.organisation_create(
        parent=province.root, code="NA.X9", name="Xã Mới Hợp Nhất", kind="commune"
    )
    with on_commit():
        accounts_services.organisation_merge(sources=old, into=new, on=date(2025, 7, 1))
    after = rollup()
    assert after[(new.pk, ALL_GROUPS)] == (4, 2)
    assert after[(province.root.pk, ALL_GROUPS)] == root_before
    # The old communes keep the figures they had when they closed.
    assert (
        {c.pk: after[(c.pk, ALL_GROUPS)] for c in old}
        == before
        == {
            old[0].pk: (2, 1),
            old[1].pk: (2, 1),
        }
    )
    children = selectors.coverage(organisation=province.root, standard=standard, year=2026)[
        "children"
    ]
    closed = [c for c in children if c["organisation"].active_until is not None]
    assert [c["organisation"].merged_into for c in closed] == [new, new]
    assert [c["figure"].certified for c in closed] == [1, 1]


def root_figures(province, standard, org=None):
    row = Coverage.objects.get(
        organisation=org or province.root, standard=standard, target_group=ALL_GROUPS
    )
    return row.members, row.certified


def test_an_expired_certificate_leaves_the_counts_on_the_next_run_and_a_new_one_counts_once(
    province, standard, basic_course, on_commit
):
    an = province.person(province.s1p1, "Nguyễn Văn An")
    with on_commit():
        certificate = certify(an, basic_course)
        # Valid for two more seconds (as if issued with a validity long ago).
        Certificate.objects.filter(pk=certificate.pk).update(
            expires_at=timezone.now() + timedelta(seconds=2)
        )
        services.changes_record(user_ids=[an.pk])
    assert root_figures(province, standard) == (1, 1)
    time.sleep(2.1)
    services.rollup_pending()  # beat's run, every 20 s: no note needed for an expiry
    assert root_figures(province, standard) == (1, 0)
    # A second course of the same standard: certified again, once.
    second = course_of_the_same_standard(standard)
    with on_commit():
        certify(an, second)
    assert root_figures(province, standard) == (1, 1)
    services.coverage_rebuild()
    assert root_figures(province, standard) == (1, 1)


def course_of_the_same_standard(standard):
    from tests.factories import course_tree

    course = course_tree(title="Kỹ năng số nâng cao", slug="ky-nang-so-nang-cao")[0]
    standard.courses.add(course)
    return course


def test_moving_a_unit_redoes_the_counts_above_both_places(
    province, standard, basic_course, on_commit
):
    from accounts import services as accounts_services

    an = province.person(province.s1p1, "Nguyễn Văn An")
    with on_commit():
        certificate = certify(an, basic_course)
    assert root_figures(province, standard, province.s1) == (1, 1)
    with on_commit():
        accounts_services.organisation_move(organisation=province.s1p1, new_parent=province.s2)
    assert not Coverage.objects.filter(organisation=province.s1, members__gt=0).exists()
    assert root_figures(province, standard, province.s2) == (1, 1)
    assert root_figures(province, standard) == (1, 1)
    with on_commit():
        certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Sai")
    assert root_figures(province, standard, province.s2) == (1, 0)
    assert PendingChange.objects.count() == 0


def test_a_merge_cannot_be_dated_in_the_future(province):
    from accounts import services as accounts_services

    before = list(Organisation.objects.values_list("code", "active_until"))
    with pytest.raises(accounts_services.OrganisationRefused):
        accounts_services.organisation_merge(
            sources=[province.x1],
            into=province.s2,
            on=timezone.localdate() + timedelta(days=1),
        )
    assert list(Organisation.objects.values_list("code", "active_until")) == before


def test_a_qualification_that_began_after_it_was_recorded_is_counted_on_the_next_run(
    province, standard, basic_course, on_commit
):
    from reports.models import Qualification

    an = province.person(province.s1p1, "Nguyễn Văn An")
    with on_commit():
        certificate = certify(an, basic_course)
        # Issued by a server whose clock ran a minute ahead: not yet begun when recorded.
        Certificate.objects.filter(pk=certificate.pk).update(
            issued_at=timezone.now() + timedelta(seconds=2)
        )
        services.changes_record(user_ids=[an.pk])
    assert root_figures(province, standard) == (1, 0)
    assert not Qualification.objects.get(user=an).counted
    time.sleep(2.1)
    services.rollup_pending()
    assert root_figures(province, standard) == (1, 1)


def test_a_run_whose_lock_was_taken_stops_instead_of_counting_twice():
    from django.core.cache import cache

    with services._exclusive() as acquired:
        assert acquired
        services._renew()  # still ours
        cache.set(services.RUNNING_KEY, "another run", timeout=60)
        with pytest.raises(services.LockLost):
            services._renew()
    assert cache.get(services.RUNNING_KEY) == "another run"  # not released by the loser
