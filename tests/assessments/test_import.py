"""Question banks brought from Moodle: GIFT and Moodle XML in, the same out.

The core tests use small files written here. The corpus tests read real banks from
../shared/corpus (other projects' files, never copied in) and skip, saying why, on a lone
clone.
"""

import base64
import dataclasses
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from assessments import interchange
from assessments.interchange import gift, moodlexml
from assessments.models import Question, QuestionBank, QuestionCategory, QuestionFile
from assessments.services import (
    ImportRefused,
    framework_load_shipped,
    questions_export,
    questions_import,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
GIFT_CASES = CORPUS / "gift" / "fuhrmanator-GIFT-grammar-PEG.js"
TYPES = [
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "matching",
    "numerical",
    "essay",
    "description",
]

GIFT_WITH_PROBLEMS = """\
$CATEGORY: $course$/top/Kỹ năng số/Thư điện tử

::Thư rác::Thư yêu cầu đăng nhập qua đường link lạ là gì?{=thư lừa đảo =%50%thư rác}

::Hỏng::Câu này thiếu dấu đóng {=a ~b

::Tốt::Email có cần mật khẩu mạnh không?{TRUE}

::Điền nhiều ô::Hà {=Nội} là thủ đô, {=Huế} là cố đô.
"""


def bank(name="Ngân hàng thử"):
    return QuestionBank.objects.get_or_create(name=name)[0]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    return buffer.getvalue()


def moodle_xml(extra_file: tuple[str, bytes] | None = None, *, questions: str = "") -> bytes:
    file = ""
    if extra_file:
        name, content = extra_file
        encoded = base64.b64encode(content).decode()
        file = f'<file name="{name}" path="/" encoding="base64">{encoded}</file>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Dịch vụ công/VNeID</text></category>
  </question>
  <question type="multichoice">
    <name><text>Mức định danh</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Tài khoản định danh <b>mức 2</b> cần gì?
        <img src="@@PLUGINFILE@@/the.png"></p>]]></text>{file}
    </questiontext>
    <generalfeedback format="html"><text>Mức 2 cần đăng ký trực tiếp.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <single>false</single>
    <shuffleanswers>true</shuffleanswers>
    <answer fraction="50"><text>Ảnh chân dung</text><feedback><text>Đúng.</text></feedback></answer>
    <answer fraction="50"><text>Vân tay</text><feedback><text>Đúng.</text></feedback></answer>
    <answer fraction="-100">
      <text>Mật khẩu ngân hàng</text><feedback><text>Không bao giờ.</text></feedback>
    </answer>
    <tags>
      <tag><text>vneid</text></tag><tag><text>nang-luc:2.3</text></tag><tag><text>bac:2</text></tag>
    </tags>
  </question>
  <question type="ddwtos">
    <name><text>Kéo thả</text></name>
    <questiontext format="html"><text>Kéo [[1]] vào chỗ trống.</text></questiontext>
  </question>
  {questions}
