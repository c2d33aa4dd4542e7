from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from .backends import user_changed

        for signal in (post_save, post_delete):
            signal.connect(user_changed, sender=get_user_model(), dispatch_uid="user-cache")


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms that know the full name and phone of our User."""

    user_viewset = "accounts.viewsets.UserViewSet"
