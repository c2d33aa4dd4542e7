from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("khoa-hoc-cua-toi/", views.dashboard, name="dashboard"),
    path("khoa-hoc/<int:course_id>/dang-ky/", views.enrol, name="enrol"),
    path("bai-hoc/<int:lesson_id>/hoan-thanh/", views.complete_lesson, name="complete_lesson"),
]
