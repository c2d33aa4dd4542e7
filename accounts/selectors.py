"""Reads for accounts."""

from django.db.models import QuerySet

from .models import Membership, User


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path")
    )
