from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from learning.signals import course_completed

        from .handlers import on_course_completed

        course_completed.connect(on_course_completed, dispatch_uid="certificates-issue")
