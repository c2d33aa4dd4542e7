"""H5P: importing packages, attempts, statements from the player, grades and resume state.

The browser grades H5P content, so the server treats each score as a claim: the statement
must belong to the learner's open attempt at this activity, in the lesson it was opened
from, and its score must lie between 0 and the package's maximum (from the package's own
parameters where the type defines one, otherwise fixed by the first scored statement).
Anything else is stored, flagged with the reason, and changes nothing. Every write locks the
attempt, so statements racing each other or re-sent after a timeout count once.
"""

import hashlib
import io
import logging
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..h5p import archive, scoring, xapi
from ..models import H5PActivity, H5PAttempt, H5PGrade, H5PPackageVersion, H5PState, H5PStatement
from ..signals import h5p_graded
from .grades import grade_recompute
from .rows import row_inserted, row_locked

logger = logging.getLogger(__name__)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_STATE_BYTES = 256 * 1024


class H5PImportRefused(Exception):
    """A package that cannot be used; ``code`` names the rule, the message is for people."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


# Our own small content type (HVS.QuickCheck: true/false statements) with Vietnamese content,
# zipped into a package by the demo and by tests that need one that plays.
DEMO_PACKAGE = Path(__file__).resolve().parents[1] / "data" / "h5p-demo"


def demo_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for path in sorted(DEMO_PACKAGE.rglob("*")):
            if path.is_file():
                package.write(path, path.relative_to(DEMO_PACKAGE).as_posix())
    return buffer.getvalue()


def limits() -> archive.Limits:
    return archive.Limits(
        max_files=settings.H5P_MAX_FILES,
        max_uncompressed_bytes=settings.H5P_MAX_UNCOMPRESSED_BYTES,
        max_file_bytes=settings.H5P_MAX_FILE_BYTES,
    )


def _megabytes(value: int) -> str:
    return f"{value / (1024 * 1024):.0f} MB"


def refusal_message(refusal: archive.H5PRefused) -> str:
    """The Vietnamese (or English) sentence for one refusal."""
    p = refusal.params
    code = refusal.code
    if code == "several":
        return " ".join(refusal_message(problem) for problem in p["problems"])
    messages = {
        "not-a-zip": _(
            "The file is not an H5P package: it is not a zip archive, or it is damaged."
        ),
        "empty": _("The package is empty."),
        "too-many-files": _("The package holds %(count)s files; at most %(limit)s are allowed."),
        "too-large": _("Unpacked, the package would exceed %(size)s, the limit."),
        "file-too-large": _("“%(file)s” would exceed %(size)s once unpacked, the limit per file."),
        "unsafe-path": _(
            "“%(file)s” has a path that points outside the package (“..”, an absolute path "
            "or a drive letter); such a package is refused."
        ),
        "symlink": _("“%(file)s” is a symbolic link; links are not allowed in a package."),
        "special-file": _("“%(file)s” is not an ordinary file."),
        "file-type": _(
            "“%(file)s” has a file type that H5P does not allow (.%(extension)s). Packages may "
            "hold pictures, sound, video, documents and fonts, and scripts and styles only "
            "inside libraries; never web pages or programs."
        ),
        "duplicate-entry": _("“%(file)s” appears twice in the package."),
        "missing-h5p-json": _("The package has no h5p.json file."),
        "missing-content-json": _("The package has no content/content.json file."),
        "invalid-h5p-json": _("h5p.json is not valid JSON."),
        "invalid-content-json": _("content/content.json is not valid JSON."),
        "invalid-h5p-json-schema": _(
            "h5p.json lacks a required field or has a wrong value: %(field)s."
        ),
        "invalid-library-name": _(
            "The library folder “%(folder)s” is not named like “Machine.Name-1.0”."
        ),
        "missing-library-json": _("The library folder “%(folder)s” has no library.json."),
        "invalid-library-json": _(
            "The library.json of “%(folder)s” is not valid: it must name the library and "
            "give its title and major, minor and patch versions."
        ),
        "library-directory-name-mismatch": _(
            "The library folder “%(folder)s” does not match its library.json, which says "
            "“%(expected)s”."
        ),
        "api-version-unsupported": _(
            "The library “%(folder)s” needs H5P core %(required)s; this player provides "
            "%(supported)s."
        ),
        "library-file-missing": _(
            "The library “%(folder)s” lists “%(file)s”, which is not in the package."
        ),
        "invalid-language-file": _(
            "The language file “%(file)s” is not named like “vi.json” or “pt-br.json”."
        ),
        "invalid-language-file-json": _("The language file “%(file)s” is not valid JSON."),
        "missing-library": _(
            "The package needs the library %(library)s but does not include it. Export it "
            "again with its libraries (in Lumi or on h5p.org, “download” with libraries)."
        ),
    }
    template = messages.get(code, _("The package cannot be used (%(code)s)."))
    values = {
        **{key: value for key, value in p.items() if key != "problems"},
        "code": code,
    }
    if "limit" in p:
        values["size"] = _megabytes(p["limit"])
        values["limit"] = f"{p['limit']:,}".replace(",", ".")
    if "count" in p:
        values["count"] = f"{p['count']:,}".replace(",", ".")
    return template % values


def package_inspect(source) -> archive.Manifest:
    """Check a package without extracting it; H5PImportRefused says why it is unusable."""
    if source.seek(0, 2) > settings.H5P_MAX_UPLOAD_BYTES:
        raise H5PImportRefused(
            _("The file is larger than %(size)s, the limit for a package.")
            % {"size": _megabytes(settings.H5P_MAX_UPLOAD_BYTES)},
            "upload-too-large",
        )
    source.seek(0)
    try:
        return archive.inspect(source, limits=limits(), core_api=tuple(settings.H5P_CORE_API))
    except archive.H5PRefused as refusal:
        raise H5PImportRefused(refusal_message(refusal), refusal.code) from None


def content_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "h5p" / "content"


def version_folder(version: H5PPackageVersion) -> Path:
    return content_root() / str(version.folder)


def _sha256(source) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    source.seek(0)
    while chunk := source.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    source.seek(0)
    return digest.hexdigest(), size


def h5p_package_import(
    *,
    source,
    filename: str,
    activity: H5PActivity | None = None,
    title: str = "",
    user=None,
    manifest=None,
) -> H5PPackageVersion:
    """Check, extract and record a package: a new activity, or a new version of ``activity``
    (the older versions and their files stay, for the attempts that played them). A caller
    that has run ``package_inspect`` on this very file already passes its ``manifest``.

    The package is extracted into a fresh folder first; the database rows are written only
    once every file is in place, and a failure removes the folder, so a refusal leaves
    nothing behind.
    """
    manifest = manifest or package_inspect(source)
    folder = uuid.uuid4()
    destination = content_root() / str(folder)
    try:
        source.seek(0)
        archive.extract(source, manifest, destination, limits=limits())
    except archive.H5PRefused as refusal:
        shutil.rmtree(destination, ignore_errors=True)
        raise H5PImportRefused(refusal_message(refusal), refusal.code) from None
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)
        raise
    sha256, size = _sha256(source)
    maximum = scoring.max_score(manifest.main_library, manifest.params)
    described = manifest.as_json()
    try:
        with transaction.atomic():
            if activity is None:
                activity = H5PActivity.objects.create(title=(title or manifest.title)[:255])
            else:
                activity = H5PActivity.objects.select_for_update().get(pk=activity.pk)
            number = (activity.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = H5PPackageVersion(
                activity=activity,
                number=number,
                folder=folder,
                sha256=sha256,
                size=size,
                title=manifest.title,
                main_library=manifest.main_library,
                language=manifest.language,
                libraries=described["libraries"],
                content_types=described["content_types"],
                max_score=Decimal(maximum) if maximum is not None else None,
                uploaded_by=user,
            )
            source.seek(0)
            version.package.save(Path(filename).name or "package.h5p", File(source), save=False)
            version.save()
            activity.save(update_fields=["updated_at"])
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)
        raise
    return version


def version_files_remove(sender, instance: H5PPackageVersion, **kwargs) -> None:
    """A deleted version's folder and file go once the deletion commits (never before: a
    rolled-back deletion must still play)."""
    folder = version_folder(instance)
    package = instance.package

    def remove():
        shutil.rmtree(folder, ignore_errors=True)
        if package:
            package.delete(save=False)

    transaction.on_commit(remove)


# --- Attempts and statements --------------------------------------------------------------


@dataclass
class Outcome:
    """What the endpoint answers: whether the statement was taken, and the state after it."""

    accepted: bool
    reason: str = ""
    duplicate: bool = False
    attempt: H5PAttempt | None = None  # the attempt statements go to from now on
    graded: H5PAttempt | None = None  # the attempt this statement graded, if it did
    grade: H5PGrade | None = None


@transaction.atomic
def h5p_attempt_open(*, user, activity: H5PActivity, context_id: int) -> H5PAttempt:
    """The learner's open attempt at the activity in this lesson, started if there is none."""
    attempt = (
        H5PAttempt.objects.select_for_update()
        .filter(user=user, activity=activity, context_id=context_id, finished_at__isnull=True)
        .first()
    )
    version = activity.current
    if attempt is not None:
        if (
            version is not None
            and attempt.version_id != version.pk
            and not attempt.statements.filter(accepted=True).exists()
        ):
            # Nothing played yet: the learner gets the package as it is now.
            attempt.version = version
            attempt.save(update_fields=["version"])
        return attempt
    if version is None:
        raise H5PImportRefused(_("This activity has no package yet."), "no-package")
    number = (
        H5PAttempt.objects.filter(user=user, activity=activity, context_id=context_id).aggregate(
            n=Max("number")
        )["n"]
        or 0
    ) + 1
    try:
        with transaction.atomic():
            return H5PAttempt.objects.create(
                user=user, activity=activity, version=version, context_id=context_id, number=number
            )
    except IntegrityError:
        # Two tabs opened it at once: the constraint let one through; use that one.
        return H5PAttempt.objects.get(
            user=user, activity=activity, context_id=context_id, finished_at__isnull=True
        )


