from django.contrib.auth import get_user_model
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .backends import user_changed
from .models import Organisation
from .permissions import can


class RenameOnlyPolicy(ModelPermissionPolicy):
    """Organisations are edited in place here, never created or deleted from a flat form.

    A tree node must be added under its parent (treebeard keeps the path), and deleting one
    would orphan the memberships and reports that hang off it. The tree itself is edited in
    the "Organisation tree" screens (``accounts.admin_views``), through the services.
    """

    refused = frozenset({"add", "delete", "copy"})

    def user_has_permission(self, user, action):
        return action not in self.refused and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class OrganisationViewSet(SnippetViewSet):
    """Kept for the chooser that pages use (a section's or a mandated course's organisation)
    and for renaming; out of the menu, where the organisation tree replaces it. Dates are not
    editable here: closing one is checked by ``organisation_close`` in the tree screens."""

    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    add_to_admin_menu = False
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    panels = [FieldPanel("name"), FieldPanel("kind")]


register_permission_policy(Organisation, RenameOnlyPolicy(Organisation))
register_snippet(OrganisationViewSet)

admin_urls = [
    path("", admin_views.tree, name="tree"),
    path("them/", admin_views.organisation_add, name="add_root"),
    path("<int:parent_pk>/them/", admin_views.organisation_add, name="add_child"),
    path("<int:pk>/sua/", admin_views.organisation_edit, name="edit"),
    path("<int:pk>/chuyen/", admin_views.organisation_move, name="move"),
    path("<int:pk>/sap-nhap/", admin_views.organisation_merge, name="merge"),
    path("<int:pk>/giai-the/", admin_views.organisation_close, name="close"),
    path("nhap/", admin_views.tree_import, name="import"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("co-cau-to-chuc/", include((admin_urls, "accounts_admin")))]


class OrganisationTreeMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "manage_organisations")


@hooks.register("register_admin_menu_item")
def register_organisation_tree_menu_item():
    return OrganisationTreeMenuItem(
        _("Organisation tree"), reverse("accounts_admin:tree"), icon_name="site", order=290
    )


@hooks.register("after_bulk_action")
def forget_cached_users(request, action_type, objects, action_class_instance):
    """Wagtail's bulk actions on users (set active state, assign role) change them with
    ``QuerySet.update``, which sends no ``post_save``: the cached signed-in users are
    forgotten here, so a deactivation takes effect at the user's next page."""
    for obj in objects:
        if isinstance(obj, get_user_model()):
            user_changed(sender=type(obj), instance=obj)