</quiz>""".encode()


def test_gift_imports_the_good_questions_and_reports_each_bad_one_with_its_line(db):
    report = questions_import(bank=bank(), data=GIFT_WITH_PROBLEMS.encode())
    assert report.imported == 2 and report.skipped == 2
    assert report.by_type["short_answer"] == 1 and report.by_type["true_false"] == 1
    where = {error["line"]: error["message"] for error in report.errors}
    assert "thiếu dấu } đóng" in where[5]
    assert "cloze" in where[9]
    assert QuestionCategory.objects.filter(path="Kỹ năng số/Thư điện tử").exists()


def test_atomic_import_imports_nothing_when_one_question_is_broken(db):
    report = questions_import(bank=bank(), data=GIFT_WITH_PROBLEMS.encode(), atomic=True)
    assert report.imported == 0 and report.skipped == 4
    assert len(report.errors) == 2
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()


def test_moodle_xml_brings_categories_tags_competences_marks_and_images(db):
    framework_load_shipped()
    report = questions_import(bank=bank(), data=moodle_xml(("the.png", png_bytes())))
    assert report.imported == 1 and report.by_type["multiple_choice"] == 1
    assert report.errors[0]["message"].startswith("Loại câu hỏi “kéo thả từ vào văn bản”")
    question = Question.objects.get()
    assert question.category.path == "Dịch vụ công/VNeID"
    assert question.default_mark == 2
    assert question.competence.code == "2.3" and question.level == 2
    assert [tag.name for tag in question.tags.all()] == ["vneid"]
    assert [a.fraction for a in question.answers.all()] == [0.5, 0.5, -1]
    image = QuestionFile.objects.get(question=question).image
    assert image.width == 4 and image.height == 3


def test_an_svg_or_broken_image_is_left_out_with_a_note_and_the_question_kept(db):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    report = questions_import(bank=bank(), data=moodle_xml(("the.png", svg)))
    assert report.imported == 1 and not QuestionFile.objects.exists()
    assert any("không phải ảnh" in warning["message"] for warning in report.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Tệp trống"),
        (b"   \n", "Tệp trống"),
        (b"\xff\xfe\x00G\x00I\x00F\x00T", "không phải văn bản UTF-8"),
        (b'<?xml version="1.0"?><quiz><question type="truefalse">', "XML hỏng"),
        (b'<?xml version="1.0"?><html><body>hi</body></html>', "thẻ <quiz>"),
    ],
)
def test_broken_files_get_a_clear_vietnamese_message_and_change_nothing(db, data, message):
    try:
        report = questions_import(bank=bank(), data=data)
    except ImportRefused as refusal:
        assert message in str(refusal)
    else:
        assert report.imported == 0
        assert message in report.errors[0]["message"]
    assert not Question.objects.exists()


def test_xml_entity_attacks_are_refused_before_expansion(db):
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<quiz><question type="essay"><name><text>&d;</text></name>
<questiontext><text>&d;</text></questiontext></question></quiz>"""
    external = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&secret;</text></name>
