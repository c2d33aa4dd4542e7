from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User, normalise_phone, phone_validator


class ProfileForm(forms.Form):
    """What a person may change about themselves: the full name in Vietnamese order, a phone."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("For example: Nguyễn Văn An. It is printed on your certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if phone:
            phone_validator(phone)
        return phone


class SignupExtraForm(ProfileForm):
    """The same fields on allauth's sign-up form, which lacks them."""

    field_order = ["full_name", "email", "username", "phone", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.phone = self.cleaned_data["phone"]
        user.save(update_fields=["full_name", "phone"])
