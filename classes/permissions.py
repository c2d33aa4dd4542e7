"""Who may do what with classes. A teacher sees only the classes they teach (co-teachers
share them); a student sees their own assignments and never another student's results.
Someone else's class is a 404, not a 403."""

from django.db.models import QuerySet

from accounts.models import Membership

from .models import Classroom


def classes_taught_by(user) -> QuerySet[Classroom]:
    if not user.is_authenticated or not user.is_active:
        return Classroom.objects.none()
    return Classroom.objects.filter(teachers=user)


def can(user, action: str, obj: object | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == "create_class":
        return (
            user.is_staff
            or Membership.objects.filter(user=user, role=Membership.Role.TEACHER).exists()
        )
    if action == "teach":
        return classes_taught_by(user).filter(pk=getattr(obj, "pk", None)).exists()
    return False
