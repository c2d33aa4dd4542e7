"""``manage.py export_completion``: the HR completion file of an organisation, without a
browser: the same rows as the dashboard's download."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from reports import exports
from reports.models import Standard


class Command(BaseCommand):
    help = (
        "Xuất tệp hoàn thành (từng người, hoặc từng đơn vị) của một đơn vị. "
        "Export an organisation's completion file (per person, or per unit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Mã đơn vị / organisation code")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", required=True, help="Tệp ghi ra / output file")
        parser.add_argument(
            "--level",
            choices=[exports.PEOPLE, exports.UNITS],
            default=exports.PEOPLE,
            help="CSV: people (default) or units; XLSX holds both sheets",
        )

    def handle(self, *args, organisation, format, output, level, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"Không có đơn vị {organisation}. No organisation {organisation}.")
        standards = list(Standard.objects.all())
        path = Path(output)
        if format == "xlsx":
            with path.open("wb") as handle:
                count = exports.workbook_write(handle, org, standards, {})
        else:
            if level == exports.UNITS:
                header, rows = exports.unit_header(standards), exports.unit_rows(org, standards)
            else:
                queryset = exports.people_queryset(org, standards)
                header = exports.people_header(standards)
                rows = exports.people_rows(queryset, standards)
            count = 0

            def counted(rows):
                nonlocal count
                for row in rows:
                    count += 1
                    yield row

            with path.open("w", encoding="utf-8", newline="") as handle:
                for chunk in exports.csv_stream(header, counted(rows)):
                    handle.write(chunk)
        self.stdout.write(f"{path}: {count} dòng / rows")
