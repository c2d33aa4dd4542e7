"""Writes to the competence framework."""

import csv
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from ..models import Competence, CompetenceFramework, Level, ProficiencyLevel

SHIPPED_FRAMEWORK = Path(__file__).resolve().parents[1] / "data" / "khung-nang-luc-so-tt02-2025.csv"
EXPECTED_COLUMNS = {"code", "kind", "name_vi", "name_en", "digcomp_2_2"}


class FrameworkImportError(ValueError):
    """A framework file that cannot be loaded; the message is for the person who gave it."""


def _sort_key(code: str) -> int:
    major, _, minor = code.partition(".")
    return int(major) * 100 + (int(minor) if minor else 0)


@transaction.atomic
def framework_load(
    *, code: str, name: str, version: str, rows: Iterable[dict[str, str]]
) -> CompetenceFramework:
    """Create or update a framework from rows of the shipped CSV's shape. All or nothing.

    Existing competences keep their ids (courses are tagged to them); only names change.
    """
    framework, _ = CompetenceFramework.objects.update_or_create(
        code=code, defaults={"name": name, "version": version, "is_current": True}
    )
    domains: dict[str, Competence] = {}
    for line, row in enumerate(rows, start=2):
        kind = row.get("kind", "").strip()
        item_code = row.get("code", "").strip()
        if kind not in Competence.Kind.values or not item_code or not row.get("name_vi"):
            raise FrameworkImportError(
                f"Dòng {line}: thiếu mã, loại (domain/competence) hoặc tên tiếng Việt. "
                f"Line {line}: code, kind or Vietnamese name is missing."
            )
        try:
            sort_order = _sort_key(item_code)
        except ValueError as error:
            raise FrameworkImportError(
                f"Dòng {line}: mã '{item_code}' không hợp lệ. Line {line}: bad code."
            ) from error
        parent = None
        if kind == Competence.Kind.COMPETENCE:
            parent = domains.get(item_code.split(".")[0])
            if parent is None:
                raise FrameworkImportError(
                    f"Dòng {line}: năng lực {item_code} đứng trước lĩnh vực của nó. "
                    f"Line {line}: competence before its domain."
                )
        competence, _ = Competence.objects.update_or_create(
            framework=framework,
            code=item_code,
            defaults={
                "kind": kind,
                "parent": parent,
                "name_vi": row["name_vi"].strip(),
                "name_en": (row.get("name_en") or "").strip(),
                "digcomp_code": (row.get("digcomp_2_2") or "").strip(),
                "sort_order": sort_order,
            },
        )
        if kind == Competence.Kind.DOMAIN:
            domains[item_code] = competence
    _levels_ensure(framework)
    CompetenceFramework.objects.exclude(pk=framework.pk).update(is_current=False)
    return framework


TIERS = [Level.BASIC, Level.INTERMEDIATE, Level.ADVANCED, Level.SPECIALISED]


def _levels_ensure(framework: CompetenceFramework) -> None:
    """The eight levels of Circular 02/2025, two per tier; names editors changed are kept."""
    for number in range(1, 9):
        ProficiencyLevel.objects.get_or_create(
            framework=framework,
            number=number,
            defaults={
                "tier": TIERS[(number - 1) // 2],
                "name_vi": f"Bậc {number}",
                "name_en": f"Level {number}",
            },
        )


def framework_load_csv(*, path: Path, code: str, name: str, version: str) -> CompetenceFramework:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = EXPECTED_COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise FrameworkImportError(
                    f"Tệp thiếu cột: {', '.join(sorted(missing))}. "
                    f"Missing columns: {', '.join(sorted(missing))}."
                )
            return framework_load(code=code, name=name, version=version, rows=list(reader))
    except UnicodeDecodeError as error:
        raise FrameworkImportError("Tệp không phải UTF-8. The file is not UTF-8 text.") from error


def framework_load_shipped() -> CompetenceFramework:
    """The Circular 02/2025 framework that ships with the platform."""
    return framework_load_csv(
        path=SHIPPED_FRAMEWORK,
        code="TT02-2025",
        name="Khung năng lực số (Thông tư 02/2025/TT-BGDĐT)",
        version="2025",
    )
