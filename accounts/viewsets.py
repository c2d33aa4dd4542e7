"""Wagtail's user admin with our fields (full name, phone) instead of first and last names."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import User

FIELDS = {"username", "email", "full_name", "phone", "is_superuser", "groups"}


class FullNameFields(forms.Form):
    first_name = None
    last_name = None
    full_name = forms.CharField(label=_("Full name"), max_length=150)


class AdminUserCreationForm(FullNameFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = FIELDS


class AdminUserEditForm(FullNameFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = User
        fields = FIELDS | {"is_active"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm
