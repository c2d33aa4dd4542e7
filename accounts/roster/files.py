"""Reading a roster file: CSV or XLSX to rows of text, and the row that names the columns."""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..models import Membership

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 50
# An XLSX is a ZIP archive, checked before openpyxl inflates it (STYLE rule 10). A real roster
# of 200,000 rows is well below these; a file above them is a ZIP bomb or not a roster.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # the sum of the sizes the entries declare
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_RATIO = 200  # uncompressed to compressed, for an entry above XLSX_RATIO_FROM
XLSX_RATIO_FROM = 1024 * 1024
HEADER_SEARCH_ROWS = 10  # a title ("DANH SÁCH CÁN BỘ …") may sit above the column names


class RosterFileError(Exception):
    """The file as a whole cannot be imported; the message, translated, says why."""


_LONG_NUMBER = re.compile(r"\d(?:[ .\-]?\d){8,}")


def masked(value: str) -> str:
    """``value`` as it may be repeated in a message: every number of 9 digits or more (a
    national ID in a shifted column, a bank account) keeps its last 3 digits only.

    Messages are stored (``RosterImport.errors``, the error CSV) where the file's ID numbers
    must not end up; the row number and the last digits are enough to find the cell.
    """

    def hide(match: re.Match) -> str:
        text = match[0]
        shown = 3
        characters = []
        for character in reversed(text):
            if character.isdigit():
                characters.append(character if shown > 0 else "*")
                shown -= 1
            else:
                characters.append(character)
        return "".join(reversed(characters))

    return _LONG_NUMBER.sub(hide, value)


def fold(value: str) -> str:
    """Lowercase ASCII words: "Họ và tên (*)" and "ho va ten" are both "ho va ten"."""
    value = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value).split())


# field → (the name the officer is told to use, the folded headers accepted)
COLUMNS: dict[str, tuple[str, frozenset[str]]] = {
    "full_name": ("Họ tên", frozenset({"ho ten", "ho va ten", "ho ten day du", "full name"})),
    "email": (
        "Email",
        frozenset({"email", "e mail", "thu dien tu", "dia chi email", "dia chi thu dien tu"}),
    ),
    "phone": (
        "Số điện thoại",
        frozenset(
            {"so dien thoai", "dien thoai", "sdt", "so dt", "dien thoai di dong", "so di dong"}
            | {"di dong", "phone", "phone number"}
        ),
    ),
    "national_id": (
        "Số định danh",
        frozenset(
            {"so dinh danh", "so dinh danh ca nhan", "ma dinh danh", "dinh danh", "cccd"}
            | {"so cccd", "can cuoc", "so can cuoc", "can cuoc cong dan", "so can cuoc cong dan"}
            | {"national id"}
        ),
    ),
    "unit_code": (
        "Mã đơn vị",
        frozenset({"ma don vi", "ma dv", "ma co quan", "ma co quan don vi", "unit code"}),
    ),
    "position": ("Chức vụ", frozenset({"chuc vu", "chuc danh", "position"})),
    "target_group": (
        "Nhóm đối tượng",
        frozenset({"nhom doi tuong", "doi tuong", "target group"}),
    ),
}
HEADER_FIELDS = {alias: name for name, (_label, aliases) in COLUMNS.items() for alias in aliases}
REQUIRED = ("full_name", "unit_code", "target_group")
# Columns a roster often has and the import does not need: not reported as unknown.
IGNORED_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "ghi chu", "note"})

_T = Membership.TargetGroup
TARGET_GROUP_VALUES = {
    **{value.replace("_", " "): value for value in _T.values},  # the codes, English labels
    "can bo": _T.CADRE,
    "cb": _T.CADRE,
    "cong chuc": _T.CIVIL_SERVANT,
    "cc": _T.CIVIL_SERVANT,
    "vien chuc": _T.PUBLIC_EMPLOYEE,
    "vc": _T.PUBLIC_EMPLOYEE,
    "nguoi lao dong": _T.WORKER,
    "lao dong": _T.WORKER,
    "nld": _T.WORKER,
    "nguoi dan": _T.CITIZEN,
    "cong dan": _T.CITIZEN,
    "hoc sinh": _T.STUDENT,
    "sinh vien": _T.STUDENT,
    "hoc sinh sinh vien": _T.STUDENT,
    "hssv": _T.STUDENT,
}
TARGET_GROUP_WORDS = "Cán bộ, Công chức, Viên chức, Người lao động, Người dân, Học sinh"


class _Number(str):
    """The text of a cell Excel held as a number: a leading zero (every CCCD number starts
    with its province code, 001 to 096; every mobile number with 0) was dropped."""


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _Number(value)
    return str(value)


