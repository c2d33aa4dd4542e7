from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model

        from .models import Answer, H5PPackageVersion, MatchPair, Question, QuestionFile
        from .selectors import questions_changed
        from .services.h5p import version_files_remove

        post_delete.connect(version_files_remove, sender=H5PPackageVersion)
        for model in (Question, Answer, MatchPair, QuestionFile, get_image_model()):
            for signal in (post_save, post_delete):
                signal.connect(questions_changed, sender=model, dispatch_uid=f"questions-{model}")
