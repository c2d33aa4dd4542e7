"""Completion files for HR: per unit and per person, CSV (streamed) or XLSX (built by a
worker with progress). Every cell of user text goes through ``cell_text`` (style rule 11).

The rows are the same for the dashboard's download, the HR export page and
``manage.py export_completion``, so a file never disagrees with the screen.
"""

import csv
import io
import secrets
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import Organisation
from accounts.spreadsheets import cell_text

from .models import ALL_GROUPS, Coverage, Qualification, ReportExport, Standard
from .selectors import GROUP_LABELS
from .services import active_memberships

PEOPLE = "people"
UNITS = "units"
XLSX_PROGRESS_EVERY = 1000


def unit_header(standards: list[Standard]) -> list[str]:
    header = [_("Unit code"), _("Unit"), _("Level"), _("Kind"), _("Still exists")]
    for standard in standards:
        header += [
            cell_text(f"{standard.name}: {_('people')}"),
            cell_text(f"{standard.name}: {_('met')}"),
            cell_text(f"{standard.name}: {_('rate (%)')}"),
        ]
    return header


def unit_rows(organisation: Organisation, standards: list[Standard]) -> Iterator[list]:
    """One row per organisation of the subtree, from the rollup tables (every group)."""
    organisations = list(
        Organisation.objects.filter(path__startswith=organisation.path).order_by("path")
    )
    counts = {
        (row["organisation_id"], row["standard_id"]): (row["members"], row["certified"])
        for row in Coverage.objects.filter(
            organisation__path__startswith=organisation.path, target_group=ALL_GROUPS
        ).values("organisation_id", "standard_id", "members", "certified")
    }
    for org in organisations:
        row = [
            cell_text(org.code),
            cell_text(org.name),
            org.depth - organisation.depth,
            str(org.get_kind_display()),
            _("yes") if org.active_until is None else _("no"),
        ]
        for standard in standards:
            members, certified = counts.get((org.pk, standard.pk), (0, 0))
            rate = round(100 * certified / members, 1) if members else 0
            row += [members, certified, rate]
        yield row


def people_header(standards: list[Standard]) -> list[str]:
    header = [
        _("Full name"),
        _("Email"),
        _("Phone number"),
        _("Unit code"),
        _("Unit"),
        _("Position"),
        _("Target group"),
    ]
    for standard in standards:
        header += [
            cell_text(f"{standard.name}: {_('met since')}"),
            cell_text(f"{standard.name}: {_('valid until')}"),
        ]
    return header


def people_queryset(
    organisation: Organisation,
    standards: list[Standard],
    target_group: str = "",
    not_met: Standard | None = None,
) -> QuerySet:
    """The memberships of the subtree as tuples, with each standard's dates (still valid
    ones only: an expired or revoked certificate leaves the cell empty)."""
    rows = active_memberships().filter(organisation__path__startswith=organisation.path)
    if target_group:
        rows = rows.filter(target_group=target_group)
    fields = [
        "user__full_name",
        "user__email",
        "user__phone",
        "organisation__code",
        "organisation__name",
        "position",
        "target_group",
    ]
    for standard in standards:
        # What the dashboard counts (``counted``), so a file and the screen agree.
        valid = Qualification.objects.filter(
            standard=standard, user_id=OuterRef("user_id"), counted=True
        )
        rows = rows.annotate(
            **{
                f"since_{standard.pk}": Subquery(valid.values("since")[:1]),
                f"until_{standard.pk}": Subquery(valid.values("until")[:1]),
            }
        )
        fields += [f"since_{standard.pk}", f"until_{standard.pk}"]
    if not_met is not None:
        rows = rows.filter(**{f"since_{not_met.pk}__isnull": True})
    return rows.order_by("organisation__path", "user__full_name", "pk").values_list(*fields)


def people_rows(queryset: QuerySet, standards: list[Standard]) -> Iterator[list]:
    text_columns = 7
    # Looked up once: per row, the active language and time zone were a third of the time.
    labels = {code: str(label) for code, label in GROUP_LABELS.items()}
    zone = timezone.get_current_timezone()

    def day(value) -> str:
        if not value:
            return ""
        local = value.astimezone(zone)
        return f"{local.day:02d}/{local.month:02d}/{local.year}"

    for values in queryset.iterator(chunk_size=2000):
        row = [cell_text(v or "") for v in values[:5]]
        row += [cell_text(values[5] or ""), labels.get(values[6], values[6])]
        row += [day(v) for v in values[text_columns:]]
        yield row


CSV_ROWS_PER_CHUNK = 500


def csv_stream(header: list[str], rows: Iterator[list]) -> Iterator[str]:
    """The CSV after a UTF-8 byte-order mark, so Excel reads the Vietnamese: the header at
    once (the download starts), then the rows in chunks of a few hundred (one write to the
    network per row made a 100,000-row file a third slower)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def workbook_write(
    handle, organisation: Organisation, standards: list[Standard], filters: dict, progress=None
) -> int:
    """Write the two-sheet workbook (units, people) to ``handle``. Returns the people rows.

    openpyxl's write-only mode keeps memory flat: rows go to a temporary file as written.
    """
    workbook = Workbook(write_only=True)
    units = workbook.create_sheet(_("Units")[:31])
    units.append(unit_header(standards))
    for row in unit_rows(organisation, standards):
        units.append(row)
    people = workbook.create_sheet(_("People")[:31])
    people.append(people_header(standards))
    queryset = people_queryset(organisation, standards, filters.get("target_group", ""))
    done = 0
    for row in people_rows(queryset, standards):
        people.append(row)
        done += 1
        if progress is not None and done % XLSX_PROGRESS_EVERY == 0:
            progress(done)
    workbook.save(handle)
    return done


# --- The XLSX built by a worker -----------------------------------------------------------


def export_create(*, user, organisation: Organisation, target_group: str = "") -> ReportExport:
    """Queue the workbook of ``organisation`` for ``user``; the caller has checked scope."""
    from .tasks import build_export

    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=user,
            organisation=organisation,
            filters={"target_group": target_group, "language": translation.get_language()},
        )
        build_export.delay(export_id=export.pk)
    return export


def export_build(*, export_id: int) -> ReportExport | None:
    export = ReportExport.objects.select_related("organisation").filter(pk=export_id).first()
    if export is None or export.state == ReportExport.State.READY:
        return export
    standards = list(Standard.objects.all())
    total = (
        active_memberships()
        .filter(organisation__path__startswith=export.organisation.path)
        .filter(
            **(
                {"target_group": export.filters["target_group"]}
                if export.filters.get("target_group")
                else {}
            )
        )
        .count()
    )
    ReportExport.objects.filter(pk=export.pk).update(
        state=ReportExport.State.RUNNING, total=total, done=0
    )

    def progress(done: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(done=done)

    language = export.filters.get("language") or settings.LANGUAGE_CODE
    with translation.override(language), tempfile.TemporaryFile() as spool:
        done = workbook_write(spool, export.organisation, standards, export.filters, progress)
        spool.seek(0)
        export.file.save(f"{secrets.token_urlsafe(16)}.xlsx", File(spool), save=False)
    export.state = ReportExport.State.READY
    export.done = export.total = done
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "state", "done", "total", "finished_at"])
    return export


def export_fail(*, export_id: int, error: str) -> None:
    ReportExport.objects.filter(pk=export_id).update(
        state=ReportExport.State.FAILED, error=error[:500], finished_at=timezone.now()
    )