def _check_archive(data: bytes, unreadable: str) -> None:
    """Refuse an XLSX whose entries would inflate beyond what a roster can be.

    The sizes checked are those the archive declares; they are enough because Python's
    ``zipfile`` (which openpyxl reads through) never returns more bytes than an entry
    declares, and fails on the CRC when the data says otherwise. Nothing is extracted to
    disk, so paths and links inside the archive do not matter: openpyxl reads its own parts
    by name.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise RosterFileError(unreadable) from error
    too_large = _("The Excel file is damaged or too large to read.")
    if len(entries) > XLSX_MAX_ENTRIES:
        raise RosterFileError(too_large)
    if sum(entry.file_size for entry in entries) > XLSX_MAX_UNCOMPRESSED:
        raise RosterFileError(too_large)
    for entry in entries:
        if entry.file_size > XLSX_RATIO_FROM and entry.file_size > XLSX_MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise RosterFileError(too_large)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    unreadable = _(
        "The Excel file cannot be read. Open it in Excel, save it as .xlsx and try again."
    )
    _check_archive(data, unreadable)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, ParseError) as error:
        raise RosterFileError(unreadable) from error
    try:
        if not book.worksheets:
            raise RosterFileError(_("The file is empty."))
        for values in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_xlsx_text(value) for value in values]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, ParseError) as error:
        raise RosterFileError(unreadable) from error
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    """UTF-8 with or without the byte-order mark Excel writes, or UTF-16 ("Unicode text").
    Windows-1258 and other old code pages are refused with a message: guessing them would
    import wrong names without anyone noticing."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileError(
            _(
                "The CSV file is not in UTF-8, so its Vietnamese letters cannot be read. "
                "In Excel choose File → Save As → “CSV UTF-8 (Comma delimited)”, or upload "
                "the .xlsx file itself."
            )
        ) from error
    sample = text[:4096]
    delimiter = max(",;\t", key=sample.count)
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield values[:MAX_COLUMNS]
    except csv.Error as error:
        raise RosterFileError(
            _("The CSV file is damaged (%(problem)s).") % {"problem": error}
        ) from error


def table(data: bytes, file_name: str) -> Iterator[list[str]]:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "xlsx" or (extension != "csv" and data.startswith(b"PK\x03\x04")):
        return _xlsx_rows(data)
    if extension in {"csv", "txt"}:
        return _csv_rows(data)
    raise RosterFileError(
        _("Only CSV and Excel (.xlsx) files can be imported. Save an .xls file as .xlsx first.")
    )


def header_columns(row: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """The columns recognised in ``row`` (field → index), the fields seen twice, and the
    headers not recognised."""
    columns: dict[str, int] = {}
    twice: list[str] = []
    unknown: list[str] = []
    for index, cell in enumerate(row):
        folded = fold(str(cell))
        name = HEADER_FIELDS.get(folded)
        if name is None:
            if folded and folded not in IGNORED_HEADERS:
                unknown.append(masked(" ".join(str(cell).split())))
        elif name in columns:
            twice.append(COLUMNS[name][0])
        else:
            columns[name] = index
    return columns, twice, unknown


def find_header(rows: Iterator[list[str]]) -> tuple[int, dict[str, int]]:
    """Consume ``rows`` up to the one naming the columns: its number and the columns found.

    The header is the first of the top rows to name three known columns (a title may sit
    above it). Raises ``RosterFileError`` naming every required column missing, and the
    headers not recognised, so one message tells the officer how to fix the file.
    """
    first: tuple[int, dict[str, int], list[str]] | None = None
    for number, cells in enumerate(rows, start=1):
        columns, twice, unknown = header_columns(cells)
        if len(columns) >= 3:
            if twice:
                raise RosterFileError(
                    _("The column %(column)s appears twice.") % {"column": twice[0]}
                )
            first = (number, columns, unknown)
            break
        if first is None and any(str(cell).strip() for cell in cells):
            first = (number, columns, unknown)
        if number >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise RosterFileError(_("The file is empty."))
    number, columns, unknown = first
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in columns]
    if "email" not in columns and "phone" not in columns:
        missing.insert(1, f"{COLUMNS['email'][0]} / {COLUMNS['phone'][0]}")
    if missing:
        message = _("The file lacks the column(s): %(missing)s.") % {"missing": ", ".join(missing)}
        if unknown:
            message += " " + _("Columns not recognised: %(unknown)s.") % {
                "unknown": ", ".join(unknown[:10])
            }
        message += " " + _(
            "The first row must name the columns: Họ tên, Email or Số điện thoại, Số định danh "
            "(optional), Mã đơn vị, Chức vụ, Nhóm đối tượng."
        )
        raise RosterFileError(message)
    return number, columns
