"""``manage.py coverage``: the dashboard's figures in a terminal, or as JSON for scripts."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from reports import selectors, services
from reports.models import Standard


class Command(BaseCommand):
    help = (
        "In tỷ lệ bao phủ như trên trang báo cáo. "
        "Print coverage figures as the dashboard shows them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--standard", help="Mã chuẩn / standard code (default: all)")
        parser.add_argument(
            "--organisation", help="Mã đơn vị / organisation code (default: the root)"
        )
        parser.add_argument("--year", type=int, help="Năm chỉ tiêu / target year")
        parser.add_argument("--json", action="store_true", help="JSON output")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Đếm lại toàn bộ trước khi in / recount everything first",
        )

    def handle(self, *args, standard=None, organisation=None, year=None, **options):
        standards = list(Standard.objects.all())
        if standard:
            standards = [s for s in standards if s.code == standard]
            if not standards:
                raise CommandError(f"Không có chuẩn {standard}. No standard {standard}.")
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                raise CommandError(
                    f"Không có đơn vị {organisation}. No organisation {organisation}."
                )
        else:
            roots = list(Organisation.get_root_nodes())
            if not roots:
                raise CommandError("Chưa có cơ cấu tổ chức. There is no organisation yet.")
            org = roots[0]
        if options["rebuild"]:
            services.coverage_rebuild(standards=standards)
        result = []
        for s in standards:
            the_year = year or selectors.default_year(selectors.years_of(s))
            report = selectors.coverage(organisation=org, standard=s, year=the_year)
            result.append(
                {
                    "standard": s.code,
                    "name": s.name,
                    "organisation": org.code,
                    "year": the_year,
                    "all": report["total"].as_dict(),
                    "groups": {g["group"]: g["figure"].as_dict() for g in report["groups"]},
                    "units": [
                        {
                            "code": c["organisation"].code,
                            "name": c["organisation"].name,
                            "active": c["organisation"].active_until is None,
                            **{
                                k: v
                                for k, v in c["figure"].as_dict().items()
                                if k in {"members", "certified", "denominator", "percent"}
                            },
                        }
                        for c in report["children"]
                    ],
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for item in result:
            self.stdout.write(f"{item['name']} ({item['standard']}) – {org.name}, {item['year']}")
            a = item["all"]
            self.stdout.write(
                f"  Tất cả / all: {a['certified']}/{a['denominator']} = {a['percent']}%"
            )
            for group, f in item["groups"].items():
                target = f"{f['target_percent']}%" if f["target_percent"] is not None else "–"
                gap = f["gap"] if f["gap"] is not None else "–"
                self.stdout.write(
                    f"  {group:<16} {f['certified']:>8}/{f['denominator']:<8} "
                    f"{f['percent']:>5}%  chỉ tiêu/target {target:>7}  thiếu/gap {gap}"
                )
            for unit in item["units"]:
                self.stdout.write(
                    f"    {unit['code']:<20} {unit['certified']:>8}/{unit['denominator']:<8} "
                    f"{unit['percent']:>5}%  {unit['name']}"
                )
