"""Who may see which reports. Scope is the accounts policy (one for the whole site):
an HR officer sees their subtrees, a province administrator everything."""

from django.db.models import QuerySet

from accounts import permissions as accounts_permissions
from accounts.models import Organisation

from .models import ReportExport


def can(user, action: str, obj: object | None = None) -> bool:
    if action == "view":
        if not accounts_permissions.can(user, "view_reports"):
            return False
        if obj is None:
            return True
        return organisations_visible_to(user).filter(pk=obj.pk).exists()
    if action == "annual_report":
        return accounts_permissions.can(user, "view_province")
    return False


def organisations_visible_to(user) -> QuerySet[Organisation]:
    if not accounts_permissions.can(user, "view_reports"):
        return Organisation.objects.none()
    return accounts_permissions.organisations_visible_to(user)


def roots_for(user) -> list[Organisation]:
    if not accounts_permissions.can(user, "view_reports"):
        return []
    return accounts_permissions.organisation_roots_for(user)


def exports_visible_to(user) -> QuerySet[ReportExport]:
    """A person's own exports, and only while the organisation is still in their scope."""
    if not user.is_authenticated:
        return ReportExport.objects.none()
    return ReportExport.objects.filter(
        requested_by=user, organisation__in=organisations_visible_to(user)
    )