def _stored(statement, *, user, statement_id: uuid.UUID, now) -> dict:
    """The statement as kept: the learner's account as actor (the browser's claim is not
    evidence), with an id and the times added."""
    payload = dict(statement) if isinstance(statement, dict) else {"unreadable": statement}
    payload["id"] = str(statement_id)
    payload.setdefault("timestamp", now.isoformat())
    payload["stored"] = now.isoformat()
    if "actor" in payload:
        payload["actor_claimed"] = payload["actor"]  # what the browser said, kept for audit
    payload["actor"] = {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(user.pk)},
    }
    return payload


def h5p_statement_reject(
    *, user, statement, reason: str, activity=None, context_id=None, attempt=None
) -> H5PStatement:
    """Keep a refused statement for audit, flagged with why; it changes nothing else."""
    now = timezone.now()
    statement_id = uuid.uuid4()
    verb = ""
    try:
        reading = xapi.read(statement)
        statement_id = reading.statement_id or statement_id
        verb = reading.verb[:60]
    except xapi.Malformed:
        pass
    logger.info("H5P statement refused for user %s: %s", user.pk, reason)
    return row_inserted(
        H5PStatement,
        user=user,
        activity=activity,
        attempt=attempt,
        context_id=context_id,
        statement_id=statement_id,
        verb=verb,
        payload=_stored(statement, user=user, statement_id=statement_id, now=now),
        accepted=False,
        reason=reason[:40],
    )