<questiontext><text>x</text></questiontext></question></quiz>"""
    for data in (laughs, external):
        report = questions_import(bank=bank(), data=data)
        assert report.imported == 0
        assert "DTD" in report.errors[0]["message"]
    assert not Question.objects.exists()


def test_import_command_prints_the_json_report(db, tmp_path, capsys):
    path = tmp_path / "ngan-hang.gift"
    path.write_text(GIFT_WITH_PROBLEMS, encoding="utf-8")
    call_command("import_questions", str(path), "--bank", "Thư điện tử", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 2 and report["skipped"] == 2
    assert set(report["by_type"]) == set(TYPES)
    assert [error["line"] for error in report["errors"]] == [5, 9]
    assert QuestionBank.objects.filter(name="Thư điện tử").exists()


def test_import_command_with_atomic_imports_nothing_and_says_so_by_its_exit(db, tmp_path, capsys):
    from django.core.management.base import CommandError

    path = tmp_path / "ngan-hang.gift"
    path.write_text(GIFT_WITH_PROBLEMS, encoding="utf-8")
    with pytest.raises(CommandError, match="Không câu nào được nhập"):
        call_command("import_questions", str(path), "--atomic", "--json")
    assert json.loads(capsys.readouterr().out)["imported"] == 0
    assert not Question.objects.exists()


def test_import_command_prints_json_for_a_refused_file_too(db, tmp_path, capsys):
    from django.core.management.base import CommandError

    path = tmp_path / "trong.gift"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="Tệp trống"):
        call_command("import_questions", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 0 and "Tệp trống" in report["errors"][0]["message"]


def test_import_command_refuses_a_missing_file_clearly(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không đọc được tệp"):
        call_command("import_questions", str(tmp_path / "khong-co.gift"))


def _plain(questions):
    return [dataclasses.replace(q, line=None, position=0) for q in questions]


def test_export_and_import_again_keeps_every_field(db):
    from assessments.services import SAMPLE_BANK

    framework_load_shipped()
    source = SAMPLE_BANK.read_bytes() + b"\n\n" + GIFT_WITH_PROBLEMS.encode()
    first = bank("Gốc")
    questions_import(bank=first, data=source)
    questions_import(bank=first, data=moodle_xml(("the.png", png_bytes())))
    originals = Question.objects.filter(category__bank=first)
    for fmt in ("xml", "gift"):
        exported = questions_export(questions=originals, fmt=fmt)
        copy = bank(f"Bản sao {fmt}")
        report = questions_import(bank=copy, data=exported)
        assert report.errors == [], report.errors
        again = questions_export(questions=Question.objects.filter(category__bank=copy), fmt=fmt)
        if fmt == "xml":
            assert again == exported  # byte for byte, images included
        assert _plain(interchange.parse(again).questions) == _plain(
            interchange.parse(exported).questions
        )
    moved = Question.objects.get(category__bank__name="Bản sao xml", name="Mức định danh")
    assert moved.competence.code == "2.3" and moved.level == 2 and moved.default_mark == 2
    assert moved.files.get().image.width == 4
    short = Question.objects.get(category__bank__name="Bản sao gift", idnumber="DVC-01")
    assert short.ignore_diacritics and short.competence.code == "2.3"


# The corpus ------------------------------------------------------------------------------


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("gift/*/*.gift*")) + sorted(CORPUS.glob("moodlexml/*/*.xml"))


def needs_corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside this clone ({CORPUS} is missing)")


@pytest.mark.parametrize("path", corpus_files() or [None], ids=lambda p: p.name if p else "none")
def test_every_corpus_file_imports_without_a_crash(db, path):
    needs_corpus()
    try:
        report = questions_import(bank=bank(), data=path.read_bytes())
    except ImportRefused as refusal:  # a file of categories only
        assert "Không tìm thấy câu hỏi nào" in str(refusal)
        assert not Question.objects.exists()
        return
    assert report.imported + len(report.errors) >= 1
    assert report.imported == Question.objects.count()
    for error in report.errors:
        assert error["message"] and error["position"] >= 0


def _theirs(item):
    kind = item["type"]
    if kind in ("MC", "Short"):
        return kind, [(_norm(c["text"]["text"]), _weight(c)) for c in item["choices"]]
    if kind == "TF":
        return kind, item["isTrue"]
    if kind == "Matching":
        return kind, [
            (_norm(p["subquestion"]["text"]), _norm(p["subanswer"])) for p in item["matchPairs"]
        ]
    if kind == "Numerical":
        choices = item["choices"]
        if isinstance(choices, dict):
            return kind, [(*_range(choices), 100.0)]
        return kind, [(*_range(c["text"]), _weight(c)) for c in choices]
    return kind, None


def _norm(text):
    return " ".join((text or "").split())


def _weight(choice):
    if choice["weight"] is not None:
        return float(choice["weight"])
    return 100.0 if choice["isCorrect"] else 0.0


def _range(value):
    if "type" not in value:
        return ("*", 0.0)
    if value["type"] == "simple":
        return (_n(value["number"]), 0.0)
    if value["type"] == "range":
        return (_n(value["number"]), _n(value["range"]))
    high, low = Decimal(str(value["numberHigh"])), Decimal(str(value["numberLow"]))
    return (_n((high + low) / 2), _n((high - low) / 2))


def _n(value) -> float:
    return round(float(Decimal(str(value))), 9)


KIND = {
    "single_choice": "MC",
    "multiple_choice": "MC",
    "short_answer": "Short",
    "true_false": "TF",
    "matching": "Matching",
    "numerical": "Numerical",
    "essay": "Essay",
    "description": "Description",
}


def _ours(question):
    kind = KIND[question.qtype]
    if kind in ("MC", "Short"):
        return kind, [(_norm(a.text), float(a.fraction * 100)) for a in question.answers]
    if kind == "TF":
        return kind, next(a for a in question.answers if a.text == "true").fraction > 0
    if kind == "Matching":
        return kind, [(_norm(p.prompt), _norm(p.answer)) for p in question.pairs]
    if kind == "Numerical":
        return kind, [
            ("*", 0.0, float(a.fraction * 100))
            if a.text == "*"
            else (_n(a.text), _n(a.tolerance), float(a.fraction * 100))
            for a in question.answers
        ]
    return kind, None


GIFT_EXPECTED = sorted(GIFT_CASES.glob("*.gift")) if GIFT_CASES.is_dir() else []


@pytest.mark.parametrize("path", GIFT_EXPECTED or [None], ids=lambda p: p.name if p else "none")
def test_gift_cases_match_their_expected_trees(path):
    needs_corpus()
    expected = [
        _theirs(item)
        for item in json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if item["type"] != "Category"
    ]
    parsed = gift.parse(path.read_text(encoding="utf-8"))
    assert parsed.problems == []
    assert [_ours(question) for question in parsed.questions] == expected


@pytest.mark.parametrize("path", corpus_files() or [None], ids=lambda p: p.name if p else "none")
def test_corpus_round_trip_is_stable(path):
    needs_corpus()
    parsed = interchange.parse(path.read_bytes())
    for write in (lambda qs: gift.write(qs).encode(), moodlexml.write):
        once = interchange.parse(write(parsed.questions))
        assert once.problems == [] and len(once.questions) == len(parsed.questions)
        twice = interchange.parse(write(once.questions))
        assert _plain(twice.questions) == _plain(once.questions)
    same = gift.write if parsed.format == "gift" else moodlexml.write
    back = interchange.parse(
        same(parsed.questions) if parsed.format != "gift" else same(parsed.questions).encode()
    )
    assert _plain(back.questions) == _plain(parsed.questions)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("::Số::Một số?{#1e999999999..1}", "không phải là một số hợp lệ"),
        ("::Số::Một số?{#=%50%1e999999999:1}", "không phải là một số hợp lệ"),
    ],
)
def test_absurd_numbers_in_gift_are_reported_not_crashed_on(db, data, message):
    report = questions_import(bank=bank(), data=data.encode())
    assert report.imported == 0 and message in report.errors[0]["message"]


@pytest.mark.parametrize(
    "snippet",
    [
        "<defaultgrade>1e30</defaultgrade>",
        "<defaultgrade>-1</defaultgrade>",
    ],
)
def test_absurd_marks_in_moodle_xml_are_reported(db, snippet):
    data = f"""<?xml version="1.0"?><quiz><question type="essay">
