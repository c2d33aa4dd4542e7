import csv
from functools import wraps

from allauth.mfa.base import views as mfa_views
from allauth.mfa.totp import views as totp_views
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import permissions, roster, selectors, services
from .forms import ProfileForm
from .models import RosterImport
from .spreadsheets import cell_text


@never_cache
@login_required
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "phone": user.phone}
    )
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(
            user=user, full_name=form.cleaned_data["full_name"], phone=form.cleaned_data["phone"]
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": selectors.memberships_of(user=user),
            "can_manage_two_factor": permissions.can(user, "manage_two_factor"),
        },
    )


def _staff_only(view):
    """Two-factor set-up pages exist for staff only; others get a 404, not a half-page."""

    @never_cache
    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can(request.user, "manage_two_factor"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


mfa_index = _staff_only(mfa_views.index)
mfa_activate_totp = _staff_only(totp_views.activate_totp)


# --- Staff roster import (HR officers and administrators) ---------------------------------------

ERRORS_SHOWN = 1000  # on the page; the CSV of errors has them all


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a CSV or Excel (.xlsx) file."))
        if upload.size > roster.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it into several files.")
                % {"size": roster.MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


def _roster_officer(view):
    """HR officers and administrators only; the rosters are each person's own."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can(request.user, "import_roster"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _own_rosters(user):
    # Someone else's roster, even of the same agency, is a 404: it holds their upload.
    return RosterImport.objects.filter(requested_by=user)


@_roster_officer
def roster_new(request):
    """The upload: the file is kept and checked by a worker; its page shows the check."""
    form = RosterUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            uploaded = roster.roster_upload(user=request.user, upload=upload, file_name=upload.name)
        except roster.RosterFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("accounts:roster_detail", pk=uploaded.pk)
    rosters = _own_rosters(request.user).only("pk", "file_name", "state", "created_at")[:10]
    return render(request, "accounts/roster_new.html", {"form": form, "rosters": rosters})


ROSTER_TEMPLATES = {
    RosterImport.State.CHECKING: "accounts/roster_checking.html",
    RosterImport.State.CHECKED: "accounts/roster_preview.html",
    RosterImport.State.PENDING: "accounts/roster_progress.html",
    RosterImport.State.RUNNING: "accounts/roster_progress.html",
}


@_roster_officer
def roster_detail(request, pk: int):
    """A page that waits while the file is checked, the preview once checked, the progress
    while importing, then the result (or why the file cannot be imported)."""
    checked = get_object_or_404(_own_rosters(request.user), pk=pk)
    roster.roster_check_requeue(roster=checked)
    return render(
        request,
        ROSTER_TEMPLATES.get(checked.state, "accounts/roster_result.html"),
        {
            "roster": checked,
            "summary": checked.summary,
            "errors": checked.errors[:ERRORS_SHOWN],
            "more_errors": max(0, len(checked.errors) - ERRORS_SHOWN),
        },
    )


@require_POST
@_roster_officer
def roster_confirm(request, pk: int):
    checked = get_object_or_404(_own_rosters(request.user), pk=pk)
    if not roster.roster_confirm(roster=checked, user=request.user):
        messages.error(request, _("This roster cannot be imported."))
    return redirect("accounts:roster_detail", pk=pk)


@require_POST
@_roster_officer
def roster_discard(request, pk: int):
    checked = get_object_or_404(_own_rosters(request.user), pk=pk)
    if not roster.roster_discard(roster=checked):
        messages.error(request, _("A roster being imported or imported cannot be cancelled."))
        return redirect("accounts:roster_detail", pk=pk)
    return redirect("accounts:roster_new")


@_roster_officer
def roster_errors(request, pk: int):
    """Every row error as a CSV (with a byte-order mark, so Excel reads the Vietnamese)."""
    checked = get_object_or_404(_own_rosters(request.user), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-danh-sach-{checked.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Row"), _("Errors")])
    for item in checked.errors:
        writer.writerow([item["row"], cell_text(" ".join(item["errors"]))])
    return response


@_roster_officer
def roster_sample(request):
    """A file to fill in, with the column names the import reads."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-can-bo.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["Họ tên", "Email", "Số điện thoại", "Số định danh", "Mã đơn vị", "Chức vụ"]
        + ["Nhóm đối tượng"]
    )
    writer.writerow(
        ["Nguyễn Văn An", "an.nv@example.vn", "0912345678", "", "MA-DON-VI", "Chuyên viên"]
        + ["Công chức"]
    )
    return response
