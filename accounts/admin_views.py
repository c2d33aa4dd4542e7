"""The organisation tree in the Wagtail admin: the tree itself, add, edit, move, close, merge,
and the CSV import. Province administrators and superusers only (``manage_organisations``);
every change goes through ``accounts.services``, which holds the rules."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import organisation_import, services
from .models import Membership, Organisation
from .permissions import can


def _require(request) -> None:
    if not can(request.user, "manage_organisations"):
        raise PermissionDenied


def _back_to(organisation: Organisation):
    return redirect(f"{reverse('accounts_admin:tree')}#org-{organisation.pk}")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CodeField(forms.CharField):
    """An organisation chosen by its code, as people know them ("NA.SKHCN")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        found = Organisation.objects.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(
                _("No organisation has the code %(code)s.") % {"code": code}
            )
        return found


class OrganisationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Organisation.Kind.choices)
    active_from = forms.DateField(
        label=gettext_lazy("Active from"), required=False, widget=DateInput()
    )


class CreateForm(OrganisationForm):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("Unique and never reused, for example NA.SKHCN."),
    )

    field_order = ["code", "name", "kind", "active_from"]


class EditForm(OrganisationForm):
    active_until = forms.DateField(
        label=gettext_lazy("Active until"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy(
            "The last day it existed. Setting it closes the organisation, which needs it to "
            "have no members and no active units left."
        ),
    )


class MoveForm(forms.Form):
    parent = CodeField(
        label=gettext_lazy("Code of the new parent"),
        required=False,
        help_text=gettext_lazy("Leave empty to make it a root of the tree."),
    )


class CloseForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Last day"),
        widget=DateInput(),
        help_text=gettext_lazy("The last day the organisation existed."),
    )


class MergeForm(forms.Form):
    into = CodeField(
        label=gettext_lazy("Code of the organisation it is merged into"),
        help_text=gettext_lazy("Create the new organisation first if it does not exist yet."),
    )
    others = forms.CharField(
        label=gettext_lazy("Codes of other organisations merged at the same time"),
        required=False,
        help_text=gettext_lazy("Optional; separate them with commas or spaces."),
    )
    on = forms.DateField(
        label=gettext_lazy("Date of the merge"),
        widget=DateInput(),
        help_text=gettext_lazy(
            "The first day of the merged organisation; the old ones end the day before."
        ),
    )

    def clean_others(self):
        codes = list(dict.fromkeys(self.cleaned_data["others"].replace(",", " ").split()))
        found = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No organisation has the code %(code)s.") % {"code": ", ".join(unknown)}
            )
        return [found[code] for code in codes]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: mã, tên, loại, mã đơn vị cấp trên, and optionally hiệu lực từ, "
            "hiệu lực đến, sáp nhập vào. UTF-8, one organisation per row."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file, import nothing"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > organisation_import.MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (5 MB at most)."))
        return upload


def _form_page(request, form, title: str, organisation: Organisation | None = None, **extra):
    return render(
        request,
        "accounts/admin/form.html",
        {"form": form, "title": title, "organisation": organisation, **extra},
    )


def tree(request):
    """The tree, indented by depth: the whole province, one branch (``root``), or the
    organisations matching a search with the ones above them. Two queries at most."""
    _require(request)
    query = request.GET.get("q", "").strip()
    show_closed = request.GET.get("closed") == "1"
    organisations = (
        Organisation.objects.order_by("path")
        .select_related("merged_into")
        .annotate(members=Count("memberships"))
    )
    root = None
    if request.GET.get("root", "").isdigit():
        root = get_object_or_404(Organisation, pk=request.GET["root"])
        organisations = organisations.filter(path__startswith=root.path)
    if not show_closed:
        organisations = organisations.filter(active_until__isnull=True)
    matches: set[str] = set()
    if query:
        matches = set(
            Organisation.objects.filter(
                Q(code__icontains=query) | Q(name__icontains=query)
            ).values_list("path", flat=True)[:500]
        )
        step = Organisation.steplen
        with_parents = {
            path[:length] for path in matches for length in range(step, len(path) + 1, step)
        }
        organisations = organisations.filter(path__in=with_parents)
    rows = list(organisations)
    top = min((o.depth for o in rows), default=1)
    for organisation in rows:
        organisation.indent = organisation.depth - top
        organisation.matched = organisation.path in matches
    return render(
        request,
        "accounts/admin/tree.html",
        {"rows": rows, "query": query, "show_closed": show_closed, "root": root},
    )


