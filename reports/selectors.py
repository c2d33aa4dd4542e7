"""Reads for reports: coverage figures from the rollup tables, and the people behind them.

Nothing here counts people on a page view: figures come from ``Coverage`` and
``CoverageMonth`` (a handful of rows per organisation), which ``reports.services`` keeps.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation

from .models import (
    ALL_GROUPS,
    Coverage,
    CoverageMonth,
    PopulationFigure,
    Qualification,
    Standard,
    Target,
)
from .services import active_memberships, qualified_now

TREND_MONTHS = 12
FORECAST_MONTHS = 6
GROUP_LABELS = dict(Membership.TargetGroup.choices)


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, _("All target groups")))


@dataclass
class Figure:
    """One organisation's standing for one standard and target group."""

    members: int = 0
    certified: int = 0
    denominator: int = 0
    population: bool = False  # the denominator is an official population figure
    target: Target | None = None
    trend: list[dict] = field(default_factory=list)
    forecast_percent: float | None = None

    @property
    def percent(self) -> float:
        if not self.denominator:
            return 0.0
        return min(100.0, round(100 * self.certified / self.denominator, 1))

    @property
    def target_percent(self) -> float | None:
        return float(self.target.percent) if self.target else None

    @property
    def target_count(self) -> int | None:
        if self.target is None:
            return None
        return math.ceil(self.denominator * float(self.target.percent) / 100)

    @property
    def gap(self) -> int | None:
        if self.target_count is None:
            return None
        return max(0, self.target_count - self.certified)

    @property
    def met(self) -> bool:
        """The target is reached; never for a group with nobody in it (nothing was met)."""
        return self.target is not None and self.denominator > 0 and self.gap == 0

    @property
    def months_left(self) -> float | None:
        if self.target is None:
            return None
        return max(0.0, (self.target.deadline - timezone.localdate()).days / 30.44)

    @property
    def needed_per_month(self) -> int | None:
        """People to certify each month from now to meet the target on time."""
        if self.gap is None:
            return None
        months = self.months_left or 0
        return self.gap if months < 1 else math.ceil(self.gap / months)

    @property
    def on_track(self) -> bool | None:
        if self.target is None or self.forecast_percent is None:
            return None
        return self.forecast_percent >= float(self.target.percent)

    def as_dict(self) -> dict:
        return {
            "members": self.members,
            "certified": self.certified,
            "denominator": self.denominator,
            "denominator_is_population": self.population,
            "percent": self.percent,
            "target_percent": self.target_percent,
            "target_count": self.target_count,
            "gap": self.gap,
            "deadline": self.target.deadline.isoformat() if self.target else None,
            "forecast_percent": self.forecast_percent,
            "needed_per_month": self.needed_per_month,
            "trend": [
                {"month": p["month"].isoformat(), "certified": p["certified"]} for p in self.trend
            ],
        }


def standards() -> list[Standard]:
    return list(Standard.objects.all())


def years_of(standard: Standard) -> list[int]:
    return sorted(set(standard.targets.values_list("year", flat=True)))


def default_year(years: list[int]) -> int:
    """The first target year not yet past, or the last one; this year without targets."""
    this_year = timezone.localdate().year
    upcoming = [y for y in years if y >= this_year]
    return upcoming[0] if upcoming else (years[-1] if years else this_year)


def children_of(organisation: Organisation) -> list[Organisation]:
    """The organisations right below, open ones first; merged ones stay listed as history."""
    rows = Organisation.objects.filter(
        path__startswith=organisation.path, depth=organisation.depth + 1
    ).select_related("merged_into")
    return sorted(rows, key=lambda o: (o.active_until is not None, o.name))


def _population(organisations: list[Organisation], group: str, year: int) -> dict[int, int]:
    """The official figure for each organisation: the sum over its subtree, each commune's
    latest figure up to ``year``. One condition per subtree not inside another (a unit and
    its children: one), and each figure added to its units by their path prefixes."""
    if not organisations or group == ALL_GROUPS:
        return {}
    by_path = {o.path: o.pk for o in organisations}
    lengths = sorted({len(path) for path in by_path})
    outermost = [
        path for path in by_path if not any(path[:n] in by_path for n in lengths if n < len(path))
    ]
    condition = Q()
    for path in outermost:
        condition |= Q(organisation__path__startswith=path)
    latest: dict[str, int] = {}
    for path, count in (
        PopulationFigure.objects.filter(condition, target_group=group, year__lte=year)
        .values_list("organisation__path", "count")
        .order_by("organisation__path", "year")
    ):
        latest[path] = count  # the last year up to ``year`` wins
    totals: dict[int, int] = {}
    for path, count in latest.items():
        for n in lengths:
            pk = by_path.get(path[:n])
            if pk is not None:
                totals[pk] = totals.get(pk, 0) + count
    return totals


def _trend(organisation: Organisation, standard: Standard, group: str) -> list[dict]:
    """Cumulative people certified at the end of each of the last months (first time met)."""
    return _trend_of(
        CoverageMonth.objects.filter(
            organisation=organisation, standard=standard, target_group=group
        ).values_list("month", "certified")
    )


