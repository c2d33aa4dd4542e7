from django import forms
from django.core.validators import MaxValueValidator
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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
