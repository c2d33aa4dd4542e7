from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Organisation


class OrganisationViewSet(SnippetViewSet):
    """The organisation tree, listed in tree order for editing in the Wagtail admin."""

    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    add_to_admin_menu = True
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    # Creating nodes needs treebeard's add_child; new organisations come from the import
    # (a later issue) or the shell, so the admin here renames and inspects only.
    add_view_enabled = False
    delete_view_enabled = False
    form_fields = ["name", "kind", "active_from", "active_until"]


register_snippet(OrganisationViewSet)
