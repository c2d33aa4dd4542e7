from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
    path("chung-chi-cua-toi/", views.mine, name="mine"),
    path("chung-chi/<str:code>/tai-ve/", views.download, name="download"),
    path("chung-chi/xuat/", views.export_new, name="export_new"),
    path("chung-chi/xuat/<int:pk>/", views.export_detail, name="export_detail"),
    path("chung-chi/xuat/<int:pk>/tai-ve/", views.export_download, name="export_download"),
    path("nang-luc-so/<int:pk>/", views.competence, name="competence"),
]

# Open Badges documents: stable addresses without a language prefix, since they are ids.
badge_urlpatterns = [
    path("badges/assertions/<str:code>/", views.assertion, name="assertion"),
    path("badges/classes/<int:course_id>/<int:body_id>/", views.badgeclass, name="badgeclass"),
    path("badges/issuers/<int:body_id>/", views.issuer, name="issuer"),
]
