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

from accounts.models import Membership, Organisation

from .models import Certificate, CertificateExport


def _province_wide(user) -> bool:
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, role=Membership.Role.PROVINCE_ADMIN).exists()
    )


def hr_organisations(user) -> list[Organisation]:
    """The roots of the subtrees ``user`` is HR officer of."""
    return [
        m.organisation
        for m in Membership.objects.filter(user=user, role=Membership.Role.HR_OFFICER)
        .select_related("organisation")
        .order_by("organisation__path")
    ]


def organisations_scope(user) -> QuerySet[Organisation] | None:
    """The organisations whose people ``user`` may see, or None for the whole province."""
    if _province_wide(user):
        return None
    roots = hr_organisations(user)
    if not roots:
        return Organisation.objects.none()
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root.path)
    return Organisation.objects.filter(condition)


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
