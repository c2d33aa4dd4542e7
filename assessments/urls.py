from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("ho-so-nang-luc-so/", views.skill_profile, name="skill_profile"),
]
