from django import template
from django.utils.translation import gettext as _

from courses.caching import cached
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
    """The catalogue's address for the menu: its page is looked up once until a page changes."""
    request = context.get("request")
    index = cached("catalogue", lambda: CourseIndexPage.objects.live().first())
    return index.get_url(request) if index else ""


@register.filter
def lookup(mapping, key):
    """``quizzes|lookup:quiz.pk``: an entry of a dict in the context, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
