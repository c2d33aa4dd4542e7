"""Writes to question banks: import from GIFT or Moodle XML, export back, categories.

An import either keeps the good questions and reports each bad one with where it is and why
(the default), or with ``atomic`` imports nothing unless every question is good. Each
question is saved in its own savepoint, so one that fails in the database (a name too long,
a broken image) is reported and skipped without undoing the others.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import DatabaseError, transaction
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from wagtail.images import get_image_model

from .. import interchange
from ..interchange import common
from ..models import (
    Answer,
    Competence,
    MatchPair,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionFile,
)

SAMPLE_BANK = Path(__file__).resolve().parents[1] / "data" / "ngan-hang-mau.gift"
IMAGE_TYPES = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 25_000_000
DEFAULT_CATEGORY = "Mặc định"


class ImportRefused(ValueError):
    """The whole file is refused; the message is for the person importing."""


@dataclass
class ImportReport:
    format: str = ""
    imported: int = 0
    skipped: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(common.TYPES, 0))
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    question_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "imported": self.imported,
            "skipped": self.skipped,
            "by_type": self.by_type,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class _Rollback(Exception):
    pass


def category_ensure(*, bank: QuestionBank, parts: tuple[str, ...]) -> QuestionCategory:
    """The category at ``parts`` in ``bank``, made (with its parents) if missing."""
    parent = None
    for name in parts or (DEFAULT_CATEGORY,):
        name = name.strip()[:255] or DEFAULT_CATEGORY
        path = f"{parent.path}/{name.replace('/', '∕')}" if parent else name.replace("/", "∕")
        category = QuestionCategory.objects.filter(bank=bank, path=path).first()
        if category is None:
            category = QuestionCategory(bank=bank, parent=parent, name=name)
            category.save()
        parent = category
    return parent


def _image(file: common.ParsedFile):
    """Store an embedded picture in the image library, after checking it is one."""
    if len(file.content) > IMAGE_MAX_BYTES:
        raise ValueError(f"Ảnh “{file.name}” lớn hơn 5 MB.")
    try:
        with PILImage.open(io.BytesIO(file.content)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (
        UnidentifiedImageError,
        PILImage.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise ValueError(f"Tệp “{file.name}” không phải ảnh PNG, JPEG, GIF hay WebP.") from error
    if kind not in IMAGE_TYPES or width * height > IMAGE_MAX_PIXELS:
        raise ValueError(f"Tệp “{file.name}” không phải ảnh PNG, JPEG, GIF hay WebP vừa cỡ.")
    stem = file.name.rsplit(".", 1)[0][:80] or "anh"
    upload = ImageFile(io.BytesIO(file.content), name=f"{stem}.{IMAGE_TYPES[kind]}")
    return get_image_model().objects.create(title=file.name[:255], file=upload)


def question_create(
    *, bank: QuestionBank, parsed: common.ParsedQuestion, competences: dict[str, Competence]
) -> tuple[Question, list[str]]:
    """Save one parsed question with its answers, pairs, tags and images. Returns the
    question and warnings (things left out that did not stop it)."""
    warnings = []
    competence = competences.get(parsed.competence) if parsed.competence else None
    if parsed.competence and competence is None:
        warnings.append(f"Không có năng lực mã “{parsed.competence}” trong khung hiện hành.")
    level = parsed.level if parsed.level and 1 <= parsed.level <= 8 else None
    question = Question(
        category=category_ensure(bank=bank, parts=parsed.category),
        qtype=parsed.qtype,
        name=parsed.name[:255],
        text=parsed.text,
        text_format=parsed.text_format if parsed.text_format in common.FORMATS else "html",
        general_feedback=parsed.general_feedback,
        correct_feedback=parsed.correct_feedback,
        partial_feedback=parsed.partial_feedback,
        incorrect_feedback=parsed.incorrect_feedback,
        default_mark=parsed.default_mark.quantize(Decimal("0.001")),
        competence=competence,
        level=level,
        shuffle_answers=parsed.shuffle_answers,
        case_sensitive=parsed.case_sensitive,
        ignore_diacritics=parsed.ignore_diacritics,
        idnumber=parsed.idnumber[:100],
    )
    question.full_clean(exclude=["category", "competence", "tags"])
    if parsed.tags:
        question.tags.add(*[tag[:100] for tag in parsed.tags])  # committed by save()
    question.save()
    Answer.objects.bulk_create(
        Answer(
            question=question,
            sort_order=order,
            text=answer.text,
            fraction=answer.fraction,
            feedback=answer.feedback,
            tolerance=answer.tolerance,
        )
        for order, answer in enumerate(parsed.answers)
    )
    MatchPair.objects.bulk_create(
        MatchPair(question=question, sort_order=order, prompt=pair.prompt, answer=pair.answer[:500])
        for order, pair in enumerate(parsed.pairs)
    )
    for file in parsed.files:
        if QuestionFile.objects.filter(question=question, name=file.name[:255]).exists():
            continue
        try:
            image = _image(file)
        except ValueError as refusal:
            warnings.append(f"{refusal} Câu hỏi vẫn được nhập, không có tệp này.")
            continue
        QuestionFile.objects.create(question=question, name=file.name[:255], image=image)
    return question, warnings


def questions_import(*, bank: QuestionBank, data: bytes, atomic: bool = False) -> ImportReport:
    """Import a GIFT or Moodle XML file into ``bank``; see the module docstring."""
    if not data.strip():
        raise ImportRefused("Tệp trống. The file is empty.")
    if len(data) > interchange.MAX_BYTES:
        raise ImportRefused("Tệp lớn hơn 20 MB. The file is larger than 20 MB.")
    parsed = interchange.parse(data)
    report = ImportReport(format=parsed.format)
    report.errors = [problem.as_dict() for problem in parsed.problems]
    if not parsed.questions and not parsed.problems:
        raise ImportRefused(
            "Không tìm thấy câu hỏi nào trong tệp. No questions were found in the file."
        )
    competences = {
        competence.code: competence
        for competence in Competence.objects.filter(
            framework__is_current=True, kind=Competence.Kind.COMPETENCE
        )
    }
    try:
        with transaction.atomic():
            for item in parsed.questions:
                try:
                    with transaction.atomic():
                        question, warnings = question_create(
                            bank=bank, parsed=item, competences=competences
                        )
                except (DatabaseError, ValueError, ValidationError, ArithmeticError) as error:
                    report.errors.append(
                        common.ParseProblem(
                            item.line, item.position, _db_message(error), item.name
                        ).as_dict()
                    )
                    continue
                report.imported += 1
                report.by_type[item.qtype] += 1
                report.question_ids.append(question.pk)
                report.warnings += [
                    common.ParseProblem(item.line, item.position, text, item.name).as_dict()
                    for text in warnings
                ]
            if atomic and report.errors:
                raise _Rollback
    except _Rollback:
        report.imported, report.question_ids, report.warnings = 0, [], []
        report.by_type = dict.fromkeys(common.TYPES, 0)
        report.skipped = len(parsed.questions) + len(parsed.problems)
        return report
    report.skipped = len(report.errors)
    return report


def _db_message(error: Exception) -> str:
    if hasattr(error, "message_dict"):
        fields = ", ".join(error.message_dict)
        return f"Câu hỏi có trường không hợp lệ ({fields}); câu này được bỏ qua."
    if isinstance(error, DatabaseError):
        return "Không lưu được câu hỏi này vào cơ sở dữ liệu; câu này được bỏ qua."
    return str(error)


def parsed_from(question: Question) -> common.ParsedQuestion:
    """A saved question in the interchange shape, for export."""
    files = []
    for item in question.files.all():
        with item.image.file.open("rb") as handle:
            files.append(common.ParsedFile(item.name, handle.read()))
    tags = sorted(tag.name for tag in question.tags.all())
    return common.ParsedQuestion(
        qtype=question.qtype,
        name=question.name,
        text=question.text,
        text_format=question.text_format,
        category=question.category.parts,
        general_feedback=question.general_feedback,
        default_mark=question.default_mark,
        answers=[
            common.ParsedAnswer(a.text, a.fraction, a.feedback, a.tolerance)
            for a in question.answers.all()
        ],
        pairs=[common.ParsedPair(p.prompt, p.answer) for p in question.pairs.all()],
        shuffle_answers=question.shuffle_answers,
        case_sensitive=question.case_sensitive,
        ignore_diacritics=question.ignore_diacritics,
        idnumber=question.idnumber,
        tags=tags,
        competence=question.competence.code if question.competence else "",
        level=question.level,
        correct_feedback=question.correct_feedback,
        partial_feedback=question.partial_feedback,
        incorrect_feedback=question.incorrect_feedback,
        files=files,
    )


def questions_export(*, questions, fmt: str) -> bytes:
    """GIFT (``fmt="gift"``) or Moodle XML (``"xml"``) of ``questions``, category by category."""
    questions = (
        questions.select_related("category", "competence")
        .prefetch_related("answers", "pairs", "tags", "files__image")
        .order_by("category__path", "pk")
    )
    parsed = [parsed_from(question) for question in questions]
    if fmt == "gift":
        return interchange.gift.write(parsed).encode("utf-8")
    return interchange.moodlexml.write(parsed)
