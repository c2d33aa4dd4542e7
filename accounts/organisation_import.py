"""Import of the organisation tree from a CSV file, all or nothing.

The file is what a province office keeps in a spreadsheet: one row per organisation with
columns mã, tên, loại, mã đơn vị cấp trên, and optionally hiệu lực từ, hiệu lực đến and
sáp nhập vào. Headers are matched without regard to case or diacritics ("Ma don vi cap tren"
is fine); kinds may be written as the Vietnamese labels people use or as our codes.

Every row is checked against the file and the database together before anything is written;
one bad row imports nothing and every row's problems are reported with the row number the
spreadsheet shows (the header is row 1). Existing codes are updated (name, kind, dates) but
never moved: a changed parent is an error pointing to "Move" in the admin, because moving
changes who sees the organisation's people. A row may close an organisation or record an
old merge only when nobody belongs to it any more: carrying people over is the admin's
merge, which keeps their history.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from .models import Membership, Organisation

MAX_BYTES = 5 * 1024 * 1024
CODE_LENGTH = Organisation._meta.get_field("code").max_length
NAME_LENGTH = Organisation._meta.get_field("name").max_length


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d) and with single spaces: "Mã  Đơn vị" → "ma don vi"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().lower()


# Column → the folded headers that name it.
COLUMNS = {
    "code": {"ma", "ma don vi", "code"},
    "name": {"ten", "ten don vi", "name"},
    "kind": {"loai", "loai don vi", "kind"},
    "parent": {"ma don vi cap tren", "ma cap tren", "don vi cap tren", "parent", "parent code"},
    "active_from": {"hieu luc tu", "tu ngay", "active from"},
    "active_until": {"hieu luc den", "den ngay", "active until"},
    "merged_into": {"sap nhap vao", "ma sap nhap vao", "merged into"},
}
REQUIRED = ("code", "name", "kind", "parent")
OPTIONAL = ("active_from", "active_until", "merged_into")
# What the spreadsheet calls each required column, for the message when one is missing.
COLUMN_LABELS = {
    "code": "mã",
    "name": "tên",
    "kind": "loại",
    "parent": "mã đơn vị cấp trên",
}

K = Organisation.Kind
KINDS = {
    **{fold(kind.value): kind.value for kind in K},
    "ubnd tinh": K.PROVINCE,
    "uy ban nhan dan tinh": K.PROVINCE,
    "tinh": K.PROVINCE,
    "so/ban/nganh": K.DEPARTMENT,
    "so, ban, nganh": K.DEPARTMENT,
    "so": K.DEPARTMENT,
    "ban": K.DEPARTMENT,
    "nganh": K.DEPARTMENT,
    "don vi su nghiep": K.PUBLIC_UNIT,
    "don vi su nghiep cong lap": K.PUBLIC_UNIT,
    "phong": K.DIVISION,
    "phong/ban": K.DIVISION,
    "xa/phuong": K.COMMUNE,
    "xa, phuong": K.COMMUNE,
    "xa": K.COMMUNE,
    "phuong": K.COMMUNE,
    "thi tran": K.COMMUNE,
    "dac khu": K.COMMUNE,
    "ubnd xa": K.COMMUNE,
    "ubnd phuong": K.COMMUNE,
    "truong hoc": K.SCHOOL,
    "truong": K.SCHOOL,
}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def kind_of(value: str) -> str:
    """The kind a spreadsheet means, or "" if none: a Vietnamese label, a code, or the label
    shown in the admin in English or Vietnamese."""
    folded = fold(value)
    if folded in KINDS:
        return KINDS[folded]
    for language in ("en", "vi"):
        with translation.override(language):
            for kind in K:
                if fold(str(kind.label)) == folded:
                    return kind.value
    return ""


@dataclass
class Row:
    number: int
    code: str
    name: str
    kind: str
    parent: str
    active_from: date | None
    active_until: date | None
    merged_into: str
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did, or why it did nothing: ``error`` for the file as a whole,
    ``errors`` as (row number, messages) for each bad row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str = ""
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.errors


@dataclass
class Existing:
    """An organisation already in the tree, as the checks need it."""

    pk: int
    path: str
    parent_code: str
    name: str
    kind: str
    active_from: date | None
    active_until: date | None
    merged_into: str  # the code
    has_members: bool  # anyone in it or in its units

    @property
    def values(self) -> tuple:
        return (self.name, self.kind, self.active_from, self.active_until, self.merged_into)


def organisations_import(*, content: bytes, dry_run: bool = False) -> ImportReport:
    """Check the CSV ``content`` and, if every row is right and not ``dry_run``, write it all
    in one transaction. Nothing is written when anything is wrong."""
    report = ImportReport(dry_run=dry_run)
    try:
        rows, present = _parse(content)
    except ValueError as error:
        report.error = str(error)
        return report
    with transaction.atomic():
        existing = _existing()
        order = _check(rows, present, existing)
        report.errors = [(row.number, row.errors) for row in rows if row.errors]
        if report.errors:
            return report
        for row in rows:
            before = existing.get(row.code)
            if before is None:
                report.created += 1
            elif before.values != _values(row, before, present):
                report.updated += 1
            else:
                report.unchanged += 1
        if not dry_run:
            _write(order, existing, present)
    return report


def _parse(content: bytes) -> tuple[list[Row], set[str]]:
    """The rows of the file and the optional columns it has; ValueError for a bad file."""
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ValueError(
            gettext("This is an Excel workbook, not a CSV file. In Excel, save it as “CSV UTF-8”.")
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            gettext("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
        ) from None
    if "\x00" in text:
        raise ValueError(gettext("This is not a CSV file."))
    # Excel writes ";" where the list separator is ";" (as in Vietnamese settings).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error:
        raise ValueError(gettext("This is not a CSV file.")) from None
    if not records:
        raise ValueError(gettext("The file is empty."))
    positions: dict[str, int] = {}
    for index, header in enumerate(records[0]):
        folded = fold(header)
        for column, names in COLUMNS.items():
            if folded in names and column not in positions:
                positions[column] = index
    missing = [COLUMN_LABELS[column] for column in REQUIRED if column not in positions]
    if missing:
        raise ValueError(
            gettext("The file lacks these columns: %(columns)s. The first row must name them.")
            % {"columns": ", ".join(missing)}
        )

    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue

        def cell(column: str, record: list[str] = record) -> str:
            index = positions.get(column)
            return record[index].strip() if index is not None and index < len(record) else ""

        row = Row(
            number=number,
            code=cell("code"),
            name=" ".join(cell("name").split()),
            kind="",
            parent=cell("parent"),
            active_from=None,
            active_until=None,
            merged_into=cell("merged_into"),
        )
        if not row.code:
            row.errors.append(gettext("The code (mã) is empty."))
        elif len(row.code) > CODE_LENGTH:
            row.errors.append(
                gettext("The code is longer than %(count)s characters.") % {"count": CODE_LENGTH}
            )
        if not row.name:
            row.errors.append(gettext("The name (tên) is empty."))
        elif len(row.name) > NAME_LENGTH:
            row.errors.append(
                gettext("The name is longer than %(count)s characters.") % {"count": NAME_LENGTH}
            )
        kind = cell("kind")
        row.kind = kind_of(kind)
        if not row.kind:
            row.errors.append(
                gettext(
                    "Unknown kind “%(kind)s”: write Sở/ban/ngành, Đơn vị sự nghiệp, Phòng, "
                    "Xã/phường, Trường học or UBND tỉnh."
                )
                % {"kind": kind}
            )
        row.active_from = _date(cell("active_from"), row)
        row.active_until = _date(cell("active_until"), row)
        rows.append(row)
    if not rows:
        raise ValueError(gettext("The file has no organisations below its header."))
    return rows, {column for column in OPTIONAL if column in positions}


def _date(value: str, row: Row) -> date | None:
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    row.errors.append(
        gettext("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": value}
    )
    return None


def _existing() -> dict[str, Existing]:
    """Every organisation already in the tree, by code: three queries, whatever the size."""
    nodes = list(
        Organisation.objects.values_list(
            "pk", "code", "path", "name", "kind", "active_from", "active_until", "merged_into"
        )
    )
    code_of_path = {path: code for _pk, code, path, *_rest in nodes}
    code_of_pk = {pk: code for pk, code, *_rest in nodes}
    member_paths = set(Membership.objects.values_list("organisation__path", flat=True).distinct())
    step = Organisation.steplen
    with_members = {
        path[:length] for path in member_paths for length in range(step, len(path) + 1, step)
    }
    return {
        code: Existing(
            pk=pk,
            path=path,
            parent_code=code_of_path.get(path[:-step], ""),
            name=name,
            kind=kind,
            active_from=active_from,
            active_until=active_until,
            merged_into=code_of_pk.get(merged_into, ""),
            has_members=path in with_members,
        )
        for pk, code, path, name, kind, active_from, active_until, merged_into in nodes
    }


def _final(row: Row, before: Existing | None, present: set[str], column: str):
    """A date or merge after import: an optional column the file lacks keeps what is there."""
    return getattr(row if column in present or before is None else before, column)


def _values(row: Row, before: Existing | None, present: set[str]) -> tuple:
    return (
        row.name,
        row.kind,
        *(_final(row, before, present, column) for column in OPTIONAL),
    )


def _check(rows: list[Row], present: set[str], existing: dict[str, Existing]) -> list[Row]:
    """Add each row's problems to it; return the rows in an order that puts parents first."""
    by_code: dict[str, Row] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in by_code:
            row.errors.append(
                gettext("Code %(code)s is already on row %(row)s.")
                % {"code": row.code, "row": by_code[row.code].number}
            )
        else:
            by_code[row.code] = row

    def parent_of(code: str) -> str:
        if code in by_code:
            return by_code[code].parent
        return existing[code].parent_code if code in existing else ""

    def closed(code: str) -> bool:
        if code in by_code:
            return _final(by_code[code], existing.get(code), present, "active_until") is not None
        return code in existing and existing[code].active_until is not None

    for row in by_code.values():
        _check_row(row, existing.get(row.code), present, existing, by_code, closed)

    # Parents first. Existing organisations are in place already (their parent cannot change);
    # a new one follows its parent. What is left over hangs off a cycle or a bad row.
    order = [row for row in by_code.values() if row.code in existing]
    placed = set(existing)
    waiting = [row for row in by_code.values() if row.code not in existing]
    while waiting:
        progress = [row for row in waiting if not row.parent or row.parent in placed]
        if not progress:
            break
        order.extend(progress)
        placed.update(row.code for row in progress)
        waiting = [row for row in waiting if row.code not in placed]
    for row in waiting:
        if row.errors:
            continue
        chain = [row.code]
        code = row.parent
        while code in by_code and code not in placed and code not in chain:
            chain.append(code)
            code = by_code[code].parent
        if code in chain:
            cycle = chain[chain.index(code) :] + [code]
            row.errors.append(
                gettext("The parents go round in a circle: %(chain)s.")
                % {"chain": " → ".join(cycle)}
            )
        else:
            row.errors.append(
                gettext("Its parent %(code)s cannot be imported: see the row of %(code)s.")
                % {"code": row.parent}
            )

    # A merge's target cannot sit under the organisation merged into it.
    for row in by_code.values():
        code, seen = _final(row, existing.get(row.code), present, "merged_into"), set()
        while code and code not in seen:
            if code == row.code:
                row.errors.append(
                    gettext("%(code)s cannot be merged into one of its own units.")
                    % {"code": row.code}
                )
                break
            seen.add(code)
            code = parent_of(code)
    return order


