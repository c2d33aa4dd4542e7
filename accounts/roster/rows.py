"""Rows of a roster: each checked on its own, against the rows above it, then against the
database (its unit, within the requester's scope, and the account it already is)."""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ..models import Organisation, User, normalise_phone, phone_validator
from .files import (
    TARGET_GROUP_VALUES,
    TARGET_GROUP_WORDS,
    RosterFileError,
    _Number,
    find_header,
    fold,
    masked,
    table,
)

MAX_ROWS = 200_000
LOOKUP_CHUNK = 900  # values per ``IN (…)``: below SQLite's oldest limit of 999


def national_id_digest(number: str) -> str:
    """The keyed hash kept instead of a personal identification number (12 digits).

    HMAC-SHA256 keyed by ``NATIONAL_ID_KEY`` (falling back to ``SECRET_KEY``): enough to
    recognise the same number in the next roster, useless to whoever reads the database
    without the key. Changing the key makes every stored digest unmatchable, so production
    sets ``NATIONAL_ID_KEY`` once and never rotates it with ``SECRET_KEY``.
    """
    secret = getattr(settings, "NATIONAL_ID_KEY", "") or settings.SECRET_KEY
    return salted_hmac(
        "accounts.national_id", number, secret=secret, algorithm="sha256"
    ).hexdigest()


@dataclass(slots=True)
class Row:
    """One person of the roster, cleaned; ``errors`` empty when it can be imported."""

    number: int
    full_name: str = ""
    email: str = ""  # lowercased
    phone: str = ""  # 0xxxxxxxxx, as accounts store it
    digest: str = ""  # of the national ID, never the number itself
    unit_code: str = ""
    position: str = ""
    target_group: str = ""
    errors: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    unit_name: str = ""
    user_id: int | None = None  # the existing account this person is


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _looks_shortened(value: str) -> bool:
    """Excel shows long numbers as 1.23457E+11 and a CSV saved from it keeps only that."""
    return bool(re.fullmatch(r"\d+([.,]\d+)?[eE]\+?\d+", value.strip()))


def _phone(raw: str, errors: list[str]) -> str:
    if _looks_shortened(raw):
        errors.append(
            _(
                "Excel has shortened the phone number to %(value)s: format the column as Text "
                "and type the number again."
            )
            % {"value": masked(_text(raw))}
        )
        return ""
    value = normalise_phone(_text(raw))
    if not value:
        return ""
    if value.isdigit() and len(value) == 9 and value[0] != "0":
        value = "0" + value  # the leading zero Excel drops from a number
    elif value.isdigit() and value.startswith("84") and len(value) in {11, 12}:
        value = "0" + value[2:]
    try:
        phone_validator(value)
    except ValidationError:
        errors.append(
            _("“%(value)s” is not a phone number; write it like 0912345678.")
            % {"value": masked(value)}
        )
        return ""
    return "0" + value[3:] if value.startswith("+84") else value


def _national_id(raw: str, errors: list[str]) -> str:
    value = re.sub(r"[\s.\-]", "", _text(raw))
    if not value:
        return ""
    if isinstance(raw, _Number) and value.isdigit() and len(value) < 12:
        value = value.zfill(12)
    if _looks_shortened(raw):
        errors.append(
            _(
                "Excel has shortened the national ID: format the column as Text and type the "
                "number again."
            )
        )
        return ""
    if not re.fullmatch(r"\d{12}", value):
        # The number itself is not repeated: it must not be stored, even in an error.
        errors.append(_("The national ID must have 12 digits."))
        return ""
    return national_id_digest(value)


