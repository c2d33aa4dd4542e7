from django import template
from django.core.cache import cache
from django.utils.translation import gettext as _

from courses.models import CourseIndexPage

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """45 → "45 phút", 90 → "1 giờ 30 phút"."""
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


@register.simple_tag(takes_context=True)
def catalogue_url(context) -> str:
    """The catalogue's address for the menu, looked up once every few minutes, not per page."""
    path = cache.get("courses:catalogue-path")
    if path is None:
        index = CourseIndexPage.objects.live().first()
        path = index.get_url(context.get("request")) if index else ""
        cache.set("courses:catalogue-path", path, 300)
    return path


@register.filter
def lookup(mapping, key):
    """``quizzes|lookup:quiz.pk``: an entry of a dict in the context, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
