from django import forms
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm


class EssayGradeForm(forms.Form):
    """A mark and a comment for one essay answer, worth at most ``maximum``: used by teachers
    (their classes' queue) and by editors (the admin queue)."""

    mark = forms.DecimalField(label=gettext_lazy("Mark"), min_value=0, decimal_places=3)
    comment = forms.CharField(
        label=gettext_lazy("Comment for the learner (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, maximum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mark"].max_value = maximum
        self.fields["mark"].validators.append(MaxValueValidator(maximum))
        limit = floatformat(maximum, "-3")
        self.fields["mark"].help_text = _("From 0 to %(max)s.") % {"max": limit}


class H5PActivityForm(WagtailAdminModelForm):
    """The H5P activity in the admin: its settings, and a package file, required for a new
    activity and optional afterwards (a new file becomes the next version; the old ones stay).
    The package is checked while the form is validated, so a refused file is an error on the
    field, with its reason, and nothing is saved."""

    package_file = forms.FileField(
        label=gettext_lazy("H5P package (.h5p)"),
        required=False,
        help_text=gettext_lazy(
            "Exported from Lumi, Moodle, WordPress or h5p.org with its libraries. Choosing a "
            "file for an existing activity replaces its package; earlier versions are kept."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.manifest = None
        if self.instance.pk is None:
            self.fields["package_file"].required = True
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Empty: the title inside the package.")

    def clean_package_file(self):
        from .services import H5PImportRefused, package_inspect

        upload = self.cleaned_data.get("package_file")
        if upload:
            try:
                self.manifest = package_inspect(upload)
            except H5PImportRefused as refusal:
                raise forms.ValidationError(str(refusal)) from None
            upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title") and self.manifest is not None:
            cleaned["title"] = self.manifest.title
            self.instance.title = self.manifest.title
        elif not cleaned.get("title") and "package_file" not in self.errors:
            self.add_error("title", _("This field is required."))
        return cleaned

    def save(self, commit=True):
        from .services import h5p_package_import

        upload = self.cleaned_data.get("package_file")
        if not (upload and commit):
            return super().save(commit=commit)
        # One transaction: a package that fails to unpack leaves no activity without one.
        with transaction.atomic():
            activity = super().save(commit=commit)
            h5p_package_import(
                source=upload,
                filename=upload.name,
                activity=activity,
                user=self.for_user,
                manifest=self.manifest,
            )
        return activity