def _row(number: int, cells: list[str], columns: dict[str, int]) -> Row:
    """Check one row on its own (no database); identity and unit come later."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    row = Row(number=number)
    errors = row.errors
    row.full_name = _text(cell("full_name"))
    if not row.full_name:
        errors.append(_("The full name is missing."))
    elif len(row.full_name) > 150:
        errors.append(_("The full name is longer than 150 characters."))
    email = _text(cell("email")).lower()
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.append(_("“%(value)s” is not an email address.") % {"value": masked(email)})
        else:
            row.email = email
    row.phone = _phone(cell("phone"), errors)
    if not email and not cell("phone").strip():
        errors.append(_("Give an email address or a phone number."))
    row.digest = _national_id(cell("national_id"), errors)
    row.unit_code = _text(cell("unit_code"))
    if not row.unit_code:
        errors.append(_("The unit code is missing."))
    row.position = _text(cell("position"))
    if len(row.position) > 150:
        errors.append(_("The position is longer than 150 characters."))
    group = _text(cell("target_group"))
    if not group:
        errors.append(_("The target group is missing."))
    else:
        row.target_group = TARGET_GROUP_VALUES.get(fold(group), "")
        if not row.target_group:
            errors.append(
                _("Unknown target group “%(value)s”: write one of %(choices)s.")
                % {"value": masked(group), "choices": TARGET_GROUP_WORDS}
            )
    return row


def read_rows(data: bytes, file_name: str) -> list[Row]:
    """Every row of the file, checked on its own and against the rows above it.

    Raises ``RosterFileError`` when the file as a whole cannot be imported.
    """
    cells_by_row = table(data, file_name)
    header_number, columns = find_header(cells_by_row)
    rows: list[Row] = []
    for number, cells in enumerate(cells_by_row, start=header_number + 1):
        if not any(str(cell).strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterFileError(
                _("The file has more than %(max)s people: split it into several files.")
                % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        rows.append(_row(number, cells, columns))
    if not rows:
        raise RosterFileError(_("The file has no rows below the column names."))
    _mark_repeats(rows)
    return rows


def _mark_repeats(rows: list[Row]) -> None:
    """The same person twice in one file: same national ID or email, or the same phone
    where the phone is all that identifies one of them. The first row stands."""
    seen: dict[tuple[str, str], Row] = {}
    for row in rows:
        keys = [("id", row.digest), ("email", row.email), ("phone", row.phone)]
        earlier = None
        for kind, value in keys:
            other = seen.get((kind, value)) if value else None
            if other is None:
                continue
            if (
                kind != "phone"
                or not (row.digest or row.email)
                or not (other.digest or other.email)
            ):
                earlier = other
                break
        if earlier is not None:
            row.errors.append(
                _("The same person is already in row %(row)s.") % {"row": earlier.number}
            )
            continue
        for key in keys:
            if key[1]:
                seen.setdefault(key, row)


def chunks(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def resolve(rows: list[Row], *, organisations, members) -> None:
    """Find each row's unit, within ``organisations``, and the existing account it is, if
    any, among the people of ``members``. Both None: the whole province. Adds the errors only
    the database can tell."""
    _resolve_units(rows, organisations)
    _resolve_people(rows, members)


def _resolve_units(rows: list[Row], scope) -> None:
    organisations = Organisation.objects.all() if scope is None else scope
    found = organisations.values_list("pk", "code", "name", "active_until", "merged_into_id")
    exact = {unit[1]: unit for unit in found}
    # Codes are typed by hand: "na.skhcn" means NA.SKHCN, unless both exist.
    any_case = {code.upper(): unit for code, unit in reversed(exact.items())}
    codes_by_pk = {unit[0]: unit[1] for unit in exact.values()}
    for row in rows:
        if not row.unit_code:
            continue
        unit = exact.get(row.unit_code) or any_case.get(row.unit_code.upper())
        if unit is None:
            # Another agency's code reads as unknown: it is not confirmed to exist.
            row.errors.append(_("Unknown unit code “%(code)s”.") % {"code": masked(row.unit_code)})
        elif unit[3] is not None:
            successor = codes_by_pk.get(unit[4])
            if successor:
                row.errors.append(
                    _("The unit %(code)s was merged into %(new)s: use that code.")
                    % {"code": unit[1], "new": successor}
                )
            else:
                row.errors.append(_("The unit %(code)s no longer exists.") % {"code": unit[1]})
        else:
            row.organisation_id, row.unit_name = unit[0], unit[2]


def _resolve_people(rows: list[Row], members) -> None:
    """Match each row to an account: by national ID, then email (any case, the account's
    own or a verified address of it), then phone.

    A phone is shared in families and passed on, so it matches only one account whose
    email and national ID do not contradict the row; an email and a national ID pointing at
    two different accounts is an error a person must resolve, never a guess.

    ``members`` (the memberships the uploader may see; None for the whole province) limits
    whom a row may be: an HR officer's roster must not pull someone of another agency into
    their scope (and so into their reports). Accounts are still looked up everywhere, so
    such a person is neither matched nor created again (an email is unique); the row gets
    one message, the same whichever of the email, phone or ID found them, and nothing else
    about that account: no "existing" mark, no contradiction between its ID and its email
    that would let a roster test ID numbers against an address.
    """
    digests = {r.digest for r in rows if r.digest}
    emails = {r.email for r in rows if r.email}
    phones = {r.phone for r in rows if r.phone}
    known: dict[int, tuple[str, str]] = {}  # user id → (email lowercased, digest)
    by_digest: dict[str, int] = {}
    by_email: dict[str, int] = {}
    by_phone: dict[str, set[int]] = defaultdict(set)
    fields = ("pk", "email", "national_id_digest", "phone")

    def note(pk: int, email: str, digest: str, phone: str) -> None:
        known[pk] = (email.lower(), digest)
        if digest:
            by_digest[digest] = pk
        if email:
            by_email.setdefault(email.lower(), pk)
        if phone:
            by_phone[_canonical_phone(phone)].add(pk)

    for chunk in chunks(digests):
        for values in User.objects.filter(national_id_digest__in=chunk).values_list(*fields):
            note(*values)
    for chunk in chunks(emails):
        # ``email <> ''`` repeats the condition of the unique index on LOWER(email), so
        # PostgreSQL can use it.
        users = User.objects.filter(~Q(email="")).annotate(email_lower=Lower("email"))
        for values in users.filter(email_lower__in=chunk).values_list(*fields):
            note(*values)
        addresses = EmailAddress.objects.filter(email__in=chunk, verified=True)
        for email, pk in addresses.values_list("email", "user_id"):
            by_email.setdefault(email.lower(), pk)
    for chunk in chunks(phones, LOOKUP_CHUNK // 2):
        forms = chunk + ["+84" + phone[1:] for phone in chunk]
        for values in User.objects.filter(phone__in=forms).values_list(*fields):
            note(*values)
    missing = {pk for pk in by_email.values() if pk not in known}
    for chunk in chunks(missing):
        for values in User.objects.filter(pk__in=chunk).values_list(*fields):
            known[values[0]] = (values[1].lower(), values[2])
    if members is None:
        in_scope: set[int] | None = None
    else:
        in_scope = set()
        for chunk in chunks(known):
            in_scope.update(
                members.filter(user_id__in=chunk).values_list("user_id", flat=True).distinct()
            )

    def elsewhere(pk: int | None) -> bool:
        return pk is not None and in_scope is not None and pk not in in_scope

    taken: dict[int, int] = {}  # user id → the row that claimed it
    for row in rows:
        by_id = by_digest.get(row.digest) if row.digest else None
        by_mail = by_email.get(row.email) if row.email else None
        if elsewhere(by_id) or elsewhere(by_mail):
            row.errors.append(_account_elsewhere())
            continue
        if by_id and by_mail and by_id != by_mail:
            row.errors.append(
                _("The national ID and the email address belong to two different accounts.")
            )
            continue
        user_id = by_id or by_mail
        if user_id and not by_id and row.digest and known[user_id][1] not in ("", row.digest):
            row.errors.append(_("The account with this email address has another national ID."))
            continue
        if user_id is None and row.phone:
            fitting = [
                pk
                for pk in by_phone.get(row.phone, ())
                if _fits(known[pk][0], row.email) and _fits(known[pk][1], row.digest)
            ]
            if any(elsewhere(pk) for pk in fitting):
                # Possibly this person, out of reach: neither a guess nor a second account.
                row.errors.append(_account_elsewhere())
                continue
            if len(fitting) > 1:
                row.errors.append(
                    _(
                        "The phone number belongs to several accounts: add the email address "
                        "or the national ID."
                    )
                )
                continue
            user_id = fitting[0] if fitting else None
        if user_id is not None and not row.errors:
            if user_id in taken:
                row.errors.append(
                    _("The same person is already in row %(row)s.") % {"row": taken[user_id]}
                )
                continue
            taken[user_id] = row.number
        row.user_id = user_id


def _account_elsewhere() -> str:
    return _(
        "This person already has an account elsewhere: ask the province administrator to add them."
    )


def _fits(theirs: str, ours: str) -> bool:
    """Nothing contradicts: one of the two is blank, or they are the same."""
    return not theirs or not ours or theirs == ours


def _canonical_phone(phone: str) -> str:
    phone = normalise_phone(phone)
    return "0" + phone[3:] if phone.startswith("+84") else phone