def _trend_of(increments) -> list[dict]:
    """The trend from ``(month, people first certified that month)`` pairs."""
    today = timezone.localdate()
    months = []
    year, month = today.year, today.month
    for _i in range(TREND_MONTHS):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    points = {m: 0 for m in months}
    before = 0
    for month, count in increments:
        if month < months[0]:
            before += count
        elif month in points:
            points[month] += count
    running = before
    trend = []
    for month in months:
        running += points[month]
        trend.append({"month": month, "certified": running})
    peak = trend[-1]["certified"] or 1
    for point in trend:
        point["height"] = round(100 * point["certified"] / peak, 1)
    return trend


def _forecast(figure: Figure) -> float | None:
    """Where the present pace (people per month over the last six) leads by the deadline."""
    if figure.target is None or not figure.denominator or len(figure.trend) <= FORECAST_MONTHS:
        return None
    pace = (figure.trend[-1]["certified"] - figure.trend[-1 - FORECAST_MONTHS]["certified"]) / (
        FORECAST_MONTHS
    )
    projected = figure.certified + pace * (figure.months_left or 0)
    return min(100.0, round(100 * projected / figure.denominator, 1))


def coverage(
    *,
    organisation: Organisation,
    standard: Standard,
    year: int,
    target_group: str = ALL_GROUPS,
) -> dict:
    """Everything the dashboard shows for one organisation and standard: its figure per
    target group (with target, gap, trend and forecast), and its children's figures for the
    chosen group. A fixed handful of queries whatever the size of the province."""
    children = children_of(organisation)
    ids = [organisation.pk] + [c.pk for c in children]
    counts = {
        (row[0], row[1]): row[2:]  # members, certified, updated_at: a row per unit and group
        for row in Coverage.objects.filter(standard=standard, organisation_id__in=ids).values_list(
            "organisation_id", "target_group", "members", "certified", "updated_at"
        )
    }
    targets = {t.target_group: t for t in Target.objects.filter(standard=standard, year=year)}
    population_groups = {
        group for group, t in targets.items() if t.denominator == Target.Denominator.POPULATION
    }
    populations = {
        group: _population([organisation, *children], group, year) for group in population_groups
    }

    def figure_for(org: Organisation, group: str) -> Figure:
        row = counts.get((org.pk, group))
        members, certified = row[:2] if row else (0, 0)
        target = targets.get(group)
        population = populations.get(group, {}).get(org.pk)
        return Figure(
            members=members,
            certified=certified,
            denominator=population if population is not None else members,
            population=population is not None,
            target=target,
        )

    increments: dict[str, list] = defaultdict(list)  # every group's trend in one query
    for group, month, count in CoverageMonth.objects.filter(
        organisation=organisation, standard=standard
    ).values_list("target_group", "month", "certified"):
        increments[group].append((month, count))
    groups = []
    for group, _label in Membership.TargetGroup.choices:
        figure = figure_for(organisation, group)
        if figure.members or figure.target:
            figure.trend = _trend_of(increments.get(group, ()))
            figure.forecast_percent = _forecast(figure)
            groups.append((group, figure))
    total = figure_for(organisation, ALL_GROUPS)
    selected = figure_for(organisation, target_group)
    selected.trend = _trend_of(increments.get(target_group, ()))
    selected.forecast_percent = _forecast(selected)
    return {
        "organisation": organisation,
        "standard": standard,
        "year": year,
        "target_group": target_group,
        "selected_label": group_label(target_group),
        "total": total,
        "selected": selected,
        "groups": [{"group": g, "label": group_label(g), "figure": f} for g, f in groups],
        "children": [
            {"organisation": child, "figure": figure_for(child, target_group)} for child in children
        ],
        "updated_at": max((row[2] for row in counts.values()), default=None),
    }


def headline(standard: Standard | None = None) -> dict | None:
    """The province's figure for the first standard, every group: the home page headline."""
    standard = standard or Standard.objects.first()
    roots = list(Organisation.get_root_nodes()[:2])
    if standard is None or len(roots) != 1:
        return None
    row = Coverage.objects.filter(
        standard=standard, organisation=roots[0], target_group=ALL_GROUPS
    ).first()
    figure = (
        Figure(members=row.members, certified=row.certified, denominator=row.members)
        if row
        else Figure()
    )
    return {"standard": standard, "figure": figure}


# --- People ------------------------------------------------------------------------------


class Status:
    NOT_YET = "chua-dat"
    MET = "da-dat"
    ALL = "tat-ca"


def people(
    *,
    organisation: Organisation,
    standard: Standard,
    target_group: str = ALL_GROUPS,
    status: str = Status.NOT_YET,
    query: str = "",
) -> QuerySet[Membership]:
    """The memberships in ``organisation``'s subtree with whether each person meets
    ``standard`` now (``qualified``) and since when (``qualified_since``)."""
    rows = (
        active_memberships()
        .filter(organisation__path__startswith=organisation.path)
        .select_related("user", "organisation")
        .annotate(
            qualified=qualified_now(standard),
            qualified_since=Subquery(
                Qualification.objects.filter(standard=standard, user_id=OuterRef("user_id")).values(
                    "since"
                )[:1]
            ),
        )
    )
    if target_group:
        rows = rows.filter(target_group=target_group)
    if status == Status.NOT_YET:
        rows = rows.filter(qualified=False)
    elif status == Status.MET:
        rows = rows.filter(qualified=True)
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(user__full_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(user__phone__icontains=query)
        )
    return rows.order_by("organisation__path", "user__full_name", "pk")
