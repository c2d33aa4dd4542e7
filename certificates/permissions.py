"""Who may see, download, export and change certificates. The one policy views, exports,
admin screens and commands ask.

- everybody: their own certificates;
- an HR officer: the certificates of people with a membership anywhere in the subtree of the
  agencies they are HR officer of;
- a province administrator or a superuser: all of them;
- issuing by hand, re-issuing and revoking: superusers and staff given the
  ``certificates.change_certificate`` permission.
"""

from django.db.models import Q, QuerySet

from accounts.models import Membership
from accounts.permissions import hr_organisations, organisations_scope
from accounts.permissions import province_wide as _province_wide

from .models import Certificate, CertificateExport


def certificates_visible_to(user) -> QuerySet[Certificate]:
    if not user.is_authenticated or not user.is_active:
        return Certificate.objects.none()
    scope = organisations_scope(user)
    if scope is None:
        return Certificate.objects.all()
    in_scope = Membership.objects.filter(organisation__in=scope).values("user_id")
    return Certificate.objects.filter(Q(user=user) | Q(user_id__in=in_scope))


def certificates_downloadable_by(user) -> QuerySet[Certificate]:
    """What ``user`` may download: what they may see, and everything for those who issue."""
    if can(user, "issue"):
        return Certificate.objects.all()
    return certificates_visible_to(user)


def exports_visible_to(user) -> QuerySet[CertificateExport]:
    if not user.is_authenticated:
        return CertificateExport.objects.none()
    return CertificateExport.objects.filter(requested_by=user)


def can(user, action: str, obj: object | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == "download":
        return certificates_downloadable_by(user).filter(pk=getattr(obj, "pk", None)).exists()
    if action == "export":
        return _province_wide(user) or bool(hr_organisations(user))
    if action in {"issue", "reissue", "revoke", "arm"}:
        return user.is_superuser or user.has_perm("certificates.change_certificate")
    return False
