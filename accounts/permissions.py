"""Who may do what in accounts. The one policy views, admin and exports ask."""

from .models import User


def can(user: User, action: str, obj: object | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == "manage_two_factor":
        # TOTP is offered to staff, who can change content and see other people's data.
        return user.is_staff
    if action in {"view_profile", "change_profile"}:
        return obj is None or obj == user
    return False
