"""Drawn for every unit of a coverage table (a province has hundreds), so in Python: the
same bar through ``{% include %}`` was most of the dashboard's time."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def cover_bar(figure):
    """A coverage bar: the share met, and the target's mark where there is a target."""
    label = _("%(percent)s%% met") % {"percent": localize(figure.percent)}
    target = ""
    if figure.target:
        label += ", " + _("target %(target)s%%") % {"target": localize(figure.target_percent)}
        target = format_html(
            '<span class="cover-target" style="left: {}%"></span>', str(figure.target_percent)
        )
    return format_html(
        '<span class="cover-bar{}" role="img" aria-label="{}">'
        '<span class="cover-fill" style="width: {}%"></span>{}</span>',
        " is-met" if figure.met else "",
        label,
        str(figure.percent),
        target or mark_safe(""),  # noqa: S308 - an empty string
    )