def _check_row(
    row: Row,
    before: Existing | None,
    present: set[str],
    existing: dict[str, Existing],
    by_code: dict[str, Row],
    closed: Callable[[str], bool],
) -> None:
    active_until = _final(row, before, present, "active_until")
    merged_into = _final(row, before, present, "merged_into")
    active_from = _final(row, before, present, "active_from")
    if row.parent == row.code:
        row.errors.append(gettext("An organisation cannot be its own parent."))
    elif row.parent and row.parent not in by_code and row.parent not in existing:
        row.errors.append(
            gettext("Unknown parent code %(code)s: it is neither in the file nor in the tree.")
            % {"code": row.parent}
        )
    elif before is not None and before.parent_code != row.parent:
        row.errors.append(
            gettext(
                "%(code)s is under %(current)s in the tree, not %(parent)s. To move it, use "
                "“Move” in the organisation tree of the admin."
            )
            % {
                "code": row.code,
                "current": before.parent_code or gettext("nothing (it is a root)"),
                "parent": row.parent or gettext("nothing (a root)"),
            }
        )
    elif row.parent and active_until is None and closed(row.parent):
        row.errors.append(
            gettext("Its parent %(code)s is closed: an active unit cannot be under it.")
            % {"code": row.parent}
        )
    if active_from and active_until and active_until < active_from:
        row.errors.append(
            gettext("The last day (hiệu lực đến) comes before the first (hiệu lực từ).")
        )
    if merged_into:
        if merged_into == row.code:
            row.errors.append(gettext("An organisation cannot be merged into itself."))
        elif merged_into not in by_code and merged_into not in existing:
            row.errors.append(
                gettext("Unknown code %(code)s in “sáp nhập vào”.") % {"code": merged_into}
            )
        if active_until is None:
            row.errors.append(gettext("A merged organisation needs its last day (hiệu lực đến)."))
    if before is None:
        return
    if before.merged_into and (merged_into != before.merged_into or active_until is None):
        row.errors.append(
            gettext(
                "%(code)s was merged into %(into)s; an import cannot undo or redirect that merge."
            )
            % {"code": row.code, "into": before.merged_into}
        )
    if before.active_until is None and active_until is not None:
        if before.has_members:
            row.errors.append(
                gettext(
                    "People belong to %(code)s or its units: close or merge it in the admin, "
                    "which carries them over, not by import."
                )
                % {"code": row.code}
            )
        elif any(
            other.active_until is None
            and other.path.startswith(before.path)
            and other.path != before.path
            and code not in by_code
            for code, other in existing.items()
        ):
            row.errors.append(
                gettext("%(code)s still has active units: close or merge them first.")
                % {"code": row.code}
            )


def _write(order: list[Row], existing: dict[str, Existing], present: set[str]) -> None:
    """Write the checked rows, parents first, then point merged ones at their targets."""
    merges: list[tuple[str, str]] = []
    for row in order:
        before = existing.get(row.code)
        fields = {
            "name": row.name,
            "kind": row.kind,
            "active_from": _final(row, before, present, "active_from"),
            "active_until": _final(row, before, present, "active_until"),
        }
        if before is not None:
            Organisation.objects.filter(pk=before.pk).update(**fields)
        elif row.parent:
            # Re-read: an instance in memory has a stale numchild once earlier rows were added.
            Organisation.objects.get(code=row.parent).add_child(code=row.code, **fields)
        else:
            Organisation.add_root(code=row.code, **fields)
        merged_into = _final(row, before, present, "merged_into")
        if merged_into and (before is None or merged_into != before.merged_into):
            merges.append((row.code, merged_into))
    for code, into in merges:
        Organisation.objects.filter(code=code).update(
            merged_into=Organisation.objects.get(code=into)
        )
