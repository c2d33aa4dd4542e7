"""The administrators' certificate screens in the Wagtail admin: courses armed or not, issue
by hand, re-issue, revoke, and the template preview. Each asks ``permissions.can``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import users_by_login
from courses.models import CoursePage

from . import permissions, selectors, services
from .models import Certificate, CertificateTemplate, CourseCertification


def _require(request, action: str) -> None:
    if not permissions.can(request.user, action):
        raise PermissionDenied


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Recorded in the certificate's history."),
    )


class IssueForm(ReasonForm):
    username = forms.CharField(label=gettext_lazy("Username or email of the learner"))
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.none()
    )
    grade = forms.CharField(label=gettext_lazy("Result (optional)"), max_length=50, required=False)

    field_order = ["username", "course", "grade", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.order_by("title")

    def clean_username(self):
        users = users_by_login(self.cleaned_data["username"])
        if not users:
            raise forms.ValidationError(
                _("No account has this username or verified email address.")
            )
        if len(users) > 1:
            raise forms.ValidationError(_("Several accounts match: give the username."))
        return users[0]


class ArmForm(forms.Form):
    valid_months = forms.IntegerField(
        label=gettext_lazy("Valid for (months)"),
        min_value=1,
        max_value=240,
        required=False,
        help_text=gettext_lazy("Leave empty for certificates that do not expire."),
    )
    include_backlog = forms.BooleanField(
        label=gettext_lazy("Also issue certificates to those who completed the course before"),
        required=False,
    )


def certificate_list(request):
    _require(request, "issue")
    query = request.GET.get("q", "").strip()
    certificates = Certificate.objects.select_related("course").order_by("-issued_at")
    if query:
        certificates = certificates.filter(
            Q(serial__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(course_title__icontains=query)
            | Q(code=query.lower())
        )
    page = Paginator(certificates, 50).get_page(request.GET.get("p"))
    return render(request, "certificates/admin/list.html", {"page": page, "query": query})


def certificate_issue(request):
    _require(request, "issue")
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate, created = services.certificate_issue(
                user=form.cleaned_data["username"],
                course=form.cleaned_data["course"],
                by_hand=True,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                grade=form.cleaned_data["grade"],
            )
        except services.CertificateError as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(
                    request, _("Certificate %(serial)s issued.") % {"serial": certificate.serial}
                )
            else:
                messages.warning(
                    request,
                    _(
                        "This learner already has certificate %(serial)s for the course; "
                        "use re-issue to draw it again."
                    )
                    % {"serial": certificate.serial},
                )
            return redirect("certificates_admin:detail", pk=certificate.pk)
    return render(
        request,
        "certificates/admin/form.html",
        {"form": form, "title": _("Issue a certificate by hand")},
    )


def certificate_detail(request, pk: int):
    _require(request, "issue")
    certificate = get_object_or_404(Certificate.objects.select_related("course", "user"), pk=pk)
    events = certificate.events.select_related("actor")
    return render(
        request, "certificates/admin/detail.html", {"certificate": certificate, "events": events}
    )


def _reason_action(request, pk: int, action: str, title: str, service, done: str):
    _require(request, action)
    certificate = get_object_or_404(Certificate, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"])
        except services.CertificateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done % {"serial": certificate.serial})
            return redirect("certificates_admin:detail", pk=certificate.pk)
    return render(
        request,
        "certificates/admin/form.html",
        {"form": form, "title": title % {"serial": certificate.serial}, "certificate": certificate},
    )


def certificate_revoke(request, pk: int):
    return _reason_action(
        request,
        pk,
        "revoke",
        _("Revoke certificate %(serial)s"),
        services.certificate_revoke,
        _("Certificate %(serial)s revoked."),
    )


def certificate_reissue(request, pk: int):
    return _reason_action(
        request,
        pk,
        "reissue",
        _("Re-issue certificate %(serial)s"),
        services.certificate_reissue,
        _("Certificate %(serial)s re-issued; the holder has been emailed."),
    )


def course_list(request):
    _require(request, "arm")
    courses = list(CoursePage.objects.order_by("title"))
    certifications = {c.course_id: c for c in CourseCertification.objects.all()}
    rows = [(course, certifications.get(course.pk)) for course in courses]
    return render(request, "certificates/admin/courses.html", {"rows": rows})


def course_arm(request, course_id: int):
    _require(request, "arm")
    course = get_object_or_404(CoursePage, pk=course_id)
    certification = CourseCertification.objects.filter(course=course).first()
    initial = {"valid_months": certification.valid_months if certification else None}
    form = ArmForm(request.POST or None, initial=initial)
    backlog = selectors.backlog_before_arming(course=course)
    template = selectors.template_for(course)
    if request.method == "POST" and form.is_valid():
        try:
            queued = services.certification_arm(
                course=course,
                actor=request.user,
                valid_months=form.cleaned_data["valid_months"],
                include_backlog=form.cleaned_data["include_backlog"],
            )
        except services.CertificateError as error:
            form.add_error(None, str(error))
        else:
            message = _("Certificates are now issued when “%(course)s” is completed.") % {
                "course": course.title
            }
            if queued:
                message += " " + _("%(count)d earlier completions are being issued.") % {
                    "count": queued
                }
            messages.success(request, message)
            return redirect("certificates_admin:courses")
    return render(
        request,
        "certificates/admin/arm.html",
        {
            "course": course,
            "form": form,
            "backlog": backlog,
            "template": template,
            "certification": certification,
        },
    )


@require_POST
def course_disarm(request, course_id: int):
    _require(request, "arm")
    course = get_object_or_404(CoursePage, pk=course_id)
    services.certification_disarm(course=course)
    messages.success(
        request, _("Certificates are no longer issued for “%(course)s”.") % {"course": course.title}
    )
    return redirect("certificates_admin:courses")


def template_preview(request, pk: int):
    if not request.user.has_perm("certificates.change_certificatetemplate"):
        raise PermissionDenied
    template = get_object_or_404(
        CertificateTemplate.objects.select_related("issuing_body", "course"), pk=pk
    )
    response = HttpResponse(services.sample_pdf(template=template), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{template.pk}.pdf"'
    return response
