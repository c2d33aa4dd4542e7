"""The competence framework of Circular 02/2025: loaded whole, or not at all."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Competence, CompetenceFramework
from assessments.services import SHIPPED_FRAMEWORK, framework_load_shipped

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "khung-nang-luc-so-tt02-2025.csv"


def test_shipped_framework_has_6_domains_and_24_competences():
    framework = framework_load_shipped()
    competences = Competence.objects.filter(framework=framework)
    assert competences.filter(kind="domain").count() == 6
    assert competences.filter(kind="competence").count() == 24
    privacy = competences.get(code="4.2")
    assert privacy.name_vi == "Bảo vệ dữ liệu cá nhân và quyền riêng tư"
    assert privacy.parent.code == "4"


def test_loading_again_keeps_the_ids_courses_are_tagged_to():
    framework_load_shipped()
    ids = dict(Competence.objects.values_list("code", "pk"))
    framework_load_shipped()
    assert dict(Competence.objects.values_list("code", "pk")) == ids


def test_a_file_with_a_wrong_column_is_refused_in_vietnamese_and_loads_nothing(tmp_path):
    bad = tmp_path / "khung.csv"
    bad.write_text("ma,loai,ten\n1,domain,Khai thác dữ liệu\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Tệp thiếu cột"):
        call_command("load_competence_framework", str(bad))
    assert not CompetenceFramework.objects.exists()


def test_a_broken_row_rolls_back_the_whole_file(tmp_path):
    bad = tmp_path / "khung.csv"
    bad.write_text(
        "code,kind,name_vi,name_en,digcomp_2_2\n"
        "1,domain,Khai thác dữ liệu,Data,1\n"
        "1.1,competence,Tìm kiếm,Search,1.1\n"
        "2.1,competence,Tương tác,Interacting,2.1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Dòng 4"):
        call_command("load_competence_framework", str(bad))
    assert not Competence.objects.exists()


def test_shipped_copy_matches_the_reference_data():
    if not SHARED.exists():
        pytest.skip(f"reference data not beside the repository ({SHARED}); CI has it")
    assert SHIPPED_FRAMEWORK.read_bytes() == SHARED.read_bytes()
