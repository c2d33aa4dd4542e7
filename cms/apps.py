from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from . import checks, handlers  # noqa: F401 (checks registers the deployment checks)
        from .models import ArticlePage

        page_published.connect(handlers.article_published, sender=ArticlePage)
        page_unpublished.connect(handlers.article_published, sender=ArticlePage)
