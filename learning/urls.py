from django.urls import path

from . import h5p_views, quiz_views, views

app_name = "learning"

urlpatterns = [
    path("khoa-hoc-cua-toi/", views.dashboard, name="dashboard"),
    path("khoa-hoc/<int:course_id>/dang-ky/", views.enrol, name="enrol"),
    path("bai-hoc/<int:lesson_id>/hoan-thanh/", views.complete_lesson, name="complete_lesson"),
    path(
        "bai-hoc/<int:lesson_id>/kiem-tra/<int:quiz_id>/bat-dau/",
        quiz_views.quiz_start,
        name="quiz_start",
    ),
    path(
        "bai-hoc/<int:lesson_id>/h5p/<int:activity_id>/bat-dau/",
        h5p_views.h5p_start,
        name="h5p_start",
    ),
    path(
        "bai-hoc/<int:lesson_id>/h5p/<int:activity_id>/xapi/",
        h5p_views.h5p_statement,
        name="h5p_statement",
    ),
    path(
        "bai-hoc/<int:lesson_id>/h5p/<int:activity_id>/trang-thai/",
        h5p_views.h5p_state,
        name="h5p_state",
    ),
    path("bai-lam/<int:attempt_id>/", quiz_views.attempt, name="attempt"),
    path("bai-lam/<int:attempt_id>/luu/", quiz_views.attempt_save, name="attempt_save"),
    path("bai-lam/<int:attempt_id>/nop/", quiz_views.attempt_submit, name="attempt_submit"),
]