def _maximum(attempt: H5PAttempt, reading: xapi.Reading) -> Decimal | None:
    """The package's maximum: from its own parameters where its type defines one; otherwise
    the one this learner's first scored statement at this version gave, which binds their
    later ones. Per learner, so that one learner's forged maximum never decides anyone
    else's score."""
    version = attempt.version
    if version.max_score is not None:
        return version.max_score
    first = (
        H5PAttempt.objects.filter(
            user_id=attempt.user_id, version_id=version.pk, max_score__isnull=False
        )
        .order_by("finished_at", "pk")
        .values_list("max_score", flat=True)
        .first()
    )
    if first is not None:
        return first
    if reading.max is None or reading.max <= 0:
        return None
    return Decimal(str(reading.max)).quantize(CENT)


def _attempt_locked(pk: int) -> H5PAttempt | None:
    """The attempt, its row locked until the transaction ends. Read without the ORM's
    query building (``rows``), which took longer than the rest of an ordinary statement's
    reads (its package version is read only for the statement that carries the score)."""
    return row_locked(H5PAttempt, pk)


@transaction.atomic
def h5p_statement_record(
    *, user, activity: H5PActivity, context_id: int, attempt_id, statement
) -> Outcome:
    """Take one statement from the player for the learner's attempt.

    The caller (learning) has checked the enrolment, the lesson and the CSRF token. Accepted
    statements are stored once per id. A scored statement about the activity itself closes
    the attempt with its score, updates the grade, sends ``h5p_graded`` (in this
    transaction) and opens the next attempt, whose id the player uses from then on.
    """
    try:
        reading = xapi.read(statement)
    except xapi.Malformed as malformed:
        h5p_statement_reject(
            user=user,
            statement=statement,
            reason=f"malformed-{malformed.code}",
            activity=activity,
            context_id=context_id,
        )
        return Outcome(accepted=False, reason=f"malformed-{malformed.code}")
    try:
        attempt_pk = int(attempt_id)
    except (TypeError, ValueError, OverflowError):
        attempt_pk = None
    if attempt_pk is not None and not 0 < attempt_pk < 2**63:
        attempt_pk = None
    attempt = _attempt_locked(attempt_pk) if attempt_pk is not None else None

    def reject(reason: str, attempt=None) -> Outcome:
        h5p_statement_reject(
            user=user,
            statement=statement,
            reason=reason,
            activity=activity,
            context_id=context_id,
            attempt=attempt,
        )
        return Outcome(accepted=False, reason=reason, attempt=attempt)

    if attempt is None:
        return reject("no-attempt")
    if attempt.user_id != user.pk:
        return reject("other-user")
    if attempt.activity_id != activity.pk or attempt.context_id != context_id:
        return reject("other-activity")
    if reading.statement_id is not None:
        seen = H5PStatement.objects.filter(
            user=user, statement_id=reading.statement_id, accepted=True
        ).first()
        if seen is not None:
            current = h5p_attempt_open(user=user, activity=activity, context_id=context_id)
            return Outcome(
                accepted=True,
                duplicate=True,
                attempt=current,
                graded=seen.attempt if seen.counted else None,
                grade=H5PGrade.objects.filter(user=user, activity=activity).first(),
            )
    if not attempt.is_open:
        return reject("attempt-closed", attempt)
    iri = activity.iri()
    top_level = reading.object_id == iri
    if not top_level and not reading.object_id.startswith(f"{iri}?subContentId="):
        return reject("other-activity", attempt)
    counts = top_level and reading.scored and reading.verb in xapi.SCORING_VERBS
    if reading.scored and (reading.raw < 0 or (reading.min is not None and reading.min < 0)):
        return reject("negative-score", attempt)
    maximum = _maximum(attempt, reading) if counts else None
    if counts and maximum is None:
        return reject("no-maximum", attempt)
    if counts and Decimal(str(reading.raw)) > maximum:
        return reject("above-maximum", attempt)
    now = timezone.now()
    statement_id = reading.statement_id or uuid.uuid4()

    def store() -> H5PStatement:
        return row_inserted(
            H5PStatement,
            user=user,
            activity=activity,
            attempt=attempt,
            context_id=context_id,
            statement_id=statement_id,
            verb=reading.verb[:60],
            payload=_stored(statement, user=user, statement_id=statement_id, now=now),
            accepted=True,
            counted=counts,
        )

    if reading.statement_id is None:
        stored = store()  # an id of our own: nothing to collide with, no savepoint needed
    else:
        try:
            with transaction.atomic():
                stored = store()
        except IntegrityError:
            # The same id, sent at the same moment for another attempt: the constraint let
            # the other one in, and this one is the re-send.
            current = h5p_attempt_open(user=user, activity=activity, context_id=context_id)
            return Outcome(accepted=True, duplicate=True, attempt=current)
    if not counts:
        return Outcome(accepted=True, attempt=attempt)
    raw = Decimal(str(reading.raw)).quantize(CENT)
    percent = (raw / maximum * HUNDRED).quantize(CENT) if maximum else Decimal(0)
    attempt.raw_score = raw
    attempt.max_score = maximum
    attempt.percent = percent
    # "Failed" never passes, whatever the score; otherwise the activity's own pass mark.
    attempt.passed = (
        attempt.percent >= activity.pass_mark
        and reading.verb != "failed"
        and reading.success is not False
    )
    attempt.finished_at = now
    attempt.save(update_fields=["raw_score", "max_score", "percent", "passed", "finished_at"])
    grade = h5p_grade_update(user=user, activity=activity)
    h5p_graded.send(sender=H5PAttempt, attempt=attempt)
    following = h5p_attempt_open(user=user, activity=activity, context_id=context_id)
    logger.debug("statement %s graded attempt %s", stored.pk, attempt.pk)
    return Outcome(accepted=True, attempt=following, graded=attempt, grade=grade)


