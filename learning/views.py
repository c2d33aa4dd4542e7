from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.models import CoursePage, LessonPage
from courses.selectors import course_of

from . import selectors, services


def _visible(request, page) -> bool:
    """Whether the page's Wagtail privacy settings (login, groups, password) let this request
    in; the POST endpoints must not open what the page itself keeps closed."""
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())


@require_POST
@login_required
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not _visible(request, course):
        raise Http404
    try:
        services.enrolment_create(user=request.user, course=course)
    except services.LearningError as refusal:
        messages.error(request, str(refusal))
        return redirect(course.get_url(request))
    messages.success(request, _("You are enrolled in “%(course)s”.") % {"course": course.title})
    state = selectors.course_state(user=request.user, course=course)
    target = state.resume.page if state.resume else course
    return redirect(target.get_url(request))


@require_POST
@login_required
def complete_lesson(request, lesson_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    course = course_of(lesson)
    if course is None or not _visible(request, lesson):
        raise Http404
    try:
        completion = services.lesson_complete(user=request.user, lesson=lesson)
    except services.LearningError as refusal:
        messages.error(request, str(refusal))
        return redirect(course.get_url(request))
    if getattr(completion, "just_completed", False):
        messages.success(
            request,
            _("Congratulations! You have completed the course “%(course)s”.")
            % {"course": course.title},
        )
        return redirect(course.get_url(request))
    state = selectors.course_state(user=request.user, course=course)
    state.current = state.lesson(lesson.pk)
    following = state.next_lesson or state.resume
    return redirect((following.page if following else course).get_url(request))


@never_cache
@login_required
def dashboard(request):
    return render(
        request, "learning/dashboard.html", {"dashboard": selectors.dashboard(user=request.user)}
    )
