"""Learning meets the CMS here: course and lesson pages get the learner's state and access rules.

Pages stay presentational; this hook decides who may see a lesson and sets cache headers:
the catalogue and course pages are public and cacheable for anonymous visitors, everything
with a learner's state in it is private.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from wagtail import hooks

from assessments.models import H5PGrade
from assessments.selectors import quiz_summaries
from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.selectors import course_of

from . import selectors

ANONYMOUS_MAX_AGE = 300


def cache_for_audience(request, response):
    """Public and cacheable for anonymous visitors; for anyone logged in, never stored (a
    shared computer in a commune hall must not show the last person's progress on Back).
    The course pages and the campaign portal's pages (``cms``) both answer this way."""
    anonymous = not request.user.is_authenticated
    if anonymous and not len(messages.get_messages(request)):
        patch_cache_control(response, public=True, max_age=ANONYMOUS_MAX_AGE)
        response.anonymous_page = True  # the server's page cache may keep it (cms.middleware)
    else:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _serve_course(next_serve, page, request, args, kwargs):
    state = None
    if request.user.is_authenticated:
        state = selectors.course_state(user=request.user, course=page)
    return cache_for_audience(
        request, next_serve(page, request, args, {**kwargs, "learner": state})
    )


def _serve_lesson(next_serve, page, request, args, kwargs):
    course = course_of(page)
    if course is None:  # the course was withdrawn: its lessons go with it
        raise Http404
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
    # The quiz blocks' values: loaded once here, then reused when the body is rendered.
    in_body = [block.value["quiz"] for block in page.body if block.block_type == "quiz"]
    quizzes = quiz_summaries(user=request.user, quizzes=[quiz for quiz in in_body if quiz])
    h5p = h5p_summaries(user=request.user, lesson=page)
    response = next_serve(
        page, request, args, {**kwargs, "learner": state, "quizzes": quizzes, "h5p": h5p}
    )
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def h5p_summaries(*, user, lesson) -> dict:
    """Per H5P activity in the lesson: the learner's grade and the content origin (one
    query, and none for a lesson without H5P)."""
    ids = lesson.h5p_ids
    if not ids:
        return {}
    grades = {g.activity_id: g for g in H5PGrade.objects.filter(user=user, activity_id__in=ids)}
    return {pk: {"grade": grades.get(pk), "origin": settings.H5P_CONTENT_ORIGIN} for pk in ids}


@hooks.register("on_serve_page")
def learner_state(next_serve):
    def serve(page, request, args, kwargs):
        if isinstance(page, LessonPage):
            return _serve_lesson(next_serve, page, request, args, kwargs)
        if isinstance(page, CoursePage):
            return _serve_course(next_serve, page, request, args, kwargs)
        if isinstance(page, CourseIndexPage):
            return cache_for_audience(request, next_serve(page, request, args, kwargs))
        return next_serve(page, request, args, kwargs)

    return serve
