from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, permissions
from .models import CertificateTemplate, IssuingBody


class IssuingBodyViewSet(SnippetViewSet):
    model = IssuingBody
    icon = "site"
    menu_label = _("Issuing bodies")
    add_to_settings_menu = True
    list_display = ["name", "url"]


def preview_link(template: CertificateTemplate) -> str:
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        reverse("certificates_admin:template_preview", args=[template.pk]),
        _("Sample PDF"),
    )


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificate templates")
    add_to_settings_menu = True
    list_display = [
        "name",
        "course",
        "issuing_body",
        "active",
        Column("sample", label=_("Sample"), accessor=preview_link),
    ]
    list_filter = ["active"]


register_snippet(IssuingBodyViewSet)
register_snippet(CertificateTemplateViewSet)

admin_urls = [
    path("", admin_views.certificate_list, name="list"),
    path("cap/", admin_views.certificate_issue, name="issue"),
    path("<int:pk>/", admin_views.certificate_detail, name="detail"),
    path("<int:pk>/thu-hoi/", admin_views.certificate_revoke, name="revoke"),
    path("<int:pk>/cap-lai/", admin_views.certificate_reissue, name="reissue"),
    path("khoa-hoc/", admin_views.course_list, name="courses"),
    path("khoa-hoc/<int:course_id>/bat/", admin_views.course_arm, name="arm"),
    path("khoa-hoc/<int:course_id>/tat/", admin_views.course_disarm, name="disarm"),
    path("mau/<int:pk>/xem-thu/", admin_views.template_preview, name="template_preview"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("chung-chi/", include((admin_urls, "certificates_admin")))]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can(request.user, "issue")


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return CertificatesMenuItem(
        _("Certificates"), reverse("certificates_admin:list"), icon_name="pick", order=300
    )
