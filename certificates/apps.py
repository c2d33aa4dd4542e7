from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model

        from learning.signals import course_completed

        from .handlers import on_course_completed
        from .models import CertificateTemplate, CourseCertification, IssuingBody
        from .selectors import templates_changed

        course_completed.connect(on_course_completed, dispatch_uid="certificates-issue")
        for model in (CertificateTemplate, IssuingBody, CourseCertification, get_image_model()):
            for signal in (post_save, post_delete):
                signal.connect(templates_changed, sender=model, dispatch_uid=f"templates-{model}")
