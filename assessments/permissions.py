"""Who may see which attempts. A learner sees their own; teachers reach their students'
through ``classes``, which scopes them to the classes they teach."""

from django.db.models import QuerySet

from .models import Attempt


def attempts_visible_to(user) -> QuerySet[Attempt]:
    if not user.is_authenticated:
        return Attempt.objects.none()
    return Attempt.objects.filter(user=user)


def can(user, action: str, obj=None) -> bool:
    """``manage_questions``: import, export and edit banks (the Wagtail snippet permission)."""
    if action == "manage_questions":
        return user.is_authenticated and user.has_perm("assessments.add_question")
    if action == "view_attempt":
        return obj is not None and user.is_authenticated and obj.user_id == user.pk
    return False
