"""Reads for accounts."""

from .models import Membership, Organisation, User


def memberships_of(*, user: User) -> list[Membership]:
    """The person's memberships, each with ``parents``: the names of the organisations above
    its own, nearest first, without the province at the root ("Phòng Chuyển đổi số" alone does
    not say which department). Two queries, however deep the tree.
    """
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path")
    )
    step = Organisation.steplen
    ancestor_paths = {
        m.organisation.path[:length]
        for m in memberships
        for length in range(2 * step, len(m.organisation.path), step)
    }
    names = dict(Organisation.objects.filter(path__in=ancestor_paths).values_list("path", "name"))
    for m in memberships:
        path = m.organisation.path
        m.parents = [names[path[:length]] for length in range(len(path) - step, step, -step)]
    return memberships


def users_by_login(value: str) -> list[User]:
    """The accounts an administrator means by a username or an email address.

    An address matches verified email addresses only (allauth lets anyone pick a username
    that looks like an address, so a username must never answer for someone's email); a
    plain value matches the username. More than one result means: ask which.
    """
    from allauth.account.models import EmailAddress

    value = value.strip()
    if not value:
        return []
    if "@" in value:
        ids = EmailAddress.objects.filter(email__iexact=value, verified=True).values("user_id")
        return list(User.objects.filter(pk__in=ids))
    return list(User.objects.filter(username__iexact=value))
