"""Teachers' and students' class pages. Thin: parse, authorise, call, render."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from openpyxl import Workbook

from accounts.models import Organisation
from accounts.spreadsheets import cell_text
from assessments.forms import EssayGradeForm
from assessments.rendering import render as render_question
from assessments.selectors import item_analysis
from assessments.services import AttemptError
from assessments.services import answer_grade as grade_essay
from courses.models import CoursePage, LessonPage

from . import permissions, selectors, services
from .models import Assignment, ClassMember

MAX_CSV_BYTES = 2 * 1024 * 1024


class ClassForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Class name"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("School or agency (optional)"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The teacher's own school or agency (and its units); staff may pick any.
        organisations = Organisation.objects.order_by("path")
        if not user.is_staff:
            condition = Q(pk__in=[])
            for path in user.memberships.values_list("organisation__path", flat=True):
                condition |= Q(path__startswith=path)
            organisations = organisations.filter(condition)
        self.fields["organisation"].queryset = organisations


class JoinForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Class code"), max_length=12)


class MembersForm(forms.Form):
    logins = forms.CharField(
        label=gettext_lazy("Usernames or email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, or separated by commas."),
    )
    file = forms.FileField(
        label=gettext_lazy("Or a CSV file"),
        required=False,
        help_text=gettext_lazy('With a column "username" or "email" in its first row.'),
    )


class AssignmentForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.none()
    )
    lessons = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Only these lessons (optional)"),
        queryset=LessonPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    students = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Only these students (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Start date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    late_policy = forms.ChoiceField(
        label=gettext_lazy("Late work"), choices=Assignment.LatePolicy.choices
    )

    def __init__(self, *args, classroom, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["lessons"].queryset = LessonPage.objects.live().order_by("path")
        self.fields["lessons"].label_from_instance = _lesson_label
        from django.contrib.auth import get_user_model

        self.fields["students"].queryset = get_user_model().objects.filter(
            class_memberships__classroom=classroom
        )
        self.fields["students"].label_from_instance = lambda user: user.get_full_name()


def _lesson_label(lesson) -> str:
    if lesson.quiz_ids:
        return _("%(lesson)s (quiz)") % {"lesson": lesson.title}
    return lesson.title


def _taught(request, pk: int):
    return get_object_or_404(permissions.classes_taught_by(request.user), pk=pk)


@never_cache
@login_required
def index(request):
    taught = permissions.classes_taught_by(request.user).prefetch_related("teachers")
    joined = ClassMember.objects.filter(user=request.user).select_related("classroom")
    return render(
        request,
        "classes/index.html",
        {
            "taught": taught,
            "joined": joined,
            "join_form": JoinForm(),
            "can_create": permissions.can(request.user, "create_class"),
        },
    )


@never_cache
@login_required
def create(request):
    if not permissions.can(request.user, "create_class"):
        raise PermissionDenied
    form = ClassForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        classroom = services.classroom_create(teacher=request.user, **form.cleaned_data)
        return redirect("classes:detail", pk=classroom.pk)
    return render(request, "classes/form.html", {"form": form, "title": _("New class")})


@never_cache
@login_required
def join(request, code: str = ""):
    form = JoinForm(request.POST or None, initial={"code": code})
    limited = request.method == "POST" and is_ratelimited(
        request, group="classes-join", key="user", rate="10/m", increment=True
    )
    if limited:
        form.is_valid()
        form.add_error("code", _("Too many attempts. Please wait a minute."))
    elif request.method == "POST" and form.is_valid():
        try:
            classroom = services.member_join(user=request.user, code=form.cleaned_data["code"])
        except services.ClassError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("You joined “%(name)s”.") % {"name": classroom.name})
            return redirect("learning:dashboard")
    return render(request, "classes/join.html", {"form": form})


@never_cache
@login_required
def detail(request, pk: int):
    classroom = _taught(request, pk)
    sort = request.GET.get("sap-xep", "name")
    return render(
        request,
        "classes/detail.html",
        {
            "classroom": classroom,
            "grid": selectors.grid(classroom=classroom, sort=sort),
            "sort": sort,
            "members_form": MembersForm(),
            "teachers": classroom.teachers.all(),
            "quizzes": selectors.class_quizzes(classroom=classroom),
            "join_url": request.build_absolute_uri(
                reverse("classes:join_link", args=[classroom.code])
            ),
        },
    )


@require_POST
@login_required
def members_add(request, pk: int):
    classroom = _taught(request, pk)
    form = MembersForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload is not None:
                if upload.size > MAX_CSV_BYTES:
                    raise services.ClassError(_("The file is larger than 2 MB."))
                logins = services.logins_from_csv(upload.read())
            else:
                logins = services.logins_from_text(form.cleaned_data["logins"])
            added = services.members_add_many(classroom=classroom, logins=logins)
        except services.ClassError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(count)d students added.") % {"count": added})
    return redirect("classes:detail", pk=classroom.pk)


@require_POST
@login_required
def member_remove(request, pk: int, user_id: int):
    classroom = _taught(request, pk)
    member = get_object_or_404(
        ClassMember.objects.select_related("user"), classroom=classroom, user_id=user_id
    )
    services.member_remove(classroom=classroom, user=member.user)
    messages.success(request, _("%(name)s left the class.") % {"name": member.user.get_full_name()})
    return redirect("classes:detail", pk=classroom.pk)


@require_POST
@login_required
def teacher_add(request, pk: int):
    classroom = _taught(request, pk)
    try:
        services.teacher_add(classroom=classroom, login=request.POST.get("login", ""))
    except services.ClassError as error:
        messages.error(request, str(error))
    return redirect("classes:detail", pk=classroom.pk)


@never_cache
@login_required
def assignment_new(request, pk: int):
    classroom = _taught(request, pk)
    today = timezone.localdate()
    form = AssignmentForm(
        request.POST or None,
        classroom=classroom,
        initial={"starts_on": today, "due_on": today + timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_create(
                classroom=classroom,
                actor=request.user,
                course=data["course"],
                lessons=list(data["lessons"]),
                students=list(data["students"]),
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                late_policy=data["late_policy"],
            )
        except services.ClassError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Assigned. The students are enrolled."))
            return redirect("classes:detail", pk=classroom.pk)
    return render(
        request,
        "classes/form.html",
        {"form": form, "title": _("Assign to %(name)s") % {"name": classroom.name}},
    )


def _table(grid) -> list[list[str]]:
    header = [pgettext("class grid", "Learner"), _("Username")] + [
        cell_text(
            f"{c.assignment.course_title} ({timezone.localtime(c.assignment.due_at):%d/%m/%Y})"
        )
        for c in grid.columns
    ]
    rows = [header]
    for row in grid.rows:
        rows.append(
            [cell_text(row.student.get_full_name()), cell_text(row.student.username)]
            + [_cell_text(cell) for cell in row.cells]
        )
    return rows


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if cell.score is None:
        return cell.label
    return f"{cell.label} ({cell.score}%)"


@never_cache
@login_required
def export(request, pk: int, fmt: str):
    classroom = _taught(request, pk)
    rows = _table(selectors.grid(classroom=classroom))
    name = f"lop-{classroom.pk}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Theo doi"
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@never_cache
def unsubscribe(request, token: str):
    # GET only asks: mail programs open links by themselves to preview them.
    if request.method == "POST":
        if not services.reminder_opt_out(token=token):
            raise Http404
        return render(request, "classes/unsubscribe.html", {"done": True})
    return render(request, "classes/unsubscribe.html", {"done": False})


@never_cache
@login_required
def grading_queue(request):
    return render(
        request,
        "classes/grading_queue.html",
        {"answers": selectors.grading_queue(teacher=request.user)},
    )


@never_cache
@login_required
def grade_answer(request, answer_id: int):
    answer = get_object_or_404(
        selectors.answers_gradable_by(request.user).select_related(
            "attempt__user", "attempt__quiz", "question"
        ),
        pk=answer_id,
    )
    form = EssayGradeForm(request.POST or None, maximum=answer.mark)
    if request.method == "POST" and form.is_valid():
        try:
            grade_essay(
                answer=answer,
                mark=form.cleaned_data["mark"],
                grader=request.user,
                comment=form.cleaned_data["comment"],
            )
        except AttemptError as error:
            form.add_error("mark", str(error))
        else:
            messages.success(request, _("Mark saved."))
            return redirect("classes:grading_queue")
    return render(
        request,
        "classes/grade_answer.html",
        {
            "answer": answer,
            "form": form,
            "question_text": render_question(answer.question.text, answer.question.text_format),
            "response": (answer.response or {}).get("text", ""),
        },
    )


@never_cache
@login_required
def quiz_analysis(request, pk: int, quiz_id: int):
    classroom = _taught(request, pk)
    quiz = next((q for q in selectors.class_quizzes(classroom=classroom) if q.pk == quiz_id), None)
    if quiz is None:
        raise Http404
    attempts = selectors.class_attempts(classroom=classroom, quiz=quiz)
    return render(
        request,
        "classes/quiz_analysis.html",
        {
            "classroom": classroom,
            "quiz": quiz,
            "analysis": item_analysis(quiz=quiz, attempts=attempts),
        },
    )
