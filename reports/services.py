"""Writes in reports: who meets which standard, and the coverage rollup tables.

The path of a change: a certificate is issued (or revoked, or a course completed, or a
membership changes) → ``changes_record`` writes a ``PendingChange`` row in the same
transaction → ``rollup_pending`` (a Celery task, queued on commit and run by beat every 20 s
as a safety net) refreshes those people's ``Qualification`` rows and moves the counts of the
organisations above them by one (a membership change recounts them instead). The same run
takes out qualifications that expired. A nightly ``coverage_rebuild`` recounts everything,
correcting any drift.

Counts are of distinct people: someone with memberships in two units of one department
counts once for the department.
"""

import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from accounts.models import Membership, Organisation
from certificates.models import Certificate
from learning.models import CourseCompletion

from .models import (
    ALL_GROUPS,
    Coverage,
    CoverageMonth,
    PendingChange,
    PopulationFigure,
    Qualification,
    Standard,
    Target,
)

logger = logging.getLogger(__name__)

CHUNK = 2000
# Beyond this many organisations to recount, one pass per tree level is cheaper than one
# query per organisation.
PER_ORGANISATION_LIMIT = 150
RUNNING_KEY = "reports:rollup-running"
QUEUED_KEY = "reports:rollup-queued"


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Recording what changed ---------------------------------------------------------------


def changes_record(
    *,
    user_ids: Iterable[int] = (),
    member_ids: Iterable[int] = (),
    organisation_ids: Iterable[int] = (),
) -> None:
    """Note what may have changed the counts, to be counted once this transaction commits:
    ``user_ids`` whose certificates or completions changed, ``member_ids`` whose memberships
    changed, ``organisation_ids`` that lost a member.

    Called inside the transaction that made the change, so the note commits or rolls back
    with it.
    """
    rows = [PendingChange(user_id=pk) for pk in set(user_ids) if pk]
    rows += [PendingChange(user_id=pk, memberships=True) for pk in set(member_ids) if pk]
    rows += [PendingChange(organisation_id=pk) for pk in set(organisation_ids) if pk]
    if not rows:
        return
    PendingChange.objects.bulk_create(rows, batch_size=CHUNK)
    transaction.on_commit(_rollup_soon)


def _rollup_soon() -> None:
    from .tasks import rollup_pending

    # Many certificates in a few seconds need one recount, not one each; beat catches
    # whatever arrives while the key is held.
    if settings.CELERY_TASK_ALWAYS_EAGER or cache.add(QUEUED_KEY, 1, timeout=5):
        rollup_pending.delay()


# --- Qualifications -----------------------------------------------------------------------


def _qualifying(standard: Standard, course_ids: list[int], user_ids: list[int] | None):
    """``(user_id, since, until)`` for everyone (or ``user_ids``) meeting ``standard``."""
    if standard.kind == Standard.Kind.CERTIFICATE:
        rows = Certificate.objects.filter(
            course_key__in=course_ids, revoked_at__isnull=True, user__isnull=False
        )
        if user_ids is not None:
            rows = rows.filter(user_id__in=user_ids)
        rows = (
            rows.values("user_id")
            .annotate(
                since=Min("issued_at"),
                until=Max("expires_at"),
                open_ended=Count("pk", filter=Q(expires_at__isnull=True)),
            )
            .order_by()
        )
        for row in rows.iterator(chunk_size=CHUNK):
            yield row["user_id"], row["since"], None if row["open_ended"] else row["until"]
    else:
        rows = CourseCompletion.objects.filter(course_id__in=course_ids)
        if user_ids is not None:
            rows = rows.filter(user_id__in=user_ids)
        rows = rows.values("user_id").annotate(since=Min("completed_at")).order_by()
        for row in rows.iterator(chunk_size=CHUNK):
            yield row["user_id"], row["since"], None


def _valid(since, until, moment) -> bool:
    return since is not None and since <= moment and (until is None or until > moment)


def _month(moment) -> date | None:
    return timezone.localtime(moment).date().replace(day=1) if moment else None


