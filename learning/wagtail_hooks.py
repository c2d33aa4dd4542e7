"""Learning meets the CMS here: course and lesson pages get the learner's state and access rules.

Pages stay presentational; this hook decides who may see a lesson and sets cache headers:
the catalogue and course pages are public and cacheable for anonymous visitors, everything
with a learner's state in it is private.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from wagtail import hooks

from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.selectors import course_of

from . import selectors, services

ANONYMOUS_MAX_AGE = 300


def _cache_for_audience(request, response):
    anonymous = not request.user.is_authenticated
    if anonymous and not len(messages.get_messages(request)):
        patch_cache_control(response, public=True, max_age=ANONYMOUS_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])
    return response


def _serve_course(next_serve, page, request, args, kwargs):
    state = None
    if request.user.is_authenticated:
        state = selectors.course_state(user=request.user, course=page)
        if state.enrolment and not state.completed_at and state.all_required_done:
            # The rule changed since the last lesson was done: settle it now.
            completion = services.completion_evaluate(user=request.user, course=page)
            state.completed_at = completion.completed_at if completion else None
    return _cache_for_audience(
        request, next_serve(page, request, args, {**kwargs, "learner": state})
    )


def _serve_lesson(next_serve, page, request, args, kwargs):
    course = course_of(page)
    if not request.user.is_authenticated:
        messages.info(request, _("Log in and enrol in the course to study its lessons."))
        return redirect(course.get_url(request))
    state = selectors.course_state(user=request.user, course=course)
    if state.enrolment is None:
        messages.info(request, _("Enrol in the course to study this lesson."))
        return redirect(course.get_url(request))
    state.current = state.lesson(page.pk)
    if state.current is None or not state.current.unlocked:
        messages.warning(request, _("Complete the previous lessons first."))
        target = state.resume.page if state.resume else course
        return redirect(target.get_url(request))
    response = next_serve(page, request, args, {**kwargs, "learner": state})
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


@hooks.register("on_serve_page")
def learner_state(next_serve):
    def serve(page, request, args, kwargs):
        if isinstance(page, LessonPage):
            return _serve_lesson(next_serve, page, request, args, kwargs)
        if isinstance(page, CoursePage):
            return _serve_course(next_serve, page, request, args, kwargs)
        if isinstance(page, CourseIndexPage):
            return _cache_for_audience(request, next_serve(page, request, args, kwargs))
        return next_serve(page, request, args, kwargs)

    return serve
