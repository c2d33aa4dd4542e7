"""An H5P activity inside a lesson: open an attempt, take statements, keep the resume state.

Here the lesson meets the learner: these views check that the lesson is live and holds the
activity, that its privacy settings let the learner in, that the learner is enrolled (and,
to open an attempt, that the lesson is unlocked for them) and the CSRF token. The statement
endpoint checks the token itself rather than through the middleware, so that a statement
without one is kept, flagged, like every other refusal. Grading belongs to ``assessments``.
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assessments import services as assessment
from assessments.h5p.xapi import MAX_BYTES
from assessments.models import H5PActivity, H5PGrade
from courses.caching import cached_many, over_rate, over_rate_reading
from courses.models import LessonPage
from courses.selectors import course_of

from . import selectors
from .models import CourseCompletion, LessonProgress
from .views import _visible


def _constant(name):
    raise ValueError(f"{name} is not JSON")


def _json(body: bytes):
    """The body as JSON, or None: no NaN or Infinity (the database refuses them), no
    nesting deep enough to exhaust the stack."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


STATUS = {
    "csrf": 403,
    "not-enrolled": 403,
    "lesson-locked": 403,
    "other-user": 403,
    "other-activity": 403,
    "not-in-lesson": 404,
    "no-attempt": 409,
    "attempt-closed": 409,
    "too-large": 413,
}


def _messages() -> dict[str, str]:
    return {
        "csrf": _("The page has expired. Reload it and answer again."),
        "not-enrolled": _("Enrol in the course to do this activity."),
        "lesson-locked": _("Complete the previous lessons first."),
        "not-in-lesson": _("This activity is not in this lesson."),
        "other-user": _("This attempt belongs to someone else."),
        "other-activity": _("This answer is about another activity."),
        "no-attempt": _("There is no open attempt. Reload the page to start again."),
        "attempt-closed": _("This attempt is already finished. Reload the page to try again."),
        "negative-score": _("The score sent is below zero; it was not counted."),
        "above-maximum": _("The score sent is above what the activity allows; it was not counted."),
        "no-maximum": _("The activity's maximum score is unknown; the score was not counted."),
        "too-large": _("The answer sent is too large."),
    }


def _refused(reason: str) -> JsonResponse:
    message = _messages().get(reason, _("The answer could not be read; it was not counted."))
    status = STATUS.get(reason, 422)
    return JsonResponse({"accepted": False, "reason": reason, "message": message}, status=status)


def _not_signed_in() -> JsonResponse:
    return JsonResponse(
        {"accepted": False, "reason": "login", "message": _("Log in again to continue.")},
        status=403,
    )


class _Flooding(Exception):
    pass


def _place(request, lesson_id: int, activity_id: int, *, counted: bool = False):
    """(lesson, course, activity, refusal): the lesson and activity if this learner may use
    them here, else why not. ``counted``: this request counts towards the learner's rate of
    statements, asked before anything is read from the database; "rate" when over it. With
    the lesson in the cache (every statement but the first few), the rate is counted in the
    same round trip to the cache as the learner's enrolment is read."""
    rate = f"h5p-statements:{request.user.pk}"
    counted_already = False

    # Every statement asks: the lesson and the activity are read from the cache (in one
    # lookup) until a page or an activity changes.
    def load(missing) -> dict:
        nonlocal counted_already
        if counted:
            counted_already = True
            if over_rate(rate, settings.H5P_STATEMENT_RATE):
                raise _Flooding  # nothing read, nothing cached
        found = {}
        if "lesson" in missing:
            found["lesson"] = LessonPage.objects.live().filter(pk=lesson_id).first()
        if "activity" in missing:
            found["activity"] = H5PActivity.objects.filter(pk=activity_id).first()
        return {name: value for name, value in found.items() if value is not None}

    names = {"lesson": f"lesson:{lesson_id}", "activity": f"h5p:{activity_id}"}
    try:
        kept = cached_many(names, load)
    except _Flooding:
        return None, None, None, "rate"
    lesson, activity = kept.get("lesson"), kept.get("activity")
    course = course_of(lesson) if lesson is not None else None
    enrolled = None  # not read yet
    if counted and not counted_already:
        key = selectors.enrolled_key(request.user.pk, course.pk) if course is not None else None
        flooding, found = over_rate_reading(
            rate, settings.H5P_STATEMENT_RATE, [key] if key is not None else []
        )
        if flooding:
            return lesson, course, activity, "rate"
        enrolled = bool(found.get(key))
    if (
        course is None
        or activity is None
        or activity.pk not in lesson.h5p_ids
        or not _visible(request, lesson)
    ):
        return lesson, course, activity, "not-in-lesson"
    if not selectors.is_enrolled(user=request.user, course=course, cached=enrolled):
        return lesson, course, activity, "not-enrolled"
    return lesson, course, activity, None


