"""The competence framework, question banks and quizzes in the Wagtail admin."""

from django.contrib import messages
from django.db.models import JSONField, OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views, permissions
from .forms import H5PActivityForm
from .models import (
    Attempt,
    AttemptAnswer,
    Competence,
    CompetenceFramework,
    H5PActivity,
    H5PAttempt,
    H5PPackageVersion,
    ProficiencyLevel,
    Question,
    QuestionBank,
    QuestionCategory,
    Quiz,
)


class CompetenceFrameworkViewSet(SnippetViewSet):
    model = CompetenceFramework
    icon = "list-ul"
    menu_label = _("Frameworks")
    list_display = ["name", "version", "is_current"]


class CompetenceViewSet(SnippetViewSet):
    model = Competence
    icon = "list-ul"
    menu_label = _("Competences")
    list_display = ["code", "name_vi", "kind", "framework"]
    list_filter = ["framework", "kind"]
    search_fields = ["code", "name_vi", "name_en"]
    ordering = ["framework", "sort_order"]


class ProficiencyLevelViewSet(SnippetViewSet):
    model = ProficiencyLevel
    icon = "list-ol"
    menu_label = _("Proficiency levels")
    list_display = ["number", "name_vi", "tier", "framework"]
    list_filter = ["framework"]


class FrameworkGroup(SnippetViewSetGroup):
    items = (CompetenceFrameworkViewSet, CompetenceViewSet, ProficiencyLevelViewSet)
    menu_icon = "list-ul"
    menu_label = _("Competence framework")
    add_to_settings_menu = True


def bank_exports(bank: QuestionBank) -> str:
    return format_html(
        '<a href="{}">GIFT</a> · <a href="{}">Moodle XML</a>',
        reverse("assessments_admin:export", args=[bank.pk, "gift"]),
        reverse("assessments_admin:export", args=[bank.pk, "xml"]),
    )


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("Question banks")
    list_display = ["name", Column("exports", label=_("Export"), accessor=bank_exports)]


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-inverse"
    menu_label = _("Question categories")
    list_display = ["path", "bank"]
    list_filter = ["bank"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    list_display = ["name", "qtype", "category", "competence", "level"]
    list_filter = ["qtype", "category__bank", "competence", "level"]
    search_fields = ["name", "text"]


def quiz_analysis_link(quiz: Quiz) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("assessments_admin:analysis", args=[quiz.pk]),
        _("Item analysis"),
    )


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = [
        "title",
        "time_limit_minutes",
        "pass_mark",
        Column("analysis", label=_("Analysis"), accessor=quiz_analysis_link),
    ]
    search_fields = ["title"]


class H5PVersionsPanel(Panel):
    """Every version of the activity's package, newest first, with what each one uses."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "assessments/admin/h5p_versions_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["versions"] = (
                list(instance.versions.select_related("uploaded_by")) if instance.pk else []
            )
            return context


def h5p_content_types(activity) -> str:
    return ", ".join(activity.current_types or []) or "—"


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "pick"
    menu_label = _("H5P activities")
    list_display = [
        "title",
        Column("content_types", label=_("Content types"), accessor=h5p_content_types),
        "pass_mark",
        "updated_at",
    ]
    search_fields = ["title"]

    def get_queryset(self, request):
        """Each activity with its current version's content types: one query for the list."""
        current = H5PPackageVersion.objects.filter(activity=OuterRef("pk")).order_by("-number")
        return H5PActivity.objects.annotate(
            current_types=Subquery(current.values("content_types")[:1], output_field=JSONField())
        )

    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("package_file"),
            FieldPanel("grading_method"),
            FieldPanel("pass_mark"),
            H5PVersionsPanel(heading=_("Package versions")),
        ],
        base_form_class=H5PActivityForm,
    )


class QuestionBankGroup(SnippetViewSetGroup):
    items = (
        QuizViewSet,
        H5PActivityViewSet,
        QuestionViewSet,
        QuestionCategoryViewSet,
        QuestionBankViewSet,
    )
    menu_icon = "help"
    menu_label = _("Quizzes and questions")
    menu_order = 250


register_snippet(FrameworkGroup)
register_snippet(QuestionBankGroup)

admin_urls = [
    path("nhap/", admin_views.import_upload, name="import_upload"),
    path("nhap/<int:pk>/", admin_views.import_preview, name="import_preview"),
    path("nhap/<int:pk>/xac-nhan/", admin_views.import_confirm, name="import_confirm"),
    path(
        "ngan-hang/<int:pk>/xuat/<str:fmt>/",
        admin_views.bank_export,
        name="export",
    ),
    path("bai-kiem-tra/<int:pk>/phan-tich/", admin_views.quiz_analysis, name="analysis"),
    path("cham-tu-luan/", admin_views.essay_queue, name="essay_queue"),
    path("cham-tu-luan/<int:pk>/", admin_views.essay_grade, name="essay_grade"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("cau-hoi/", include((admin_urls, "assessments_admin")))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can(request.user, "manage_questions")


@hooks.register("register_admin_menu_item")
def register_essay_menu_item():
    return ImportMenuItem(
        _("Essays to grade"),
        reverse("assessments_admin:essay_queue"),
        icon_name="edit",
        order=252,
    )


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Import questions"),
        reverse("assessments_admin:import_upload"),
        icon_name="upload",
        order=251,
    )


@hooks.register("before_delete_snippet")
def keep_what_learners_answered(request, instances):
    """A quiz or question someone has answered is kept: their attempts refer to it and are
    never deleted. Say so instead of failing on the protected reference."""
    if not instances:
        return None
    model = type(instances[0])
    keys = [instance.pk for instance in instances]
    if model is Quiz:
        answered = Attempt.objects.filter(quiz_id__in=keys).exists()
    elif model is Question:
        answered = AttemptAnswer.objects.filter(question_id__in=keys).exists()
    elif model is H5PActivity:
        answered = H5PAttempt.objects.filter(activity_id__in=keys).exists()
    else:
        return None
    if not answered:
        return None
    messages.error(
        request,
        _(
            "Learners have already answered this; it is kept with their results. Remove it from "
            "quizzes or lessons instead."
        ),
    )
    return redirect(reverse(f"wagtailsnippets_assessments_{model._meta.model_name}:list"))