def organisation_add(request, parent_pk: int | None = None):
    _require(request)
    parent = get_object_or_404(Organisation, pk=parent_pk) if parent_pk else None
    form = CreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(parent=parent, **form.cleaned_data)
        except services.OrganisationRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s added.") % {"name": organisation.name})
            return _back_to(organisation)
    if parent is None:
        title = _("Add an organisation at the root of the tree")
    else:
        title = _("Add a unit under %(name)s") % {"name": parent.name}
    return _form_page(request, form, title, parent)


def organisation_edit(request, pk: int):
    _require(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = EditForm(
        request.POST or None,
        initial={
            "name": organisation.name,
            "kind": organisation.kind,
            "active_from": organisation.active_from,
            "active_until": organisation.active_until,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, **form.cleaned_data)
        except services.OrganisationRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return _back_to(organisation)
    return _form_page(request, form, _("Edit %(name)s") % {"name": organisation.name}, organisation)


def organisation_move(request, pk: int):
    _require(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_move(
                organisation=organisation, new_parent=form.cleaned_data["parent"]
            )
        except services.OrganisationRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s moved.") % {"name": organisation.name})
            return _back_to(organisation)
    return _form_page(
        request,
        form,
        _("Move %(name)s") % {"name": organisation.name},
        organisation,
        submit=_("Move"),
        intro=_(
            "Its units move with it, and the HR officers above its new place will see its people."
        ),
    )


def organisation_close(request, pk: int):
    _require(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_close(organisation=organisation, on=form.cleaned_data["on"])
        except services.OrganisationRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s closed.") % {"name": organisation.name})
            return _back_to(organisation)
    return _form_page(
        request,
        form,
        _("Close %(name)s") % {"name": organisation.name},
        organisation,
        submit=_("Close"),
        intro=_(
            "It stays in the tree, closed, so past reports still name it. When it became part "
            "of another organisation, merge it instead: that carries its people over."
        ),
    )


def organisation_merge(request, pk: int):
    _require(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        sources = [organisation, *form.cleaned_data["others"]]
        try:
            moved = services.organisation_merge(
                sources=sources, into=into, on=form.cleaned_data["on"]
            )
        except services.OrganisationRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(sources)s merged into %(into)s; %(count)s membership carried over.",
                    "%(sources)s merged into %(into)s; %(count)s memberships carried over.",
                    moved,
                )
                % {
                    "sources": ", ".join(source.name for source in sources),
                    "into": into.name,
                    "count": moved,
                },
            )
            return _back_to(into)
    members = Membership.objects.filter(organisation=organisation).count()
    return _form_page(
        request,
        form,
        _("Merge %(name)s into another organisation") % {"name": organisation.name},
        organisation,
        submit=_("Merge"),
        intro=ngettext(
            "It stays in the tree, closed, with its code and name, pointing at the organisation "
            "it became. Its %(count)s member moves there and the move is kept in their history.",
            "It stays in the tree, closed, with its code and name, pointing at the organisation "
            "it became. Its %(count)s members move there and the move is kept in their history.",
            members,
        )
        % {"count": members},
    )


def tree_import(request):
    _require(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = organisation_import.organisations_import(
            content=form.cleaned_data["file"].read(), dry_run=form.cleaned_data["dry_run"]
        )
        if report.error:
            form.add_error("file", report.error)
    return render(
        request,
        "accounts/admin/import.html",
        {"form": form, "report": report, "title": _("Import the organisation tree")},
    )