def qualifications_refresh(
    *, user_ids: list[int], standards: list[Standard] | None = None
) -> list[tuple[int, int, int, date | None, date | None]]:
    """Bring these people's ``Qualification`` rows in line with their certificates and
    completions (created, moved, or removed when a certificate was revoked).

    Returns what changed for the counts, as ``(user, standard, ±1 or 0 for "meets it now",
    month first met before, month first met now)``. Call it inside a transaction to apply
    the change and its consequences together.
    """
    standards = standards if standards is not None else list(Standard.objects.all())
    now = timezone.now()
    flips = []
    for standard in standards:
        course_ids = list(standard.courses.values_list("pk", flat=True))
        for chunk in _chunks(sorted(set(user_ids))):
            wanted = {
                pk: (since, until) for pk, since, until in _qualifying(standard, course_ids, chunk)
            }
            with transaction.atomic():
                existing = {
                    q.user_id: q
                    for q in Qualification.objects.select_for_update().filter(
                        standard=standard, user_id__in=chunk
                    )
                }
                changed = []
                for pk in set(existing) | set(wanted):
                    old = existing.get(pk)
                    before = (old.since, old.until) if old else (None, None)
                    after = wanted.get(pk, (None, None))
                    counted = _valid(*after, now)
                    sign = int(counted) - int(old.counted if old else False)
                    if before == after and not sign:
                        continue
                    flips.append((pk, standard.pk, sign, _month(before[0]), _month(after[0])))
                    if old is not None and pk in wanted:
                        old.since, old.until, old.counted = *after, counted
                        changed.append(old)
                Qualification.objects.filter(
                    standard=standard, user_id__in=set(existing) - set(wanted)
                ).delete()
                Qualification.objects.bulk_update(changed, ["since", "until", "counted"])
                Qualification.objects.bulk_create(
                    [
                        Qualification(
                            standard=standard,
                            user_id=pk,
                            since=s,
                            until=u,
                            counted=_valid(s, u, now),
                        )
                        for pk, (s, u) in wanted.items()
                        if pk not in existing
                    ],
                    ignore_conflicts=True,
                )
    return flips


def qualifications_rebuild(*, standard: Standard) -> int:
    """Recompute every ``Qualification`` of ``standard`` (its courses changed, or nightly).

    Done in one transaction: readers see the old rows until the new ones are complete.
    """
    course_ids = list(standard.courses.values_list("pk", flat=True))
    count = 0
    now = timezone.now()
    with transaction.atomic():
        Qualification.objects.filter(standard=standard).delete()
        batch = []
        for pk, since, until in _qualifying(standard, course_ids, None):
            batch.append(
                Qualification(
                    standard=standard,
                    user_id=pk,
                    since=since,
                    until=until,
                    counted=_valid(since, until, now),
                )
            )
            if len(batch) >= CHUNK:
                Qualification.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Qualification.objects.bulk_create(batch)
        count += len(batch)
    return count


# --- Counting ----------------------------------------------------------------------------


def qualified_now(standard: Standard) -> Exists:
    """Whether the membership's person meets ``standard`` as the rollup counts it (now, or
    until the next run of the rollup notices an expiry, within the minute)."""
    return Exists(
        Qualification.objects.filter(standard=standard, user_id=OuterRef("user_id"), counted=True)
    )


def active_memberships() -> QuerySet[Membership]:
    """Memberships in organisations that exist today (a merged commune's are carried over)."""
    today = timezone.localdate()
    return Membership.objects.filter(
        Q(organisation__active_until__isnull=True) | Q(organisation__active_until__gte=today)
    )


def _count(memberships: QuerySet[Membership], standard: Standard, length: int):
    """Members and certified people per (ancestor path, target group), every group once
    under ``ALL_GROUPS``; and the month each certified person first met the standard."""
    scoped = memberships.annotate(anc=Substr("organisation__path", 1, length))
    qualified = qualified_now(standard)
    since = Subquery(
        Qualification.objects.filter(standard=standard, user_id=OuterRef("user_id")).values(
            "since"
        )[:1]
    )
    figures: dict[tuple[str, str], list[int]] = {}
    months: dict[tuple[str, str], dict] = defaultdict(dict)
    for keys, group_of in ((("anc", "target_group"), None), (("anc",), ALL_GROUPS)):
        rows = (
            scoped.values(*keys)
            .annotate(
                members=Count("user_id", distinct=True),
                certified=Count("user_id", distinct=True, filter=Q(qualified)),
            )
            .order_by()
        )
        for row in rows:
            group = row["target_group"] if group_of is None else group_of
            figures[(row["anc"], group)] = [row["members"], row["certified"]]
        rows = (
            scoped.annotate(since=since)
            .filter(since__isnull=False)
            .annotate(month=TruncMonth("since"))
            .values(*keys, "month")
            .annotate(n=Count("user_id", distinct=True))
            .order_by()
        )
        for row in rows:
            group = row["target_group"] if group_of is None else group_of
            month = row["month"]
            month = month.date() if isinstance(month, datetime) else month
            months[(row["anc"], group)][month] = row["n"]
    return figures, months


