"""A quiz inside a lesson: start (enrolment and lesson checked here), take, autosave, submit.

Grading and the time limit belong to ``assessments``; these views parse the form, check who
is asking and that the lesson is open to them, and render. The autosave answers with JSON
that says only what was saved: no score and no hint of the answers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import services as assessment
from assessments.models import Attempt
from assessments.permissions import attempts_visible_to
from assessments.selectors import attempt_sheet
from courses.selectors import course_of, live_lesson, quiz_kept

from . import selectors
from .views import _visible

MAX_SLOTS = 300


def responses_from(post) -> dict[int, dict]:
    """Every question of the form, by slot; each as a raw dict that ``clean_response`` reads
    for its type. A question left blank is in the form too (``s``), so clearing an answer
    is saved as clearing it."""
    responses = {}
    for raw in post.getlist("s")[:MAX_SLOTS]:
        try:
            slot = int(raw)
        except ValueError:
            continue
        name = f"q{slot}"
        values = post.getlist(name)
        prefix = f"{name}-"
        responses[slot] = {
            "choice": values[0] if values else None,
            "choices": values,
            "text": values[0] if values else "",
            "pairs": {key[len(prefix) :]: post[key] for key in post if key.startswith(prefix)},
        }
    return responses


def _wants_json(request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


@require_POST
@login_required
def quiz_start(request, lesson_id: int, quiz_id: int):
    lesson = live_lesson(lesson_id)
    course = course_of(lesson) if lesson is not None else None
    if course is None or quiz_id not in lesson.quiz_ids or not _visible(request, lesson):
        raise Http404
    state = selectors.course_state(user=request.user, course=course)
    current = state.lesson(lesson.pk)
    if state.enrolment is None or current is None or not current.unlocked:
        messages.warning(request, _("Enrol in the course and open this lesson first."))
        return redirect(course.get_url(request))
    quiz = quiz_kept(quiz_id)
    if quiz is None:
        raise Http404
    try:
        attempt = assessment.attempt_start(user=request.user, quiz=quiz, context_id=lesson.pk)
    except assessment.AttemptError as refusal:
        messages.error(request, str(refusal))
        return redirect(lesson.get_url(request))
    return redirect("learning:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id: int):
    return get_object_or_404(
        attempts_visible_to(request.user).select_related("quiz"), pk=attempt_id
    )


def _owned(request, attempt_id: int) -> Attempt:
    """The learner's attempt as far as a submission needs it here: its id and whether it was
    open (the service locks the row and reads the rest). Anyone else's is not found."""
    state = (
        attempts_visible_to(request.user)
        .filter(pk=attempt_id)
        .values_list("state", flat=True)
        .first()
    )
    if state is None:
        raise Http404
    return Attempt(pk=attempt_id, state=state)


@never_cache
@login_required
def attempt(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if (
        attempt.is_open
        and attempt.deadline
        and timezone.now() > attempt.deadline + assessment.GRACE
    ):
        attempt = assessment.attempt_submit(attempt=attempt)
        messages.warning(
            request, _("Time ran out; your attempt was submitted with the answers saved in time.")
        )
    lesson = live_lesson(attempt.context_id) if attempt.context_id else None
    return render(
        request,
        "learning/attempt.html",
        {
            "sheet": attempt_sheet(attempt),
            "attempt": attempt,
            "quiz": attempt.quiz,
            "lesson": lesson,
        },
    )


@require_POST
@login_required
def attempt_save(request, attempt_id: int):
    # The service locks the learner's own attempt or finds none: one read of it per save.
    attempt = Attempt(pk=attempt_id, user_id=request.user.pk)
    try:
        saved = assessment.attempt_save(attempt=attempt, responses=responses_from(request.POST))
    except Attempt.DoesNotExist:
        raise Http404 from None
    except assessment.AttemptError as refusal:
        if _wants_json(request):
            url = reverse("learning:attempt", kwargs={"attempt_id": attempt.pk})
            return JsonResponse({"error": str(refusal), "closed": True, "url": url}, status=409)
        messages.warning(request, str(refusal))
        return redirect("learning:attempt", attempt_id=attempt.pk)
    if _wants_json(request):
        return JsonResponse({"saved": saved, "at": timezone.localtime().strftime("%H:%M:%S")})
    messages.success(request, _("Your answers are saved."))
    return redirect("learning:attempt", attempt_id=attempt.pk)


@require_POST
@login_required
def attempt_submit(request, attempt_id: int):
    attempt = _owned(request, attempt_id)
    was_open = attempt.is_open
    attempt = assessment.attempt_submit(attempt=attempt, responses=responses_from(request.POST))
    if was_open:
        if attempt.state == attempt.State.NEEDS_GRADING:
            messages.info(request, _("Submitted. Your teacher will grade the written answers."))
        elif attempt.passed:
            messages.success(
                request,
                _("Submitted. You passed with %(percent)s%%.")
                % {"percent": floatformat(attempt.percent, "-2")},
            )
        else:
            messages.warning(
                request,
                _("Submitted. You scored %(percent)s%%; the pass mark is %(pass)s%%.")
                % {
                    "percent": floatformat(attempt.percent, "-2"),
                    "pass": floatformat(attempt.quiz.pass_mark, "-2"),
                },
            )
    return redirect("learning:attempt", attempt_id=attempt.pk)
