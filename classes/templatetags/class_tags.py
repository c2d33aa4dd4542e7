from django import template

from classes.selectors import student_assignments

register = template.Library()


@register.inclusion_tag("classes/dashboard_assignments.html")
def my_assignments(user):
    """The learner's assignments on "Khóa học của tôi" (learning's page, drawn by this app:
    learning cannot import classes, which sits above it)."""
    return {"assignments": student_assignments(user=user)}
