"""Import the organisation tree from a CSV file, all or nothing (see
``accounts.organisation_import`` for the columns and the rules)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.organisation_import import MAX_BYTES, organisations_import


class Command(BaseCommand):
    help = (
        "Nhập cơ cấu tổ chức từ tệp CSV (mã, tên, loại, mã đơn vị cấp trên…). "
        "Import the organisation tree from a CSV file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra, không ghi. Check the file without importing it.",
        )

    def handle(self, *args, path: Path, dry_run: bool = False, **options):
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"Tệp quá lớn. The file is larger than {MAX_BYTES} bytes.")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        report = organisations_import(content=content, dry_run=dry_run)
        if report.error:
            raise CommandError(report.error)
        if report.errors:
            for row, messages in report.errors:
                for message in messages:
                    self.stderr.write(f"{row}: {message}")
            raise CommandError(
                f"Không nhập gì: {len(report.errors)} dòng có lỗi. "
                f"Nothing imported: {len(report.errors)} rows have errors."
            )
        verb = "Kiểm tra xong, chưa ghi / checked, not written" if dry_run else "Đã nhập / imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: +{report.created} ~{report.updated} ={report.unchanged} "
                "(mới / new, cập nhật / updated, không đổi / unchanged)"
            )
        )
