"""Drawn for every unit of a coverage table (a province has hundreds), so in Python: the
same bar through ``{% include %}`` was most of the dashboard's time, and the table's rows
through the template's loop were most of it after that."""

from collections.abc import Callable
from html import escape

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _number_format() -> Callable[[object], str]:
    """The active language's number format, looked up once (``localize`` looks it up for
    every number, a thousand times on a province's page)."""
    decimal, thousand = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    grouping = get_format("NUMBER_GROUPING")

    def number(value) -> str:
        return numberformat.format(
            value, decimal, grouping=grouping, thousand_sep=thousand, use_l10n=True
        )

    return number


def _bar(figure, number) -> str:
    """The bar's HTML (its label escaped here)."""
    label = _("%(percent)s%% met") % {"percent": number(figure.percent)}
    target = ""
    if figure.target:
        label += ", " + _("target %(target)s%%") % {"target": number(figure.target_percent)}
        target = f'<span class="cover-target" style="left: {float(figure.target_percent)}%"></span>'
    met = " is-met" if figure.met else ""
    return (
        f'<span class="cover-bar{met}" role="img" aria-label="{escape(label)}">'
        f'<span class="cover-fill" style="width: {float(figure.percent)}%"></span>{target}</span>'
    )


@register.simple_tag
def cover_bar(figure):
    """A coverage bar: the share met, and the target's mark where there is a target."""
    return mark_safe(_bar(figure, _number_format()))  # noqa: S308 - escaped in _bar


@register.simple_tag
def unit_rows(children: list[dict], query: str, gap_column) -> SafeString:
    """The rows of the units table: each unit's link (with the filters of the page, ``query``),
    whether it closed or merged, the people met, the rate and its bar, and the gap to the
    target when one target group is chosen (``gap_column``). Built as one string, every text
    escaped on the way (Django's ``format_html`` for each piece took most of the time)."""
    number = _number_format()
    closed = escape(_("closed"))
    query = escape(query)
    rows = []
    for child in children:
        unit, figure = child["organisation"], child["figure"]
        note = ""
        if unit.merged_into:
            # As the template's blocktranslate did: the name escaped, the sentence not.
            merged = _("merged into %(name)s") % {"name": escape(unit.merged_into.name)}
            note = f'<br><span class="meta">{merged}</span>'
        elif unit.active_until:
            note = f'<br><span class="meta">{closed}</span>'
        gap = ""
        if gap_column:
            gap = f"<td>{'–' if figure.gap is None else number(figure.gap)}</td>"
        shut = ' class="is-closed"' if unit.active_until else ""
        rate = number(f"{figure.percent:.1f}")
        rows.append(
            f'<tr{shut}><th scope="row"><a href="{escape(child["url"])}?{query}">'
            f"{escape(unit.name)}</a>{note}</th>"
            f"<td>{number(figure.certified)}/{number(figure.denominator)}</td>"
            f"<td>{rate}% {_bar(figure, number)}</td>{gap}</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every text escaped above