<name><text>Tự luận</text></name><questiontext><text>Viết.</text></questiontext>
{snippet}</question>
<question type="numerical"><name><text>Số</text></name><questiontext><text>?</text></questiontext>
<answer fraction="100"><text>3</text><tolerance>1e999999999</tolerance></answer></question>
</quiz>""".encode()
    report = questions_import(bank=bank(), data=data)
    assert report.imported == 0 and len(report.errors) == 2
    assert "Điểm mặc định" in report.errors[0]["message"]
    assert "Sai số cho phép" in report.errors[1]["message"]


def test_a_picture_bomb_is_left_out_and_the_question_kept(db):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")  # tiny file, 400 megapixels
    report = questions_import(bank=bank(), data=moodle_xml(("the.png", buffer.getvalue())))
    assert report.imported == 1 and not QuestionFile.objects.exists()
    assert any("ảnh" in warning["message"] for warning in report.warnings)


def test_unclosed_comments_do_not_confuse_the_line_numbers(db):
    noise = "<?pi " + "<!--" * 5000 + " ?>\n"
    data = moodle_xml().replace(b"<quiz>", ("<quiz>\n" + noise).encode(), 1)
    report = questions_import(bank=bank(), data=data)
    lines = data.decode().splitlines()
    where = next(n for n, line in enumerate(lines, 1) if 'type="ddwtos"' in line)
    assert report.imported == 1 and report.errors[0]["line"] == where


def test_export_command_writes_a_file_that_imports_back(db, tmp_path):
    from tests.factories import sample_questions

    sample_questions("Xuất thử")
    for fmt in ("gift", "xml"):
        output = tmp_path / f"ngan-hang.{fmt}"
        call_command(
            "export_questions", "--bank", "Xuất thử", "--format", fmt, "--output", str(output)
        )
        report = questions_import(bank=bank(f"Nhập lại {fmt}"), data=output.read_bytes())
        assert report.imported == 8 and report.errors == []


def test_export_command_names_a_missing_bank(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có ngân hàng câu hỏi"):
        call_command("export_questions", "--bank", "Không có", "--output", str(tmp_path / "x"))
