"""Who may do what in accounts, and whose people each person may see: the one policy that
views, admin screens, exports, reports and commands ask.

Scope by organisation:
- a province administrator (a membership with that role) or a superuser: everybody;
- an HR officer: the people with a membership anywhere in the subtree of each organisation
  they are HR officer of, and nobody else;
- anyone else: nobody but themselves.

Querysets are narrowed here, never in templates, so that a list, a filter, an export and a
guessed URL all answer the same question; an organisation out of scope is a 404, never a 403
that would confirm it exists.
"""

from django.db.models import Q, QuerySet

from .models import Membership, Organisation, User


def can(user: User, action: str, obj: object | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == "manage_two_factor":
        # TOTP is offered to staff, who can change content and see other people's data.
        return user.is_staff
    if action in {"view_profile", "change_profile"}:
        return obj is None or obj == user
    if action in {"view_reports", "import_roster"}:
        return province_wide(user) or bool(hr_organisations(user))
    if action in {"manage_organisations", "view_province"}:
        return province_wide(user)
    return False


def province_wide(user: User) -> bool:
    """Whether ``user`` sees the whole province."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_province_wide", None)
    if cached is None:
        cached = Membership.objects.filter(user=user, role=Membership.Role.PROVINCE_ADMIN).exists()
        user._province_wide = cached
    return cached


def hr_organisations(user: User) -> list[Organisation]:
    """The roots of the subtrees ``user`` is HR officer of, outermost first, none nested."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_hr_organisations", None)
    if cached is None:
        roots: list[Organisation] = []
        for m in (
            Membership.objects.filter(user=user, role=Membership.Role.HR_OFFICER)
            .select_related("organisation")
            .order_by("organisation__path")
        ):
            if not any(m.organisation.path.startswith(root.path) for root in roots):
                roots.append(m.organisation)
        cached = user._hr_organisations = roots
    return cached


def organisations_scope(user: User) -> QuerySet[Organisation] | None:
    """The organisations whose people ``user`` may see, or None for the whole province."""
    if province_wide(user):
        return None
    roots = hr_organisations(user)
    if not roots:
        return Organisation.objects.none()
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root.path)
    return Organisation.objects.filter(condition)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """The organisations ``user`` may report on (``organisations_scope`` as a queryset)."""
    scope = organisations_scope(user)
    return Organisation.objects.all() if scope is None else scope


def organisation_roots_for(user: User) -> list[Organisation]:
    """Where ``user``'s reports start: the province's roots, or their own HR subtrees."""
    if province_wide(user):
        return list(Organisation.get_root_nodes())
    return hr_organisations(user)


def members_visible_to(user: User) -> QuerySet[Membership]:
    """The memberships ``user`` may see (and so the people): in scope, whoever they are."""
    scope = organisations_scope(user)
    if scope is None:
        return Membership.objects.all()
    return Membership.objects.filter(organisation__in=scope)


def users_visible_to(user: User) -> QuerySet[User]:
    """The accounts ``user`` may see in reports: themselves and everyone in scope."""
    scope = organisations_scope(user)
    if scope is None:
        return User.objects.all()
    in_scope = Membership.objects.filter(organisation__in=scope).values("user_id")
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=in_scope))
