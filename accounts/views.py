from allauth.mfa.base import views as mfa_views
from allauth.mfa.totp import views as totp_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import permissions, selectors, services
from .forms import ProfileForm


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