def h5p_grade_update(*, user, activity: H5PActivity) -> H5PGrade | None:
    """Recompute the learner's grade from their graded attempts, by the activity's rule
    (locked first, as for quizzes: ``grade_recompute``)."""
    return grade_recompute(
        H5PGrade, lambda: _h5p_grade_values(user, activity), user=user, activity=activity
    )


def _h5p_grade_values(user, activity: H5PActivity) -> dict | None:
    graded = list(
        H5PAttempt.objects.filter(user=user, activity=activity, percent__isnull=False).order_by(
            "finished_at", "pk"
        )
    )
    if not graded:
        return None
    if activity.grading_method == H5PActivity.Grading.FIRST:
        chosen = graded[0]
    elif activity.grading_method == H5PActivity.Grading.LAST:
        chosen = graded[-1]
    else:
        chosen = max(graded, key=lambda a: (a.percent, a.passed, a.finished_at))
    return {
        "percent": chosen.percent,
        "raw_score": chosen.raw_score,
        "max_score": chosen.max_score,
        "passed": bool(chosen.passed),
        "attempts_graded": len(graded),
        "updated_at": timezone.now(),
    }


@transaction.atomic
def h5p_state_save(*, user, activity: H5PActivity, context_id: int, data: str) -> H5PState:
    """Keep where the learner is in the activity, to resume it on the next visit."""
    if not isinstance(data, str) or len(data.encode()) > MAX_STATE_BYTES:
        raise H5PImportRefused(
            ngettext(
                "The saved state is larger than %(count)d KB.",
                "The saved state is larger than %(count)d KB.",
                MAX_STATE_BYTES // 1024,
            )
            % {"count": MAX_STATE_BYTES // 1024},
            "state-too-large",
        )
    # Only an attempt opened from the lesson (which checked it is unlocked) takes a state.
    attempt = H5PAttempt.objects.filter(
        user=user, activity=activity, context_id=context_id, finished_at__isnull=True
    ).first()
    if attempt is None:
        raise H5PImportRefused(
            _("There is no open attempt. Reload the page to start again."), "no-attempt"
        )
    state, _created = H5PState.objects.update_or_create(
        user=user,
        activity=activity,
        context_id=context_id,
        defaults={"data": data, "version_id": attempt.version_id},
    )
    return state


def h5p_state_for(*, user, attempt: H5PAttempt) -> str | None:
    """The saved state, unless it was saved for another version of the package (a state
    does not fit a replaced package)."""
    state = H5PState.objects.filter(
        user=user, activity_id=attempt.activity_id, context_id=attempt.context_id
    ).first()
    if state is None or state.version_id != attempt.version_id:
        return None
    return state.data
