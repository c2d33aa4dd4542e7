from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Organisation


class RenameOnlyPolicy(ModelPermissionPolicy):
    """Organisations are edited in place here, never created or deleted from a flat form.

    A tree node must be added under its parent (treebeard keeps the path), and deleting one
    would orphan the memberships and reports that hang off it. Creation comes from the tree
    import (issue 7) and ``accounts.services.organisation_upsert``.
    """

    refused = frozenset({"add", "delete", "copy"})

    def user_has_permission(self, user, action):
        return action not in self.refused and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    add_to_admin_menu = True
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("active_from"),
        FieldPanel("active_until"),
    ]


register_permission_policy(Organisation, RenameOnlyPolicy(Organisation))
register_snippet(OrganisationViewSet)
