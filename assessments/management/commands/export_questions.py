from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.models import Question, QuestionBank


class Command(BaseCommand):
    help = "Xuất ngân hàng câu hỏi ra GIFT hoặc Moodle XML. Export a question bank."

    def add_arguments(self, parser):
        parser.add_argument("--bank", required=True)
        parser.add_argument("--format", choices=["gift", "xml"], default="xml", dest="fmt")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, bank: str, fmt: str, output: Path, **options):
        found = QuestionBank.objects.filter(name=bank).first()
        if found is None:
            raise CommandError(f"Không có ngân hàng câu hỏi “{bank}”. No such bank.")
        data = services.questions_export(
            questions=Question.objects.filter(category__bank=found), fmt=fmt
        )
        output.write_bytes(data)
        self.stdout.write(f"Đã ghi {output} ({len(data)} byte).")
