"""The HR dashboard under /bao-cao/: coverage, drill-down, the people not yet certified,
and the completion files. Every organisation is looked up through the scope policy, so
another agency's code is a 404 whether typed, filtered or exported."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_sendfile import sendfile

from accounts.models import Membership

from . import annual, exports, permissions, selectors
from .models import ALL_GROUPS, Standard

PAGE_SIZE = 50


def _organisation(request, code: str):
    if not permissions.can(request.user, "view"):
        raise PermissionDenied
    return get_object_or_404(permissions.organisations_visible_to(request.user), code=code)


def _filters(request) -> dict:
    """The standard, target group and year chosen in the query string, or the defaults."""
    standards = selectors.standards()
    if not standards:
        return {"standards": [], "standard": None}
    code = request.GET.get("chuan", "")
    standard = next((s for s in standards if s.code == code), standards[0])
    group = request.GET.get("nhom", ALL_GROUPS)
    if group not in dict(Membership.TargetGroup.choices):
        group = ALL_GROUPS
    years = selectors.years_of(standard)
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        year = selectors.default_year(years)
    if year not in years:
        year = selectors.default_year(years)
    return {
        "standards": standards,
        "standard": standard,
        "target_group": group,
        "years": years,
        "year": year,
        "groups": Membership.TargetGroup.choices,
    }


@never_cache
@login_required
def index(request):
    roots = permissions.roots_for(request.user)
    if not roots:
        raise PermissionDenied
    if len(roots) == 1:
        return redirect("reports:organisation", code=roots[0].code)
    return render(request, "reports/index.html", {"roots": roots})


@never_cache
@login_required
def organisation(request, code: str):
    org = _organisation(request, code)
    filters = _filters(request)
    context = {"filters": filters, "organisation": org, "query": request.GET.urlencode()}
    if filters["standard"] is not None:
        context["report"] = selectors.coverage(
            organisation=org,
            standard=filters["standard"],
            year=filters["year"],
            target_group=filters["target_group"],
        )
        _unit_urls(context["report"]["children"])
    context["ancestors"] = _ancestors_in_scope(request.user, org)
    context["can_annual"] = permissions.can(request.user, "annual_report")
    return render(request, "reports/organisation.html", context)


def _unit_urls(children: list[dict]) -> None:
    """Each unit's address, reversed once for all: a province lists hundreds, and reversing
    each was a tenth of the page's time."""
    placeholder = "MA-DON-VI"
    pattern = reverse("reports:organisation", args=[placeholder])
    for child in children:
        code = quote(child["organisation"].code, safe=RFC3986_SUBDELIMS + "/~:@")
        child["url"] = pattern.replace(placeholder, code)


def _ancestors_in_scope(user, org) -> list:
    """The breadcrumb: the organisations above ``org`` that ``user`` may open."""
    step = len(org.path) // org.depth
    paths = [org.path[:length] for length in range(step, len(org.path), step)]
    return list(permissions.organisations_visible_to(user).filter(path__in=paths).order_by("path"))


@never_cache
@login_required
def people(request, code: str):
    org = _organisation(request, code)
    filters = _filters(request)
    if filters["standard"] is None:
        raise Http404
    status = request.GET.get("trang-thai", selectors.Status.NOT_YET)
    if status not in {selectors.Status.NOT_YET, selectors.Status.MET, selectors.Status.ALL}:
        status = selectors.Status.NOT_YET
    query = request.GET.get("q", "")[:100]
    rows = selectors.people(
        organisation=org,
        standard=filters["standard"],
        target_group=filters["target_group"],
        status=status,
        query=query,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    params = request.GET.copy()
    params.pop("trang", None)
    return render(
        request,
        "reports/people.html",
        {
            "organisation": org,
            "filters": filters,
            "status": status,
            "statuses": [
                (selectors.Status.NOT_YET, _("Not yet met")),
                (selectors.Status.MET, _("Met")),
                (selectors.Status.ALL, _("Everyone")),
            ],
            "q": query,
            "page": page,
            "params": params.urlencode(),
            "ancestors": _ancestors_in_scope(request.user, org),
        },
    )


@never_cache
@login_required
def export_csv(request, code: str, level: str):
    org = _organisation(request, code)
    standards = selectors.standards()
    group = request.GET.get("nhom", "")
    if group and group not in dict(Membership.TargetGroup.choices):
        group = ""
    if level == "don-vi":
        header, rows = exports.unit_header(standards), exports.unit_rows(org, standards)
    elif level == "ca-nhan":
        not_met = None
        if request.GET.get("chua-dat"):
            not_met = next((s for s in standards if s.code == request.GET["chua-dat"]), None)
        queryset = exports.people_queryset(org, standards, group, not_met=not_met)
        header, rows = exports.people_header(standards), exports.people_rows(queryset, standards)
    else:
        raise Http404
    response = StreamingHttpResponse(
        exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    name = f"hoan-thanh-{level}-{org.code}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
@require_POST
def export_xlsx(request, code: str):
    org = _organisation(request, code)
    group = request.POST.get("nhom", "")
    if group not in dict(Membership.TargetGroup.choices):
        group = ""
    export = exports.export_create(user=request.user, organisation=org, target_group=group)
    return redirect("reports:export_detail", pk=export.pk)


@never_cache
@login_required
def export_detail(request, pk: int):
    export = get_object_or_404(
        permissions.exports_visible_to(request.user).select_related("organisation"), pk=pk
    )
    return render(request, "reports/export_detail.html", {"export": export})


@never_cache
@login_required
def export_download(request, pk: int):
    export = get_object_or_404(
        permissions.exports_visible_to(request.user).select_related("organisation"), pk=pk
    )
    if not export.file:
        raise Http404
    name = f"hoan-thanh-{export.organisation.code}-{export.created_at:%Y%m%d}-{export.pk}.xlsx"
    if getattr(settings, "SENDFILE_BACKEND", None):
        return sendfile(
            request,
            export.file.path,
            attachment=True,
            attachment_filename=name,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@never_cache
@login_required
def annual_report(request, year: int):
    if not permissions.can(request.user, "annual_report"):
        raise PermissionDenied
    if not 2020 <= year <= 2100:
        raise Http404
    roots = permissions.roots_for(request.user)
    if len(roots) != 1:
        raise Http404
    pdf = annual.report_pdf(
        organisation=roots[0], year=year, standards=list(Standard.objects.all())
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bao-cao-{year}.pdf"'
    return response
