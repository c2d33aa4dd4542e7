import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.models import QuestionBank


class Command(BaseCommand):
    help = (
        "Nhập câu hỏi từ tệp GIFT hoặc Moodle XML (tự nhận dạng). Thoát với mã 1 nếu tệp bị "
        "từ chối hoặc --atomic không nhập gì. Import questions from a GIFT or Moodle XML file "
        "(the format is detected); exits 1 when the file is refused or --atomic imported nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--bank", default="Ngân hàng chung", help="Tên ngân hàng câu hỏi (tạo nếu chưa có)."
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="Không nhập gì nếu có câu lỗi. Import nothing if any question is broken.",
        )
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, path: Path, bank: str, atomic: bool, json: bool, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path}: {error.strerror}.") from error
        question_bank, _created = QuestionBank.objects.get_or_create(name=bank.strip()[:200])
        try:
            report = services.questions_import(bank=question_bank, data=data, atomic=atomic)
        except services.ImportRefused as refusal:
            if json:
                refused = services.ImportReport()
                refused.errors = [{"line": None, "position": 0, "message": str(refusal)}]
                self.stdout.write(_dumps(refused.as_dict()))
            raise CommandError(str(refusal)) from refusal
        rolled_back = atomic and report.errors
        if json:
            self.stdout.write(_dumps(report.as_dict()))
            if rolled_back:
                raise CommandError("Không câu nào được nhập (--atomic). Nothing was imported.")
            return
        self.stdout.write(
            f"Đã nhập {report.imported} câu, bỏ qua {report.skipped} câu ({report.format}). "
            f"Imported {report.imported}, skipped {report.skipped}."
        )
        for kind, count in report.by_type.items():
            if count:
                self.stdout.write(f"  {kind}: {count}")
        for error in report.errors:
            self.stderr.write(f"  Lỗi ở {error['where']}: {error['message']}")
        for warning in report.warnings:
            self.stderr.write(f"  Lưu ý ở {warning['where']}: {warning['message']}")
        if rolled_back:
            raise CommandError("Không câu nào được nhập (--atomic). Nothing was imported.")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
