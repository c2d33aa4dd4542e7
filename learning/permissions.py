"""Who may enrol where, and whose learning records a person may see."""

from django.utils.translation import gettext as _

from accounts.models import Membership
from courses.models import CoursePage


def enrol_refusal(user, course: CoursePage) -> str | None:
    """Why ``user`` may not enrol themselves in ``course``, in words for them; None if they may."""
    if not user.is_authenticated:
        return _("Log in or sign up to enrol in this course.")
    if course.enrolment == CoursePage.Enrolment.OPEN:
        return None
    if course.enrolment == CoursePage.Enrolment.MANDATED:
        mandated = list(course.mandates.values_list("organisation__path", flat=True))
        paths = Membership.objects.filter(user=user).values_list("organisation__path", flat=True)
        if any(path.startswith(prefix) for path in paths for prefix in mandated):
            return None
        return _("This course is for the staff of the agencies it was assigned to.")
    return _("This course is open only to learners a teacher or HR officer has enrolled.")


def can(user, action: str, obj=None) -> bool:
    if action == "enrol":
        return enrol_refusal(user, obj) is None
    return False
