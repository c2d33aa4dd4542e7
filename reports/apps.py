from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from accounts.models import Membership
        from accounts.signals import memberships_changed
        from certificates.signals import certificates_changed
        from learning.signals import course_completed

        from . import handlers
        from .models import Standard

        certificates_changed.connect(handlers.on_people_changed, dispatch_uid="reports-certs")
        memberships_changed.connect(handlers.on_memberships_changed, dispatch_uid="reports-members")
        course_completed.connect(handlers.on_course_completed, dispatch_uid="reports-completed")
        post_save.connect(handlers.on_membership, sender=Membership, dispatch_uid="reports-m+")
        post_delete.connect(handlers.on_membership, sender=Membership, dispatch_uid="reports-m-")
        m2m_changed.connect(
            handlers.on_standard_courses,
            sender=Standard.courses.through,
            dispatch_uid="reports-standard-courses",
        )
