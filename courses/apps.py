from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page, PageViewRestriction, Site, get_page_models
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from accounts.signals import memberships_changed
        from assessments.models import H5PActivity, QuestionCategory, Quiz, QuizSlot

        from .caching import pages_changed

        # Every page type, since post_delete names the concrete model.
        for model in {Page, *get_page_models()}:
            for signal in (page_published, page_unpublished, post_delete):
                signal.connect(pages_changed, sender=model, dispatch_uid=f"pages-{model}")
        post_page_move.connect(pages_changed, dispatch_uid="pages-moved")
        # And what a kept page carries with it: the quizzes (kept with their places and these
        # places' categories), activities, images and documents of its body and cover.
        kept = (
            Quiz,
            QuizSlot,
            QuestionCategory,
            H5PActivity,
            get_image_model(),
            get_document_model(),
        )
        for model in (PageViewRestriction, Site, *kept):
            post_save.connect(pages_changed, sender=model, dispatch_uid=f"pages-save-{model}")
            post_delete.connect(pages_changed, sender=model, dispatch_uid=f"pages-del-{model}")
        m2m_changed.connect(
            pages_changed, sender=PageViewRestriction.groups.through, dispatch_uid="pages-groups"
        )
        # Mandated courses are kept with the paths of their units, which a move changes.
        memberships_changed.connect(pages_changed, dispatch_uid="pages-units-moved")
        # A deploy runs migrate: what the previous release rendered and kept (lesson blocks,
        # anonymous pages) is forgotten with its templates.
        post_migrate.connect(pages_changed, sender=self, dispatch_uid="pages-release")
