from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("nhap-danh-sach/", views.roster_new, name="roster_new"),
    path("nhap-danh-sach/mau.csv", views.roster_sample, name="roster_sample"),
    path("nhap-danh-sach/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("nhap-danh-sach/<int:pk>/nhap/", views.roster_confirm, name="roster_confirm"),
    path("nhap-danh-sach/<int:pk>/huy/", views.roster_discard, name="roster_discard"),
    path("nhap-danh-sach/<int:pk>/loi.csv", views.roster_errors, name="roster_errors"),
]
