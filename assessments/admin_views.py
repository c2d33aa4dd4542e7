"""Question bank screens in the Wagtail admin: import with a preview, export, item analysis.

An upload is parsed and shown before anything is saved: how many questions of each type,
each problem with its line, and the first questions. The file waits in ``QuestionImport``
until the editor confirms (or cancels), so a large bank is not uploaded twice.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import interchange, permissions, rendering, selectors, services
from .forms import EssayGradeForm
from .models import Attempt, AttemptAnswer, Question, QuestionBank, QuestionImport, Quiz

PREVIEW_ROWS = 30


def _require(request) -> None:
    if not permissions.can(request.user, "manage_questions"):
        raise PermissionDenied


class UploadForm(forms.Form):
    bank = forms.ModelChoiceField(
        label=gettext_lazy("Question bank"), queryset=QuestionBank.objects.all(), required=False
    )
    new_bank = forms.CharField(
        label=gettext_lazy("or a new bank named"), max_length=200, required=False
    )
    file = forms.FileField(
        label=gettext_lazy("GIFT or Moodle XML file"),
        help_text=gettext_lazy("The format is recognised from the content. At most 20 MB."),
    )
    atomic = forms.BooleanField(
        label=gettext_lazy("Import nothing if any question has a problem"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("bank") and not (cleaned.get("new_bank") or "").strip():
            raise forms.ValidationError(_("Choose a bank or name a new one."))
        upload = cleaned.get("file")
        if upload is not None and upload.size > interchange.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return cleaned


def import_upload(request):
    _require(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        bank = form.cleaned_data["bank"]
        if bank is None:
            bank, _created = QuestionBank.objects.get_or_create(
                name=form.cleaned_data["new_bank"].strip()
            )
        upload = form.cleaned_data["file"]
        pending = QuestionImport.objects.create(
            bank=bank,
            filename=upload.name[:255],
            content=upload.read(),
            atomic=form.cleaned_data["atomic"],
            created_by=request.user,
        )
        return redirect("assessments_admin:import_preview", pk=pending.pk)
    return render(
        request,
        "assessments/admin/import_upload.html",
        {"form": form, "title": _("Import questions")},
    )


def import_preview(request, pk: int):
    _require(request)
    pending = get_object_or_404(QuestionImport, pk=pk, created_by=request.user)
    if pending.state != QuestionImport.State.PREVIEW:
        return render(
            request,
            "assessments/admin/import_report.html",
            {"pending": pending, "report": pending.report, "title": _("Import report")},
        )
    parsed = interchange.parse(bytes(pending.content))
    counts = dict.fromkeys(interchange.common.TYPES, 0)
    for question in parsed.questions:
        counts[question.qtype] += 1
    labels = dict(Question.Type.choices)
    return render(
        request,
        "assessments/admin/import_preview.html",
        {
            "pending": pending,
            "parsed": parsed,
            "counts": [(labels[kind], count) for kind, count in counts.items() if count],
            "rows": [
                (question, labels[question.qtype]) for question in parsed.questions[:PREVIEW_ROWS]
            ],
            "more": max(0, len(parsed.questions) - PREVIEW_ROWS),
            "title": _("Check the import"),
        },
    )


@require_POST
def import_confirm(request, pk: int):
    _require(request)
    pending = get_object_or_404(
        QuestionImport, pk=pk, created_by=request.user, state=QuestionImport.State.PREVIEW
    )
    if "cancel" in request.POST:
        pending.state = QuestionImport.State.CANCELLED
        pending.content = b""
        pending.save()
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("assessments_admin:import_upload")
    try:
        report = services.questions_import(
            bank=pending.bank, data=bytes(pending.content), atomic=pending.atomic
        )
    except services.ImportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("assessments_admin:import_preview", pk=pending.pk)
    pending.state = QuestionImport.State.IMPORTED
    pending.report = report.as_dict()
    pending.content = b""
    pending.save()
    if report.imported:
        messages.success(request, _("%(count)s questions imported.") % {"count": report.imported})
    return redirect("assessments_admin:import_preview", pk=pending.pk)


def bank_export(request, pk: int, fmt: str):
    _require(request)
    if fmt not in ("gift", "xml"):
        raise Http404
    bank = get_object_or_404(QuestionBank, pk=pk)
    data = services.questions_export(
        questions=Question.objects.filter(category__bank=bank), fmt=fmt
    )
    extension = "gift.txt" if fmt == "gift" else "xml"
    response = HttpResponse(
        data,
        content_type="text/plain; charset=utf-8" if fmt == "gift" else "application/xml",
    )
    response["Content-Disposition"] = f'attachment; filename="ngan-hang-{bank.pk}.{extension}"'
    return response


def quiz_analysis(request, pk: int):
    _require(request)
    quiz = get_object_or_404(Quiz, pk=pk)
    return render(
        request,
        "assessments/admin/analysis.html",
        {
            "quiz": quiz,
            "analysis": selectors.item_analysis(quiz=quiz),
            "title": _("Item analysis: %(quiz)s") % {"quiz": quiz.title},
        },
    )


def essay_queue(request):
    """Every essay waiting for a mark, for editors who manage question banks: learners who
    study on their own (in no class) have no teacher to grade them."""
    _require(request)
    answers = (
        AttemptAnswer.objects.filter(needs_grading=True, attempt__state=Attempt.State.NEEDS_GRADING)
        .exclude(attempt__user=request.user)
        .select_related("attempt__user", "attempt__quiz", "question")
        .order_by("attempt__submitted_at", "pk")[:200]
    )
    return render(
        request,
        "assessments/admin/essay_queue.html",
        {"answers": answers, "title": _("Essays to grade")},
    )


def essay_grade(request, pk: int):
    _require(request)
    answer = get_object_or_404(
        AttemptAnswer.objects.select_related("attempt__user", "attempt__quiz", "question")
        .filter(needs_grading=True)
        .exclude(attempt__user=request.user),
        pk=pk,
    )
    form = EssayGradeForm(request.POST or None, maximum=answer.mark)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_grade(
                answer=answer,
                mark=form.cleaned_data["mark"],
                grader=request.user,
                comment=form.cleaned_data["comment"],
            )
        except services.AttemptError as error:
            form.add_error("mark", str(error))
        else:
            messages.success(request, _("Mark saved."))
            return redirect("assessments_admin:essay_queue")
    return render(
        request,
        "assessments/admin/essay_grade.html",
        {
            "answer": answer,
            "form": form,
            "question_text": rendering.render(answer.question.text, answer.question.text_format),
            "response": (answer.response or {}).get("text", ""),
            "title": _("Grade an essay"),
        },
    )
