from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Classes")

    def ready(self):
        from learning.selectors import dashboard_reads

        from .models import ClassMember

        # "Khóa học của tôi" lists the learner's assignments: which classes they are in comes
        # with the page's one query (most learners are in none; see ``my_assignments``).
        dashboard_reads("classes", ClassMember, "classroom")
