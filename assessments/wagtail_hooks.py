from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Competence


class CompetenceViewSet(SnippetViewSet):
    model = Competence
    icon = "list-ul"
    menu_label = _("Competence framework")
    add_to_settings_menu = True
    list_display = ["code", "name_vi", "kind", "framework"]
    list_filter = ["framework", "kind"]
    search_fields = ["code", "name_vi", "name_en"]
    ordering = ["framework", "sort_order"]


register_snippet(CompetenceViewSet)
