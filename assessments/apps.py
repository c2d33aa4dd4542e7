from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from django.db.models.signals import post_delete

        from .models import H5PPackageVersion
        from .services.h5p import version_files_remove

        post_delete.connect(version_files_remove, sender=H5PPackageVersion)