def _write(organisations: list[Organisation], standard: Standard, figures, months) -> None:
    """Replace the rows of ``organisations`` for ``standard`` with what was counted."""
    _renew()
    ids = [o.pk for o in organisations]
    with transaction.atomic():
        Coverage.objects.filter(standard=standard, organisation_id__in=ids).delete()
        CoverageMonth.objects.filter(standard=standard, organisation_id__in=ids).delete()
        by_path = {o.path: o for o in organisations}
        Coverage.objects.bulk_create(
            [
                Coverage(
                    organisation=by_path[path],
                    standard=standard,
                    target_group=group,
                    members=members,
                    certified=certified,
                )
                for (path, group), (members, certified) in figures.items()
                if path in by_path
            ],
            batch_size=CHUNK,
        )
        CoverageMonth.objects.bulk_create(
            [
                CoverageMonth(
                    organisation=by_path[path],
                    standard=standard,
                    target_group=group,
                    month=month,
                    certified=n,
                )
                for (path, group), counts in months.items()
                if path in by_path
                for month, n in counts.items()
            ],
            batch_size=CHUNK,
        )


def _active(organisations: Iterable[Organisation]) -> list[Organisation]:
    """Closed and merged organisations are history: their last counts stay as they were."""
    today = timezone.localdate()
    return [
        o
        for o in organisations
        if o.merged_into_id is None and (o.active_until is None or o.active_until >= today)
    ]


def coverage_recount(*, organisations: list[Organisation], standards: list[Standard]) -> None:
    """Recount these organisations' subtrees, one organisation at a time."""
    for organisation in _active(organisations):
        scoped = active_memberships().filter(organisation__path__startswith=organisation.path)
        for standard in standards:
            figures, months = _count(scoped, standard, len(organisation.path))
            _write([organisation], standard, figures, months)


def coverage_rebuild(*, standards: list[Standard] | None = None, qualifications=True) -> bool:
    """Recount every organisation (nightly, and after a change of a standard's courses).
    With ``qualifications`` the people's standing is rebuilt first. Waits for a running
    rollup to finish; returns False if it could not start (the caller retries later)."""
    with _exclusive(wait=60) as acquired:
        if acquired:
            try:
                _rebuild(
                    standards if standards is not None else list(Standard.objects.all()),
                    qualifications,
                )
            except LockLost:
                logger.warning("coverage rebuild stopped: its lock lapsed; retried")
                return False
        return acquired


def _rebuild(standards: list[Standard], qualifications: bool) -> None:
    """One pass per tree level: cheaper than one query per organisation past a few hundred."""
    if qualifications:
        for standard in standards:
            qualifications_rebuild(standard=standard)
        _statistics_refresh()
    organisations = _active(Organisation.objects.all())
    depth = max((o.depth for o in organisations), default=0)
    for level in range(1, depth + 1):
        at_level = [o for o in organisations if o.depth == level]
        scoped = active_memberships().filter(organisation__depth__gte=level)
        for standard in standards:
            figures, months = _count(scoped, standard, level * Organisation.steplen)
            _write(at_level, standard, figures, months)


