from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, post_page_move

        from assessments.signals import attempt_graded, h5p_graded
        from courses.models import CoursePage, LessonPage

        from . import handlers, selectors
        from .models import Enrolment

        page_published.connect(handlers.page_published, sender=CoursePage)
        page_published.connect(handlers.page_published, sender=LessonPage)
        post_delete.connect(handlers.lesson_deleted, sender=LessonPage)
        post_page_move.connect(handlers.page_moved)
        attempt_graded.connect(handlers.attempt_graded)
        h5p_graded.connect(handlers.h5p_graded)
        post_delete.connect(selectors.enrolment_deleted, sender=Enrolment)