def _csrf_failed(request) -> bool:
    checker = CsrfViewMiddleware(lambda request: None)
    checker.process_request(request)
    return checker.process_view(request, None, (), {}) is not None


def _slow_down() -> JsonResponse:
    return JsonResponse(
        {
            "accepted": False,
            "reason": "rate",
            "message": _("Too many answers at once; wait a moment."),
        },
        status=429,
    )


def _grade_json(grade: H5PGrade | None):
    if grade is None:
        return None
    return {"percent": floatformat(grade.percent, -2), "passed": grade.passed}


@never_cache
@require_POST
def h5p_start(request, lesson_id: int, activity_id: int):
    """Open (or resume) the learner's attempt; answers with what the frame needs."""
    if not request.user.is_authenticated:
        return _not_signed_in()
    lesson, course, activity, refusal = _place(request, lesson_id, activity_id)
    if refusal is None:
        current = selectors.course_state(user=request.user, course=course).lesson(lesson.pk)
        if current is None or not current.unlocked:
            refusal = "lesson-locked"
    if refusal is not None:
        return _refused(refusal)
    try:
        attempt = assessment.h5p_attempt_open(
            user=request.user, activity=activity, context_id=lesson.pk
        )
    except assessment.H5PImportRefused as missing:
        return JsonResponse({"accepted": False, "message": str(missing)}, status=409)
    frame = f"{settings.H5P_CONTENT_ORIGIN}/h5p-noi-dung/choi/{attempt.version.folder}/"
    return JsonResponse(
        {
            "attempt": attempt.pk,
            "state": assessment.h5p_state_for(user=request.user, attempt=attempt),
            "frame": frame,
            "grade": _grade_json(
                H5PGrade.objects.filter(user=request.user, activity=activity).first()
            ),
        }
    )


@never_cache
@csrf_exempt  # checked below, so that a statement without a token is kept and flagged
@require_POST
def h5p_statement(request, lesson_id: int, activity_id: int):
    """One xAPI statement from the player, for the learner's open attempt."""
    if not request.user.is_authenticated:
        return _not_signed_in()
    user = request.user
    lesson, course, activity, refusal = _place(request, lesson_id, activity_id, counted=True)
    if refusal == "rate":
        return _slow_down()  # not stored: a flood must not fill the audit table
    if len(request.body) > MAX_BYTES:
        assessment.h5p_statement_reject(
            user=user, statement={"too_large": len(request.body)}, reason="too-large"
        )
        return _refused("too-large")
    body = _json(request.body)
    statement = body.get("statement") if isinstance(body, dict) else body
    if _csrf_failed(request):
        refusal = "csrf"
    if refusal is not None:
        assessment.h5p_statement_reject(
            user=user,
            statement=statement,
            reason=refusal,
            activity=activity,
            context_id=lesson.pk if lesson is not None else None,
        )
        return _refused(refusal)
    outcome = assessment.h5p_statement_record(
        user=user,
        activity=activity,
        context_id=lesson.pk,
        attempt_id=body.get("attempt") if isinstance(body, dict) else None,
        statement=statement,
    )
    if not outcome.accepted:
        response = _refused(outcome.reason)
        return response
    data = {
        "accepted": True,
        "duplicate": outcome.duplicate,
        "attempt": outcome.attempt.pk if outcome.attempt else None,
        "grade": _grade_json(outcome.grade),
    }
    if outcome.graded is not None:
        graded = outcome.graded
        data["graded"] = {
            "raw": floatformat(graded.raw_score, -2),
            "max": floatformat(graded.max_score, -2),
            "percent": floatformat(graded.percent, -2),
            "passed": bool(graded.passed),
        }
        data["lesson_completed"] = LessonProgress.objects.filter(user=user, lesson=lesson).exists()
        data["course_completed"] = CourseCompletion.objects.filter(
            user=user, course=course
        ).exists()
    return JsonResponse(data)


@never_cache
@require_POST
def h5p_state(request, lesson_id: int, activity_id: int):
    """Keep where the learner is, so that a reload (or another day) resumes there."""
    if not request.user.is_authenticated:
        return _not_signed_in()
    lesson, _course, activity, refusal = _place(request, lesson_id, activity_id, counted=True)
    if refusal == "rate":
        return _slow_down()
    if refusal is not None:
        return _refused(refusal)
    try:
        data = _json(request.body)["state"]
    except (KeyError, TypeError):
        return JsonResponse(
            {"saved": False, "message": _("The state could not be read.")}, status=400
        )
    try:
        assessment.h5p_state_save(
            user=request.user, activity=activity, context_id=lesson.pk, data=data
        )
    except assessment.H5PImportRefused as refusal:
        status = 409 if refusal.code == "no-attempt" else 413
        return JsonResponse({"saved": False, "message": str(refusal)}, status=status)
    return JsonResponse({"saved": True})
