from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import services


class Command(BaseCommand):
    help = (
        "Nạp khung năng lực số (mặc định: Thông tư 02/2025 đi kèm nền tảng). "
        "Load the digital competence framework (default: the shipped Circular 02/2025)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path)
        parser.add_argument("--code", default="TT02-2025")
        parser.add_argument("--name", default="Khung năng lực số (Thông tư 02/2025/TT-BGDĐT)")
        parser.add_argument("--framework-version", dest="framework_version", default="2025")

    def handle(self, *args, path=None, code, name, framework_version, **options):
        try:
            if path is None:
                framework = services.framework_load_shipped()
            else:
                framework = services.framework_load_csv(
                    path=path, code=code, name=name, version=framework_version
                )
        except (services.FrameworkImportError, OSError) as error:
            raise CommandError(str(error)) from error
        count = framework.competences.count()
        self.stdout.write(self.style.SUCCESS(f"{framework}: {count} mục / items"))
