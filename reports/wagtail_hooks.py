"""The administrator's side of reports: standards, targets and population figures, under
one "Reports" menu. Changing a standard's courses recounts it (``reports.handlers``)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import permissions
from .models import PopulationFigure, Standard, Target


class StandardViewSet(SnippetViewSet):
    model = Standard
    icon = "tasks"
    menu_label = _("Standards")
    list_display = ["name", "code", "kind"]
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("kind"),
        FieldPanel("courses", widget=forms.CheckboxSelectMultiple),
        FieldPanel("sort_order"),
    ]


class TargetViewSet(SnippetViewSet):
    model = Target
    icon = "pick"
    menu_label = _("Targets")
    list_display = [
        Column("standard", label=_("standard"), accessor="standard"),
        Column("year", label=_("year"), accessor="year"),
        Column("target_group", label=_("target group"), accessor="get_target_group_display"),
        Column("percent", label=_("target (%)"), accessor="percent"),
        Column("deadline", label=_("deadline"), accessor="deadline"),
    ]
    list_filter = ["standard", "year", "target_group"]
    panels = [
        FieldPanel("standard"),
        FieldPanel("target_group"),
        FieldPanel("year"),
        FieldPanel("deadline"),
        FieldPanel("percent"),
        FieldPanel("denominator"),
    ]


class PopulationFigureViewSet(SnippetViewSet):
    model = PopulationFigure
    icon = "group"
    menu_label = _("Population figures")
    list_display = [
        Column("organisation", label=_("organisation"), accessor="organisation"),
        Column("year", label=_("year"), accessor="year"),
        Column("target_group", label=_("target group"), accessor="get_target_group_display"),
        Column("count", label=_("number of people"), accessor="count"),
    ]
    list_filter = ["year", "target_group"]
    search_fields = ["organisation__name", "organisation__code"]
    panels = [
        FieldPanel("organisation"),
        FieldPanel("target_group"),
        FieldPanel("year"),
        FieldPanel("count"),
    ]


class ReportsGroup(SnippetViewSetGroup):
    items = (StandardViewSet, TargetViewSet, PopulationFigureViewSet)
    menu_icon = "doc-full"
    menu_label = _("Reports")
    menu_name = "reports"
    menu_order = 270


register_snippet(ReportsGroup)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can(request.user, "view")


@hooks.register("register_admin_menu_item")
def coverage_dashboard_menu_item():
    return DashboardMenuItem(
        _("Coverage dashboard"), reverse("reports:index"), icon_name="view", order=271
    )