def _statistics_refresh() -> None:
    """Let PostgreSQL's planner see the qualifications just written. The counts below look
    each person's qualification up; planned on statistics taken before a first rebuild (a
    few rows), that lookup became a scan per person, and one query of the recount of a
    million people was still running after six minutes (the whole recount takes about
    two). Outside a transaction (the nightly task), the rows are committed and ANALYZE
    samples them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_qualification")


LOCK_SECONDS = 10 * 60  # renewed at every batch and every level written


class LockLost(Exception):
    """The rollup's lock expired or was taken while it ran: it stops, and what it committed
    stands (each step is whole); the next run carries on."""


_held: dict[str, str] = {}


@contextmanager
def _exclusive(wait: float = 0):
    """One rollup or rebuild at a time, across workers (a cache lock: Redis in production).

    Deltas applied while a rebuild counts would be counted twice, so both take this lock.
    It expires by itself if a worker dies holding it, and is released only by its owner.
    """
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while True:
        acquired = cache.add(RUNNING_KEY, token, timeout=LOCK_SECONDS)
        if acquired or time.monotonic() >= deadline:
            break
        time.sleep(1)
    if acquired:
        _held["token"] = token
    try:
        yield acquired
    finally:
        if acquired:
            _held.pop("token", None)
            if cache.get(RUNNING_KEY) == token:
                cache.delete(RUNNING_KEY)


def _renew() -> None:
    """Extend the lock this process holds, or stop if it is no longer ours (it lapsed and
    another run took it: two runs at once would count changes twice)."""
    token = _held.get("token")
    if token is None:
        return  # called outside a locked run (tests, a recount asked for directly)
    if cache.get(RUNNING_KEY) != token or not cache.touch(RUNNING_KEY, LOCK_SECONDS):
        raise LockLost


def _ancestors(paths: Iterable[str]) -> set[str]:
    step = Organisation.steplen
    return {path[:length] for path in paths for length in range(step, len(path) + 1, step)}


def _apply(flips: list, standards: dict[int, Standard]) -> set[int]:
    """Move the counts by what changed for each person, without recounting anyone else:
    ±1 on every row that counts them (each organisation above their units, their target
    groups and every group once). Returns organisations whose rows were missing, to recount.
    """
    users = {flip[0] for flip in flips}
    contributions: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for chunk in _chunks(sorted(users)):
        for user_id, path, group in (
            active_memberships()
            .filter(user_id__in=chunk)
            .values_list("user_id", "organisation__path", "target_group")
        ):
            for ancestor in _ancestors([path]):
                contributions[user_id].update({(ancestor, group), (ancestor, ALL_GROUPS)})
    paths = {path for rows in contributions.values() for path, _group in rows}
    ids = {o.path: o.pk for o in _active(Organisation.objects.filter(path__in=paths))}
    certified: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    months: dict[tuple[int, str, date, int], list[int]] = defaultdict(list)
    for user_id, standard_id, sign, month_before, month_after in flips:
        for path, group in contributions.get(user_id, ()):
            if path not in ids:
                continue
            if sign:
                certified[(standard_id, group, sign)].append(ids[path])
            if month_before != month_after:
                if month_before:
                    months[(standard_id, group, month_before, -1)].append(ids[path])
                if month_after:
                    months[(standard_id, group, month_after, 1)].append(ids[path])
    # A row that is missing, or holds fewer than it should lose, was not counted the way this
    # change assumes (a unit moved, the rollup never ran): that organisation is recounted.
    missing: set[int] = set()
    for (standard_id, group, sign), org_ids in certified.items():
        for org_id, times in Counter(org_ids).items():
            rows = Coverage.objects.filter(
                standard_id=standard_id, target_group=group, organisation_id=org_id
            )
            if sign < 0:
                rows = rows.filter(certified__gte=times)
            if not rows.update(certified=F("certified") + sign * times):
                missing.add(org_id)
    for (standard_id, group, month, sign), org_ids in months.items():
        for org_id, times in Counter(org_ids).items():
            key = {
                "standard_id": standard_id,
                "target_group": group,
                "organisation_id": org_id,
                "month": month,
            }
            if sign < 0:
                rows = CoverageMonth.objects.filter(**key, certified__gte=times)
                if not rows.update(certified=F("certified") - times):
                    missing.add(org_id)
                continue
            row, _created = CoverageMonth.objects.get_or_create(**key)
            CoverageMonth.objects.filter(pk=row.pk).update(certified=F("certified") + times)
    return missing


def rollup_pending(*, limit: int = 50_000, passes: int = 5) -> int:
    """Process the pending changes and the expiries due. Returns how many it processed (0 if
    another run holds the lock; beat comes back).

    A certificate, a completion or an expiry moves the counts of the person's organisations
    by one, in the same transaction that refreshes their standing and deletes the note: a
    crash leaves the note for the next run, never half a change. A change of memberships
    recounts the organisations concerned (past ``PER_ORGANISATION_LIMIT`` of them,
    everything). Notes are deleted by id, so one committed during the run stays for the next.
    """
    with _exclusive() as acquired:
        if not acquired:
            return 0
        done = 0
        try:
            for _pass in range(passes):
                processed = _rollup_once(limit)
                if not processed:
                    break
                done += processed
        except LockLost:
            logger.warning("coverage rollup stopped: its lock lapsed; the next run carries on")
        return done


def _rollup_once(limit: int) -> int:
    pending = list(PendingChange.objects.order_by("pk")[:limit])
    now = timezone.now()
    # Qualifications whose time came since they were counted: expired, or (a clock behind,
    # a date set ahead) begun.
    due = Qualification.objects.filter(counted=True, until__lte=now).values_list(
        "user_id", flat=True
    )[:limit]
    begun = (
        Qualification.objects.filter(counted=False, since__lte=now)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .values_list("user_id", flat=True)[:limit]
    )
    expired = sorted(set(due) | set(begun))
    if not pending and not expired:
        return 0
    standards = list(Standard.objects.all())
    by_id = {s.pk: s for s in standards}
    members = {p.user_id for p in pending if p.memberships and p.user_id}
    simple = [p for p in pending if p.user_id and not p.memberships]
    batches = [
        ([p.user_id for p in chunk], [p.pk for p in chunk]) for chunk in _chunks(simple, 500)
    ]
    batches += [(chunk, []) for chunk in _chunks(expired, 500)]
    for user_ids, note_ids in batches:
        _renew()
        with transaction.atomic():
            flips = qualifications_refresh(user_ids=user_ids, standards=standards)
            missing = _apply([f for f in flips if f[0] not in members], by_id)
            # Recounted in this run's next pass, or the next run if this one stops here.
            PendingChange.objects.bulk_create(PendingChange(organisation_id=pk) for pk in missing)
            PendingChange.objects.filter(pk__in=note_ids).delete()
    rest = [p for p in pending if not (p.user_id and not p.memberships)]
    if not rest:
        return len(pending) + len(expired)
    qualifications_refresh(user_ids=sorted(members), standards=standards)
    paths = set(
        Organisation.objects.filter(
            pk__in={p.organisation_id for p in rest if p.organisation_id}
        ).values_list("path", flat=True)
    )
    for chunk in _chunks(sorted(members)):
        paths.update(
            Membership.objects.filter(user_id__in=chunk).values_list(
                "organisation__path", flat=True
            )
        )
    dirty = list(Organisation.objects.filter(path__in=_ancestors(paths)).order_by("path"))
    if len(dirty) > PER_ORGANISATION_LIMIT:
        _rebuild(standards, qualifications=False)
    else:
        coverage_recount(organisations=dirty, standards=standards)
    for chunk in _chunks([p.pk for p in rest]):
        PendingChange.objects.filter(pk__in=chunk).delete()
    return len(pending) + len(expired)


# --- Standards, targets and population figures (administrators, the demo) -----------------


@transaction.atomic
def standard_upsert(
    *, code: str, name: str, kind: str, courses: list, sort_order: int = 0
) -> Standard:
    """Create or update the standard ``code``; a change of its courses recounts it."""
    standard, _created = Standard.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "sort_order": sort_order}
    )
    if set(standard.courses.values_list("pk", flat=True)) != {c.pk for c in courses}:
        standard.courses.set(courses)
    return standard


@transaction.atomic
def target_upsert(
    *,
    standard: Standard,
    target_group: str,
    year: int,
    percent: float,
    deadline=None,
    denominator: str = Target.Denominator.MEMBERS,
) -> Target:
    target, _created = Target.objects.update_or_create(
        standard=standard,
        target_group=target_group,
        year=year,
        defaults={
            "percent": percent,
            "deadline": deadline or date(year, 12, 31),
            "denominator": denominator,
        },
    )
    return target


@transaction.atomic
def population_figure_set(
    *, organisation: Organisation, target_group: str, year: int, count: int
) -> PopulationFigure:
    figure, _created = PopulationFigure.objects.update_or_create(
        organisation=organisation,
        target_group=target_group,
        year=year,
        defaults={"count": count},
    )
    return figure
