"""Public verification, Open Badges JSON, the learner's certificates, bulk export."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited
from django_sendfile import sendfile

from accounts.models import Organisation
from courses.models import CoursePage

from . import permissions, selectors, services
from .models import Certificate, IssuingBody

OB_CONTEXT = "https://w3id.org/openbadges/v2"


def _client_ip(group, request) -> str:
    return get_adapter(request).get_client_ip(request) or "unknown"


def _limited(request) -> bool:
    """The verify page and the assertion JSON share one limit per client address, so that
    codes cannot be guessed at speed (they are unguessable anyway: ~110 bits)."""
    return is_ratelimited(
        request,
        group="certificates-verify",
        key=_client_ip,
        rate=settings.CERTIFICATE_VERIFY_RATE,
        increment=True,
    )


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _public_cache(request, response, seconds: int = 60) -> HttpResponse:
    # A short cache: a revocation shows within a minute. Logged-in pages carry the person's
    # name in the header, so they are never stored by shared caches.
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=seconds)
    return response


@require_GET
def verify(request, code: str):
    if _limited(request):
        return render(request, "certificates/too_many.html", status=429)
    certificate = selectors.by_code(code)
    if certificate is None:
        raise Http404
    response = render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "status": certificate.status(),
            "assertion_url": _site(reverse("badges:assertion", args=[certificate.code])),
        },
    )
    # The holder shares the link on purpose; search engines need not list their name.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return _public_cache(request, response)


# --- Open Badges 2.0 (hosted verification) -----------------------------------------------


def _ld(request, data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data,
        status=status,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return _public_cache(request, response, seconds=300 if status == 200 else 60)


def issuer_url(body_id: int) -> str:
    return _site(reverse("badges:issuer", args=[body_id]))


def badgeclass_url(course_id: int, body_id: int) -> str:
    return _site(reverse("badges:badgeclass", args=[course_id, body_id]))


def assertion_data(certificate: Certificate) -> dict:
    data = {
        "@context": OB_CONTEXT,
        "type": "Assertion",
        "id": _site(reverse("badges:assertion", args=[certificate.code])),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": certificate.recipient_salt,
            "identity": certificate.recipient_hash,
        },
        "badge": badgeclass_url(certificate.course_key, certificate.issuing_body_id),
        "issuedOn": certificate.issued_at.isoformat(),
        "verification": {"type": "hosted"},
        "evidence": certificate.verify_url,
    }
    if certificate.expires_at:
        data["expires"] = certificate.expires_at.isoformat()
    if certificate.revoked_at:
        data["revoked"] = True
        data["revocationReason"] = certificate.revocation_reason
    return data


@require_GET
def assertion(request, code: str):
    if _limited(request):
        return JsonResponse({"error": "rate limited"}, status=429)
    certificate = selectors.by_code(code)
    if certificate is None:
        raise Http404
    # A revoked hosted assertion answers 410 Gone, as the specification asks.
    return _ld(request, assertion_data(certificate), status=410 if certificate.revoked_at else 200)


@require_GET
def badgeclass(request, course_id: int, body_id: int):
    # Only a course that has certified someone in the name of this body has a BadgeClass:
    # nobody can mint "body X issues course Y" on our domain, and drafts stay private. A
    # deleted course keeps answering from what its certificates recorded.
    issued = (
        Certificate.objects.filter(course_key=course_id, issuing_body_id=body_id)
        .select_related("course", "issuing_body")
        .first()
    )
    if issued is None:
        raise Http404
    course, body = issued.course, issued.issuing_body
    competences = (
        list(course.competences.select_related("framework").order_by("sort_order"))
        if course is not None
        else []
    )
    criteria_url = _site(course.url) if course is not None and course.live and course.url else None
    data = {
        "@context": OB_CONTEXT,
        "type": "BadgeClass",
        "id": badgeclass_url(course_id, body.pk),
        "name": course.title if course is not None else issued.course_title,
        "description": (course.summary if course is not None else "") or issued.course_title,
        "image": _site(static("certificates/badge.png")),
        "criteria": {
            "narrative": str(_("Complete every required lesson of the course.")),
            **({"id": criteria_url} if criteria_url else {}),
        },
        "issuer": issuer_url(body.pk),
        "alignment": [
            {
                "targetName": competence.name_vi,
                "targetUrl": _site(reverse("certificates:competence", args=[competence.pk])),
                "targetDescription": competence.name_en or competence.name_vi,
                "targetFramework": str(competence.framework),
                "targetCode": competence.code,
            }
            for competence in competences
        ],
    }
    return _ld(request, data)


@require_GET
def issuer(request, body_id: int):
    body = get_object_or_404(IssuingBody, pk=body_id)
    data = {
        "@context": OB_CONTEXT,
        "type": "Issuer",
        "id": issuer_url(body.pk),
        "name": body.name,
        "url": body.url,
    }
    if body.email:
        data["email"] = body.email
    return _ld(request, data)


@require_GET
def competence(request, pk: int):
    from assessments.models import Competence

    item = get_object_or_404(Competence.objects.select_related("framework", "parent"), pk=pk)
    return _public_cache(
        request, render(request, "certificates/competence.html", {"competence": item}), 3600
    )


# --- The learner's certificates ---------------------------------------------------------


@never_cache
@login_required
def mine(request):
    certificates = selectors.mine(user=request.user)
    return render(
        request,
        "certificates/mine.html",
        {"certificates": certificates, "can_export": permissions.can(request.user, "export")},
    )


@never_cache
@login_required
def download(request, code: str):
    certificate = get_object_or_404(
        permissions.certificates_downloadable_by(request.user), code=code.lower()
    )
    certificate = services.certificate_render(certificate=certificate)
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=request.GET.get("xem") is None,
        filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
    )
    return response


# --- Bulk export ------------------------------------------------------------------------


class ExportForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=CoursePage.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Agency"), queryset=Organisation.objects.none(), required=False
    )
    issued_from = forms.DateField(
        label=_("Issued from"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    issued_until = forms.DateField(
        label=_("Issued until"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only courses that have issued certificates: drafts stay out of HR officers' sight.
        self.fields["course"].queryset = CoursePage.objects.filter(
            pk__in=Certificate.objects.values("course_key")
        ).order_by("title")
        scope = permissions.organisations_scope(user)
        self.fields["organisation"].queryset = (
            Organisation.objects.all() if scope is None else scope
        ).order_by("path")
        self.fields["organisation"].required = scope is not None
        self.fields["organisation"].label_from_instance = lambda org: (
            "— " * (org.depth - 1) + org.name
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_until")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


@never_cache
@login_required
def export_new(request):
    if not permissions.can(request.user, "export"):
        raise PermissionDenied
    form = ExportForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        parts = [str(v) for v in form.cleaned_data.values() if v]
        export = services.export_create(
            user=request.user, description=" · ".join(parts), **form.cleaned_data
        )
        return redirect("certificates:export_detail", pk=export.pk)
    exports = permissions.exports_visible_to(request.user)[:10]
    return render(request, "certificates/export_new.html", {"form": form, "exports": exports})


@never_cache
@login_required
def export_detail(request, pk: int):
    export = get_object_or_404(permissions.exports_visible_to(request.user), pk=pk)
    return render(request, "certificates/export_detail.html", {"export": export})


@never_cache
@login_required
def export_download(request, pk: int):
    export = get_object_or_404(permissions.exports_visible_to(request.user), pk=pk)
    if not export.file:
        raise Http404
    name = f"chung-chi-{export.created_at:%Y%m%d}-{export.pk}.zip"
    if getattr(settings, "SENDFILE_BACKEND", None):
        # Production: checked here, sent by nginx (X-Accel-Redirect), so a download of
        # hundreds of megabytes over a slow link does not hold a gunicorn worker.
        return sendfile(
            request,
            export.file.path,
            attachment=True,
            attachment_filename=name,
            mimetype="application/zip",
        )
    # Streamed from storage in chunks: a ZIP of thousands of certificates never sits in memory.
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )
