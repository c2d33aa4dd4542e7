from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .models import CourseIndexPage, CoursePage, LessonPage
        from .selectors import catalogue_changed

        def forget_catalogue(sender, **kwargs):
            catalogue_changed()

        for model in (CourseIndexPage, CoursePage, LessonPage):
            for signal in (page_published, page_unpublished, post_delete):
                signal.connect(forget_catalogue, sender=model, weak=False)
        post_page_move.connect(forget_catalogue, weak=False)
