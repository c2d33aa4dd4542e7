from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("bao-cao-nam/<int:year>/", views.annual_report, name="annual_report"),
    path("xuat/<int:pk>/", views.export_detail, name="export_detail"),
    path("xuat/<int:pk>/tai-ve/", views.export_download, name="export_download"),
    path("don-vi/<str:code>/", views.organisation, name="organisation"),
    path("don-vi/<str:code>/nguoi/", views.people, name="people"),
    path("don-vi/<str:code>/xuat-<str:level>.csv", views.export_csv, name="export_csv"),
    path("don-vi/<str:code>/xuat-excel/", views.export_xlsx, name="export_xlsx"),
]
