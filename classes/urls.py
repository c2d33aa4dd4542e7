from django.urls import path

from . import views

app_name = "classes"

urlpatterns = [
    path("", views.index, name="index"),
    path("tao-lop/", views.create, name="create"),
    path("tham-gia/", views.join, name="join"),
    path("tham-gia/<str:code>/", views.join, name="join_link"),
    path("huy-nhac-nho/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/hoc-vien/", views.members_add, name="members_add"),
    path("<int:pk>/hoc-vien/<int:user_id>/xoa/", views.member_remove, name="member_remove"),
    path("<int:pk>/giao-vien/", views.teacher_add, name="teacher_add"),
    path("<int:pk>/giao-bai/", views.assignment_new, name="assignment_new"),
    path("<int:pk>/bang-theo-doi.<str:fmt>", views.export, name="export"),
    path("<int:pk>/phan-tich/<int:quiz_id>/", views.quiz_analysis, name="quiz_analysis"),
    path("cham-bai/", views.grading_queue, name="grading_queue"),
    path("cham-bai/<int:answer_id>/", views.grade_answer, name="grade_answer"),
]
