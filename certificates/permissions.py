"""Who may see, download, export and change certificates. The one policy views, exports,
admin screens and commands ask.

- everybody: their own certificates;
- an HR officer: the certificates of people with a membership anywhere in the subtree of the
  agencies they are HR officer of;
- a province administrator or a superuser: all of them;
- issuing by hand, re-issuing and revoking: superusers and staff given the
  ``certificates.change_certificate`` permission.
"""

from django.db.models import QuerySet

from accounts.permissions import (
    hr_organisations,
    organisations_scope,
    province_wide,
    users_visible_to,
)

from .models import Certificate, CertificateExport


def certificates_visible_to(user) -> QuerySet[Certificate]:
    if not user.is_authenticated or not user.is_active:
        return Certificate.objects.none()
    if organisations_scope(user) is None:
        return Certificate.objects.all()  # with the certificates of deleted accounts too
    return Certificate.objects.filter(user__in=users_visible_to(user))


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
        return province_wide(user) or bool(hr_organisations(user))
    if action in {"issue", "reissue", "revoke", "arm"}:
        return user.is_superuser or user.has_perm("certificates.change_certificate")
    return False
