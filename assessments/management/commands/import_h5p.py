from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.models import H5PActivity


class Command(BaseCommand):
    help = (
        "Nhập một gói H5P (.h5p): in mã số hoạt động mới, hoặc thoát với mã khác 0 và lý do nếu "
        "gói bị từ chối. Import an H5P package: prints the new activity's id, or exits non-zero "
        "with the reason when the package is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--title", default="", help="Tên hoạt động (mặc định: tên trong gói).")
        parser.add_argument(
            "--replace",
            type=int,
            metavar="ID",
            help="Thay gói của hoạt động ID (giữ các phiên bản cũ). Replace activity ID's package.",
        )

    def handle(self, *args, path: Path, title: str, replace: int | None, **options):
        activity = None
        if replace is not None:
            activity = H5PActivity.objects.filter(pk=replace).first()
            if activity is None:
                raise CommandError(f"Không có hoạt động H5P số {replace}.")
        try:
            source = path.open("rb")
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path}: {error.strerror}.") from error
        with source:
            try:
                version = services.h5p_package_import(
                    source=source, filename=path.name, activity=activity, title=title.strip()
                )
            except services.H5PImportRefused as refusal:
                raise CommandError(f"Gói bị từ chối ({refusal.code}): {refusal}") from None
        self.stdout.write(str(version.activity_id))
